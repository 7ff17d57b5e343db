"""The organisation's root of trust, tried as an adversary would (issue 9).

A hub (the organisation) enrols two laptops. A stranger with a vault of its own, an insider who
edits a lead behind the ledger's back and one who cuts the last withdrawal off a laptop's chain
each try to get their version into the hub; each is refused, the hub stays as it was, and the
legitimate bundles in the same merge are merged.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from consentbooth.core.errors import UserFacingError
from consentbooth.crypto import pki
from consentbooth.crypto.enrolment import read_enrolment
from consentbooth.crypto.keys import public_key_fingerprint
from consentbooth.domain.models import (
    Action,
    ConsentEvent,
    ConsentEventId,
    Decision,
    LeadId,
    new_id,
)
from consentbooth.exports.bundle import generate_ops_identity
from consentbooth.services import transfer
from consentbooth.services.booth import Booth, CaptureRequest
from consentbooth.vault import ledger, repo
from tests.support.tsa import closed_url, local_tsa, tsa  # noqa: F401  (fixtures: a real local TSA)

PASS = "Correct-Horse-42!"


def _capture(booth: Booth, name: str, phone: str, purposes=("sales_contact", "newsletter")) -> str:
    result = booth.capture(CaptureRequest(
        fields={"name": name, "phone": phone, "email": f"{phone}@example.cn"}, purposes=list(purposes),
    ))
    assert result.lead_id
    return result.lead_id


def _enrolled(org: Booth, path: Path) -> Booth:
    made = org.enrol_device()
    return Booth.create(path, PASS, demo=True, enrolment=read_enrolment(made.data, made.code))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("trust")
    secret, public = generate_ops_identity()
    org = Booth.create(root / "org.cbvault", PASS, role="hub")
    a = _enrolled(org, root / "a.cbvault")
    b = _enrolled(org, root / "b.cbvault")
    org.lock()
    a1 = _capture(a, "张伟", "13800138001")
    a.withdraw(lead_id=a1, purposes=["newsletter"], channel="email")
    a.create_bundle(recipient=public, target=root / "a.age")
    b1 = _capture(b, "李娜", "13900139001")
    b.create_bundle(recipient=public, target=root / "b.age")
    world = {"root": root, "secret": secret, "public": public, "a1": a1, "b1": b1,
             "a_device": a.device_id}
    for booth in (a, b):
        booth.lock()
    return world


def _hub(world: dict, tmp_path: Path) -> Booth:
    shutil.copy(world["root"] / "org.cbvault", tmp_path / "hub.cbvault")
    return Booth.unlock(tmp_path / "hub.cbvault", PASS)


def _state(hub: Booth) -> tuple:
    return (
        hub.vault.read("SELECT id, fields, erased_at FROM leads ORDER BY id"),
        hub.vault.read("SELECT lead_id, purpose, state FROM consent_state ORDER BY 1, 2"),
        hub.vault.read("SELECT id FROM ledger ORDER BY id"),
    )


def _forge_consent(stranger: Booth, *, lead_id: str, granted: list[str]) -> None:
    """What a stranger controlling a vault of its own can do: sign, with its own key, a consent
    event about someone else's lead, and store a lead row under that id."""
    notice = stranger.notice()
    event = ConsentEvent(
        id=ConsentEventId(new_id()), action=Action.CONSENT, lead_id=LeadId(lead_id),
        event_id=stranger.current_event().id, decisions={c: Decision.GRANTED for c in granted},
        purposes_shown=tuple(granted), notice_version=notice.version, notice_sha256=notice.sha256("zh-CN"),
        language="zh-CN", channel="kiosk", collection_method="kiosk", operator="WF",
        device_id=stranger.device_id, occurred_at=datetime.now().astimezone(),
        data_digest=stranger.ctx.digest({"name": "张伟"}, None),
    )
    person = repo.get_lead(stranger.vault, _capture(stranger, "张伟", "13800138001"))
    with stranger.vault.transaction() as conn:
        entry = ledger.append(conn, event=event, identity=stranger.identity)
        row = repo.lead_row(person, data_digest=event.data_digest)
        row.update(id=lead_id, fields=json.dumps({"name": "张伟"}, ensure_ascii=False))
        repo.insert_lead_row(conn, row)
        for code in granted:
            repo.set_consent_state(conn, lead_id=lead_id, purpose=code, state="granted",
                                   since=event.occurred_at.isoformat(), expires_at=None, ledger_id=entry.id)


@pytest.fixture(scope="module")
def stranger_bundle(world: dict) -> dict:
    """A vault the organisation never set up; its signed ledger grants a newsletter consent on a
    lead laptop A captured (and whose newsletter consent was withdrawn)."""
    root = world["root"]
    stranger = Booth.create(root / "stranger.cbvault", PASS, demo=True)
    try:
        _forge_consent(stranger, lead_id=world["a1"], granted=["newsletter"])
        stranger.create_bundle(recipient=world["public"], target=root / "stranger.age")
        fingerprint = public_key_fingerprint(stranger.identity.public_key_pem)
    finally:
        stranger.lock()
    return {"path": root / "stranger.age", "fingerprint": fingerprint}


