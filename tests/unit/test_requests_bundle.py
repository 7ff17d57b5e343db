"""A laptop's rights-request events travel in its bundle like every ledger event: the hub admits
and verifies them and folds no consent from them. The register itself stays with the store that
took the request."""

from __future__ import annotations

from pathlib import Path

from consentbooth.crypto.enrolment import read_enrolment
from consentbooth.exports.bundle import generate_ops_identity
from consentbooth.services import requests
from consentbooth.services.booth import Booth, CaptureRequest

PASS = "Correct-Horse-42!"


def test_request_events_merge_into_a_hub_and_verify(tmp_path: Path) -> None:
    secret, public = generate_ops_identity()
    hub = Booth.create(tmp_path / "hub.cbvault", PASS, role="hub")
    made = hub.enrol_device()
    laptop = Booth.create(tmp_path / "laptop.cbvault", PASS, demo=True, enrolment=read_enrolment(made.data, made.code))
    try:
        lead_id = laptop.capture(CaptureRequest(fields={"name": "张伟", "phone": "13800138001"},
                                                purposes=["sales_contact"])).lead_id
        opened = requests.open_request(laptop.ctx, lead_id=lead_id, kind="access", channel="in_person",
                                       identity_check="business card and face at the booth")
        requests.close_request(laptop.ctx, request_id=opened.id, outcome="fulfilled", note="Shown on screen.")
        laptop.create_bundle(recipient=public, target=tmp_path / "laptop.age")
    finally:
        laptop.lock()
    try:
        (result,) = hub.merge_files(paths=[tmp_path / "laptop.age"], identity_text=secret)
        assert result.ok, result.reason
        history = [e.action.value for e in hub.record(lead_id).history]
        assert history == ["consent", "request_opened", "request_closed"]
        assert hub.record(lead_id).granted() == ("sales_contact",)
        assert hub.verify_ledger().ok
        assert hub.ctx.hub.rights_requests() == []  # the register is the laptop's; the evidence travels
        # the hub answers its own requests about the merged person
        own = requests.open_request(hub.ctx, lead_id=lead_id, kind="copy", channel="email",
                                    identity_check="email on record")
        assert [r.id for r in requests.list_requests(hub.ctx)] == [own.id]
        assert hub.verify_ledger().ok
    finally:
        hub.lock()
