"""Write tests/data/vault-v<N>.cbvault: a demo vault at the schema version N of the code it runs on.

Run it on the commit that RELEASED schema N (e.g. ``git worktree add /tmp/v2 <commit>``, copy this
script there, ``PYTHONPATH=/tmp/v2/app:/tmp/v2 python tests/data/make_fixture.py``) and commit the
file, so tests prove that every released vault upgrades. ``vault-v1.cbvault`` came from the
schema-1 code of 12df1e4 (same content), ``vault-v2.cbvault`` from
ea510db, ``vault-v3.cbvault`` from 89cb4f9 (it also holds an erased person, 王芳, whose phone the
schema-3 search index kept: schema 4 must purge it), ``vault-v5.cbvault`` from 5e28061 (the last
schema before the attendee lists of schema 6). Every fixture has the passphrase FIXTURE_PASSPHRASE below.
"""

from __future__ import annotations

import sys
from pathlib import Path

from consentbooth.services.booth import Booth, CaptureRequest
from consentbooth.vault.migrations import CURRENT_VERSION

FIXTURE_PASSPHRASE = "Fixture-Vault-v1!"
HERE = Path(__file__).resolve().parent


def main() -> None:
    target = HERE / f"vault-v{CURRENT_VERSION}.cbvault"
    target.unlink(missing_ok=True)
    booth = Booth.create(target, FIXTURE_PASSPHRASE, demo=True)
    first = booth.capture(
        CaptureRequest(
            fields={"name": "李娜", "company": "杭州样例有限公司", "phone": "13900139000"},
            purposes=["sales_contact"],
        )
    )
    booth.capture(
        CaptureRequest(
            fields={"name": "Emma Schmidt", "email": "emma@example.de"},
            purposes=["product_info", "newsletter"],
            language="en",
        )
    )
    booth.withdraw(lead_id=first.lead_id, purposes=["sales_contact"], channel="phone")
    if CURRENT_VERSION >= 2:  # certificates live in the vault from schema 2 on
        booth.issue_certificate(first.ledger_id)
    if CURRENT_VERSION >= 3:  # an erasure whose leftovers (FTS segments) schema 4 must purge
        gone = booth.capture(
            CaptureRequest(
                fields={"name": "王芳", "company": "Erased Example Ltd", "phone": "13700137000",
                        "email": "wang.fang@erased.example"},
                purposes=["sales_contact"],
            )
        )
        booth.erase(lead_id=gone.lead_id)
    booth.lock()
    sys.stdout.write(f"wrote {target}\n")


if __name__ == "__main__":
    main()