def test_enrolled_laptops_chain_to_the_organisations_root(world: dict) -> None:
    org = Booth.unlock(world["root"] / "org.cbvault", PASS)
    a = Booth.unlock(world["root"] / "a.cbvault", PASS)
    try:
        root = org.root_info()
        assert root.holds_key and not a.root_info().holds_key
        assert a.root_info().fingerprint == root.fingerprint
        chain = pki.chain_to_root(a.identity.cert_pem, a.identity.chain_pem, [pki.load_trust_root(root.cert_pem)])
        assert chain.trusted and chain.role == "device"
        with pytest.raises(UserFacingError, match="Only the organisation's own vault"):
            a.enrol_device()  # a laptop cannot enrol others
    finally:
        org.lock()
        a.lock()


def test_a_strangers_bundle_is_refused_and_the_others_are_merged(
    world: dict, stranger_bundle: dict, tmp_path: Path
) -> None:
    hub = _hub(world, tmp_path)
    try:
        results = hub.merge_files(
            paths=[world["root"] / "a.age", stranger_bundle["path"], world["root"] / "b.age"],
            identity_text=world["secret"],
        )
        assert [(r.ok, r.code) for r in results] == [(True, ""), (False, transfer.UNKNOWN_DEVICE), (True, "")]
        refused = results[1]
        assert refused.fingerprint == stranger_bundle["fingerprint"]
        assert "--approve-device " + refused.fingerprint in refused.reason
        assert hub.record(world["a1"]).granted() == ("sales_contact",)  # the withdrawal holds
        assert hub.count() == 2 and hub.verify_ledger().ok
        out = tmp_path / "news.csv"
        assert hub.export_leads(purposes=["newsletter"], target=out) == 1  # only B's lead
        assert "张伟" not in out.read_text(encoding="utf-8-sig")
    finally:
        hub.lock()


def test_an_approved_stranger_still_cannot_speak_for_another_devices_lead(
    world: dict, stranger_bundle: dict, tmp_path: Path
) -> None:
    hub = _hub(world, tmp_path)
    try:
        assert hub.merge_files(paths=[world["root"] / "a.age"], identity_text=world["secret"])[0].ok
        before = _state(hub)
        [result] = hub.merge_files(
            paths=[stranger_bundle["path"]],
            identity_text=world["secret"],
            approve_devices=[pki.format_fingerprint(stranger_bundle["fingerprint"])],
        )
        assert (result.ok, result.code) == (False, transfer.NOT_ITS_LEAD)
        assert world["a1"] in result.reason
        assert _state(hub) == before
        assert hub.record(world["a1"]).granted() == ("sales_contact",)
    finally:
        hub.lock()


def test_an_approved_device_brings_its_own_leads(world: dict, tmp_path: Path) -> None:
    other = Booth.create(tmp_path / "old-laptop.cbvault", PASS, demo=True)  # its own organisation
    lead = _capture(other, "Emma Schmidt", "13700137001")
    other.create_bundle(recipient=world["public"], target=tmp_path / "old.age")
    fingerprint = public_key_fingerprint(other.identity.public_key_pem)
    other.lock()
    hub = _hub(world, tmp_path)
    try:
        [refused] = hub.merge_files(paths=[tmp_path / "old.age"], identity_text=world["secret"])
        assert refused.code == transfer.UNKNOWN_DEVICE and hub.count() == 0
        [merged] = hub.merge_files(
            paths=[tmp_path / "old.age"], identity_text=world["secret"], approve_devices=[fingerprint]
        )
        assert merged.ok and merged.fingerprint == fingerprint and hub.count() == 1
        assert hub.record(lead).granted() == ("newsletter", "sales_contact")
        assert {d.fingerprint: d.trust.how for d in hub.known_devices()}[fingerprint] == "approved"
    finally:
        hub.lock()


def test_details_edited_behind_the_ledger_fail_the_check_and_the_bundle(world: dict, tmp_path: Path) -> None:
    shutil.copy(world["root"] / "org.cbvault", tmp_path / "org.cbvault")
    org = Booth.unlock(tmp_path / "org.cbvault", PASS)
    laptop = _enrolled(org, tmp_path / "c.cbvault")
    org.lock()
    lead = _capture(laptop, "王芳", "13600136001")
    laptop.correct(lead_id=lead, fields={"title": "经理"})  # a correction is a signed event: fine
    assert laptop.verify_ledger().ok
    laptop.vault.read("SELECT 1")  # file the journal
    with laptop.vault.transaction() as conn:  # an insider with the passphrase, SQL in hand
        conn.execute(
            "UPDATE leads SET fields = ? WHERE id = ?",
            (json.dumps({"name": "王芳", "phone": "+8613600136009", "title": "经理"}), lead),
        )
    report = laptop.verify_ledger()
    assert not report.ok and report.lead_id == lead and lead in report.reason
    laptop.create_bundle(recipient=world["public"], target=tmp_path / "c.age")
    laptop.lock()
    hub = Booth.unlock(tmp_path / "org.cbvault", PASS)
    try:
        [result] = hub.merge_files(paths=[tmp_path / "c.age"], identity_text=world["secret"])
        assert (result.ok, result.code) == (False, transfer.DETAILS_ALTERED)
        assert lead in result.reason and hub.count() == 0
    finally:
        hub.lock()


