"""The rights-request register's rules on a real vault: deadlines, refusals need reasons, a request
closes once, the register and the ledger agree, an erased person's request and copy."""

from __future__ import annotations

from datetime import date, timedelta

import jsonschema
import pytest

from consentbooth.core.errors import NotFound, UserFacingError, ValidationError
from consentbooth.services import personcopy, requests, rights
from consentbooth.services.booth import Booth
from tests.conftest import PASSPHRASE
from tests.helpers import zh_request
from tests.support.personcopy import SCHEMA


def _open(booth: Booth, lead: str, **overrides):
    values = {"lead_id": lead, "kind": "access", "channel": "email", "identity_check": "email on record"}
    return requests.open_request(booth.ctx, **{**values, **overrides})


def test_the_due_date_follows_the_policy_and_the_register_matches_the_ledger(booth: Booth) -> None:
    lead_id = booth.capture(zh_request()).lead_id
    received = date.today() - timedelta(days=10)
    first = _open(booth, lead_id, received_on=received)
    assert first.due_on == received + timedelta(days=30)
    requests.set_due_days(booth.ctx, 15)
    second = _open(booth, lead_id, received_on=received, kind="explanation")
    assert second.due_on == received + timedelta(days=15)
    given = _open(booth, lead_id, due_on=date.today() + timedelta(days=3), kind="copy")
    assert given.due_on == date.today() + timedelta(days=3)
    later = date.today() + timedelta(days=6)
    assert [r.id for r in requests.overdue(booth.ctx, today=later)] == [given.id, second.id]  # soonest due first
    # each register row has its signed ledger event, carrying the request's id and type
    entries = {e.id: e.event for e in booth.hub.ledger_entries(lead_id=lead_id)}
    for request in (first, second, given):
        assert entries[request.opened_ledger_id].extra["request"]["id"] == request.id
        assert entries[request.opened_ledger_id].extra["request"]["type"] == request.kind


def test_closing_needs_reasons_for_a_refusal_and_happens_once(booth: Booth) -> None:
    lead_id = booth.capture(zh_request()).lead_id
    request = _open(booth, lead_id, kind="deletion")
    with pytest.raises(ValidationError, match="Give the reasons"):
        requests.close_request(booth.ctx, request_id=request.id, outcome="refused")
    with pytest.raises(ValidationError, match="Unknown outcome “maybe”"):
        requests.close_request(booth.ctx, request_id=request.id, outcome="maybe")
    assert requests.get_request(booth.ctx, request.id).is_open
    closed = requests.close_request(booth.ctx, request_id=request.id, outcome="refused", note="Legal hold.")
    assert closed.outcome == "refused" and closed.closed_ledger_id
    with pytest.raises(UserFacingError, match="already closed"):
        requests.close_request(booth.ctx, request_id=request.id, outcome="fulfilled")
    with pytest.raises(NotFound, match="No rights request with id nope"):
        requests.close_request(booth.ctx, request_id="nope", outcome="fulfilled")
    actions = [e.action for e in booth.hub.ledger_entries(lead_id=lead_id)]
    assert actions == ["consent", "request_opened", "request_closed"]
    assert booth.verify_ledger().ok


@pytest.mark.parametrize(("overrides", "message"), [
    ({"channel": "fax"}, "Unknown channel “fax”"),
    ({"received_on": date.today() + timedelta(days=1)}, "The date received cannot be in the future."),
    ({"identity_check": "   "}, "Say how the person's identity was checked."),
    ({"lead_id": "ghost"}, "No lead with id ghost."),
])
def test_bad_input_stores_nothing(booth: Booth, overrides: dict, message: str) -> None:
    lead_id = booth.capture(zh_request()).lead_id
    with pytest.raises(UserFacingError, match=message):
        _open(booth, lead_id, **overrides)
    assert requests.list_requests(booth.ctx) == []
    assert [e.action for e in booth.hub.ledger_entries(lead_id=lead_id)] == ["consent"]


