"""A bundle is read once: what ``read_payload`` parsed is what admission and the hub's merge use.

The large-bundle merge into PostgreSQL keeps what reading a row found (a ledger body's event, a
lead's details) instead of parsing a hundred thousand rows three times, hands the ledger check
the rows already read, and computes a name token's blind index once per merge. Each shortcut
must give exactly what the long way gives, and the ledger check must still refuse a forgery.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

import pytest

from consentbooth.crypto import envelope
from consentbooth.domain.bundle_rows import FieldsText, SignedBody
from consentbooth.domain.models import ConsentEvent
from consentbooth.hub.postgres.base import Connected
from consentbooth.services.booth import Booth, CaptureRequest
from consentbooth.services.transfer import _ledger_rows, _verify_payload, build_payload, read_payload
from consentbooth.vault.merge import BundleRejected, verify_bundle_ledger
from tests.conftest import PASSPHRASE
from tests.helpers import ZH_LEAD


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict, dict, Booth]]:
    booth = Booth.create(tmp_path_factory.mktemp("once") / "booth.cbvault", PASSPHRASE, demo=True)
    first = booth.capture(CaptureRequest(fields={**ZH_LEAD, "interest": "robots"},
                                         purposes=["sales_contact", "newsletter"], operator="WF"))
    booth.capture(CaptureRequest(fields={"name": "Emma Schmidt", "email": "emma@example.de",
                                         "phone": "+49 30 1234567", "company": "Acme GmbH"},
                                 purposes=["sales_contact"], operator="AM"))
    booth.withdraw(lead_id=first.lead_id, purposes=["newsletter"], channel="email")
    payload, _ = build_payload(booth.ctx)
    manifest, rows = read_payload(payload)
    yield manifest, rows, booth
    booth.lock()


def test_each_ledger_body_carries_its_event_as_reading_it_again_gives(bundle) -> None:
    _manifest, rows, _booth = bundle
    assert len(rows["ledger"]) == 3
    for r in rows["ledger"]:
        body = r["body"]
        assert isinstance(body, SignedBody)
        plain = json.loads(bytes(body))["event"]
        assert body.record_event == plain
        assert body.consent_event == ConsentEvent.from_record(plain)
        assert hashlib.sha256(bytes(body)).hexdigest() == r["hash"]  # the bytes are the signed ones


def test_each_leads_details_carry_the_object_reading_them_again_gives(bundle) -> None:
    _manifest, rows, _booth = bundle
    for r in rows["leads"]:
        assert isinstance(r["fields"], FieldsText)
        assert r["fields"].parsed == json.loads(str(r["fields"]))


def test_the_worker_checks_plain_copies_of_the_rows_and_still_refuses_a_forgery(bundle) -> None:
    manifest, rows, booth = bundle
    device = str(manifest["device_id"])
    key = next(bytes(s["public_key_pem"]) for s in rows["signers"] if s["device_id"] == device)
    checked = _ledger_rows(rows)
    assert all(type(r["body"]) is bytes for r in checked["ledger"])  # nothing parsed travels
    assert _verify_payload(checked, device, key) is None
    verify_bundle_ledger(rows, signer_device=device, signer_public_key=key)  # the rows as read
    forged = _ledger_rows(rows)
    event = json.loads(forged["ledger"][1]["body"])
    event["event"]["decisions"] = {k: "granted" for k in event["event"]["decisions"]}
    forged["ledger"][1]["body"] = json.dumps(event, separators=(",", ":"), sort_keys=True).encode()
    refusal = _verify_payload(forged, device, key)
    assert refusal is not None and "is invalid" in refusal[0]
    with pytest.raises(BundleRejected):
        verify_bundle_ledger(forged, signer_device=device, signer_public_key=key)


@pytest.mark.parametrize("fields", [
    {"name": "张伟", "email": "zhang.wei@example.cn", "phone": "+86 138 0013 8000"},
    {"name": "张伟明", "email": "ZW@Example.cn", "phone": "13800138000"},
    {"name": "Emma Schmidt", "email": "emma@example.de", "phone": "+49 30 1234567"},
    {"name": "Li张伟 Emma", "email": "", "phone": ""},
    {"name": "", "email": "only@example.com"},
])
def test_a_merges_remembered_name_indexes_are_the_ones_computed_afresh(fields: dict) -> None:
    key = envelope.DataKey(1, envelope.new_key()).index_key()
    memo: dict = {}
    for _ in range(2):  # the second time from the memo
        assert Connected.blind_terms(None, fields, key, memo) == Connected.blind_terms(None, fields, key)  # type: ignore[arg-type]