def _cut_last_event(booth: Booth) -> str:
    """An insider deletes the last ledger event (a withdrawal) and puts the consent back."""
    last = booth.vault.read("SELECT id, lead_id FROM ledger ORDER BY seq DESC LIMIT 1")[0]
    first = booth.vault.read("SELECT id FROM ledger WHERE lead_id = ? ORDER BY seq LIMIT 1", (last[1],))[0][0]
    with booth.vault.transaction() as conn:
        conn.execute("DROP TRIGGER ledger_no_delete")
        conn.execute("DELETE FROM ledger WHERE id = ?", (last[0],))
        conn.execute("UPDATE consent_state SET state = 'granted', ledger_id = ? WHERE lead_id = ?", (first, last[1]))
        conn.execute("DELETE FROM certificates WHERE ledger_id = ?", (last[0],))
    return last[1]


def test_a_tail_cut_chain_is_refused_by_a_hub_that_holds_the_longer_one(world: dict, tmp_path: Path) -> None:
    shutil.copy(world["root"] / "a.cbvault", tmp_path / "a.cbvault")
    laptop = Booth.unlock(tmp_path / "a.cbvault", PASS)
    lead = _cut_last_event(laptop)
    assert lead == world["a1"]
    laptop.create_bundle(recipient=world["public"], target=tmp_path / "cut.age")
    laptop.lock()
    hub = _hub(world, tmp_path)
    try:
        assert hub.merge_files(paths=[world["root"] / "a.age"], identity_text=world["secret"])[0].ok
        before = _state(hub)
        [result] = hub.merge_files(paths=[tmp_path / "cut.age"], identity_text=world["secret"])
        assert (result.ok, result.code) == (False, transfer.CHAIN_BEHIND)
        assert _state(hub) == before
        assert hub.record(lead).granted() == ("sales_contact",)  # still withdrawn
    finally:
        hub.lock()


def test_a_cut_that_leaves_a_reference_is_caught_on_the_laptop(world: dict, tmp_path: Path) -> None:
    shutil.copy(world["root"] / "a.cbvault", tmp_path / "a.cbvault")
    laptop = Booth.unlock(tmp_path / "a.cbvault", PASS)
    try:
        entry = laptop.vault.read("SELECT id FROM ledger ORDER BY seq DESC LIMIT 1")[0][0]
        laptop.issue_certificate(entry)  # the withdrawal's certificate is stored in the vault
        with laptop.vault.transaction() as conn:
            conn.execute("DROP TRIGGER ledger_no_delete")
            conn.execute("DELETE FROM ledger WHERE id = ?", (entry,))
        report = laptop.verify_ledger()
        assert not report.ok and entry in report.reason and "cut" in report.reason
    finally:
        laptop.lock()


def test_checkpoints_give_trusted_time_and_catch_a_later_cut(world: dict, tmp_path: Path, local_tsa) -> None:  # noqa: F811
    shutil.copy(world["root"] / "a.cbvault", tmp_path / "a.cbvault")
    laptop = Booth.unlock(tmp_path / "a.cbvault", PASS)
    try:
        with pytest.raises(UserFacingError) as down:
            laptop.timestamp_chain_heads(url=closed_url())
        assert "\n" not in str(down.value) and not laptop.vault.read("SELECT * FROM checkpoints")
        laptop.set_tsa_url(local_tsa.url)
        [checkpoint] = laptop.timestamp_chain_heads()
        assert checkpoint.device_id == laptop.device_id and checkpoint.device_seq == 2
        assert laptop.timestamp_chain_heads() == []  # nothing new to stamp
        assert laptop.verify_ledger().ok
        _cut_last_event(laptop)
        report = laptop.verify_ledger()
        assert not report.ok and "timestamped" in report.reason
    finally:
        laptop.lock()


def test_an_old_vault_becomes_its_own_organisation(tmp_path: Path) -> None:
    from tests.data.make_fixture import FIXTURE_PASSPHRASE

    data = Path(__file__).resolve().parents[1] / "data"
    shutil.copy(data / "vault-v3.cbvault", tmp_path / "old.cbvault")
    old = Booth.unlock(tmp_path / "old.cbvault", FIXTURE_PASSPHRASE)
    try:
        root = old.root_info()
        assert root.holds_key
        chain = pki.chain_to_root(old.identity.cert_pem, old.identity.chain_pem, [pki.load_trust_root(root.cert_pem)])
        assert chain.trusted
        assert old.verify_ledger().ok  # the key it had certifies every earlier entry still
    finally:
        old.lock()