def test_a_deletion_request_carried_out_then_the_copy_of_what_remains(booth: Booth) -> None:
    lead_id = booth.capture(zh_request()).lead_id
    request = _open(booth, lead_id, kind="deletion")
    rights.erase(booth.ctx, lead_id=lead_id)
    requests.close_request(booth.ctx, request_id=request.id, outcome="fulfilled", note="Details deleted.")
    data = personcopy.build_copy(booth.ctx, lead_id)
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(data)
    assert data["person"]["details"] == {} and data["person"]["erased_at"]
    assert [h["action"] for h in data["history"]] == ["consent", "request_opened", "erasure", "request_closed"]
    assert data["requests"][0]["outcome"] == "fulfilled"
    letter = requests.answer_letter(booth.ctx, request.id)
    assert "尊敬的先生/女士" in letter and "Details deleted." in letter  # no name left to address


def test_the_letter_speaks_the_persons_language(booth: Booth) -> None:
    lead_id = booth.capture(zh_request(language="en", fields={"name": "Ann Lee", "phone": "13800138009"},
                                       purposes=["sales_contact"])).lead_id
    request = _open(booth, lead_id, kind="correction")
    letter = requests.answer_letter(booth.ctx, request.id)
    assert letter.splitlines()[3] == "Dear Ann Lee,"
    assert "correction of your personal information (PIPL Article 46)" in letter
    assert f"will answer by {request.due_on.isoformat()}" in letter
    org = booth.ctx.organisation()
    english = letter.replace(org.name_zh, "").replace(org.rights_contact, "")  # the organisation's own words
    assert not any("\u4e00" <= c <= "\u9fff" for c in english)


def test_a_request_closed_meanwhile_elsewhere_is_not_closed_twice(booth: Booth, tmp_path) -> None:
    """Two ops people close the same request: the second close is checked again inside its own
    transaction, after the first one's commit, and refused; the ledger holds one closing."""
    lead_id = booth.capture(zh_request()).lead_id
    request = _open(booth, lead_id)
    other = Booth.unlock(booth.vault.path, PASSPHRASE)
    try:
        stale = requests.get_request(other.ctx, request.id)
        requests.close_request(booth.ctx, request_id=request.id, outcome="fulfilled", operator="WF")
        real_get = other.ctx.hub.get_request
        calls = []

        def first_stale(request_id: str):  # the pre-check still sees it open, as in a real race
            calls.append(request_id)
            return stale if len(calls) == 1 else real_get(request_id)

        other.ctx.hub.get_request = first_stale  # type: ignore[method-assign]
        with pytest.raises(UserFacingError, match="already closed"):
            requests.close_request(other.ctx, request_id=request.id, outcome="refused", note="late")
        assert len(calls) == 2
    finally:
        other.lock()
    closings = [e for e in booth.hub.ledger_entries(lead_id=lead_id) if e.action == "request_closed"]
    assert len(closings) == 1 and requests.get_request(booth.ctx, request.id).closed_by == "WF"


def test_erasing_the_person_removes_what_staff_typed_about_them_from_the_register(
    booth: Booth, tmp_path
) -> None:
    """Issue #10's promise holds for the register too: after ``erase`` no value of the person is
    left in the decrypted vault, though the request (what was asked, when, what was done) stays."""
    from tests.vault_pages import decrypted_pages, hits, plaintext_copy, table_cells

    lead_id = booth.capture(zh_request(fields={"name": "擦除登记", "phone": "13900139017",
                                               "email": "canary-request@erase.example"})).lead_id
    access = _open(booth, lead_id, identity_check="called back on 13900139017",
                   note="擦除登记 asked by e-mail from canary-request@erase.example")
    requests.close_request(booth.ctx, request_id=access.id, outcome="fulfilled",
                           note="Copy sent to canary-request@erase.example")
    deletion = _open(booth, lead_id, kind="deletion", identity_check="canary-request@erase.example")
    rights.erase(booth.ctx, lead_id=lead_id)
    requests.close_request(booth.ctx, request_id=deletion.id, outcome="fulfilled", note="Details deleted.")
    kept = {r.id: r for r in requests.list_requests(booth.ctx, lead_id=lead_id)}
    access_kept = kept[access.id]
    assert (access_kept.kind, access_kept.outcome, access_kept.identity_check) == ("access", "fulfilled", "")
    assert kept[deletion.id].outcome_note == "Details deleted."
    booth.vault.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    needles = ["擦除登记".encode(), b"13900139017", b"canary-request@erase.example"]
    plain = plaintext_copy(booth.vault.path, PASSPHRASE, tmp_path / "plain.db")
    assert {t: h for t, blob in table_cells(plain).items() if (h := hits([blob], needles))} == {}
    assert hits(decrypted_pages(booth.vault.path, PASSPHRASE), needles) == {}
