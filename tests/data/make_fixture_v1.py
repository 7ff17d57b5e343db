"""Regenerate tests/data/vault-v1.cbvault: a demo vault frozen at schema version 1.

Run once when a new schema version is released (then add vault-v2, …); the committed files let
tests prove that every older vault upgrades. Passphrase: FIXTURE_PASSPHRASE below.
"""

from __future__ import annotations

import sys
from pathlib import Path

from consentbooth.services.booth import Booth, CaptureRequest

FIXTURE_PASSPHRASE = "Fixture-Vault-v1!"
HERE = Path(__file__).resolve().parent


def main() -> None:
    target = HERE / "vault-v1.cbvault"
    target.unlink(missing_ok=True)
    booth = Booth.create(target, FIXTURE_PASSPHRASE, demo=True, schema_version=1)
    assert booth.vault.schema_version() == 1
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
    assert first.lead_id
    booth.withdraw(lead_id=first.lead_id, purposes=["sales_contact"], channel="phone")
    booth.lock()
    sys.stdout.write(f"wrote {target}\n")


if __name__ == "__main__":
    main()
