"""Editing the setup after the first run (services.configuration) on a real vault."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from consentbooth.core.errors import ValidationError
from consentbooth.domain.configuration import suggest_key
from consentbooth.domain.models import (
    DEFAULT_QUESTIONS,
    CollectionMethod,
    Event,
    EventId,
    Question,
    new_id,
)
from consentbooth.domain.validation import validate_fields
from consentbooth.services.booth import Booth, CaptureRequest
from consentbooth.vault import codec
from tests.helpers import zh_request

DATA = Path(__file__).resolve().parents[1] / "data"
BUDGET = Question(key="budget", label={"zh-CN": "预算", "en": "Budget"})


def _event(**overrides) -> Event:
    values = dict(id=EventId(new_id()), name="Photonics Expo 2026", starts_on=date(2026, 5, 1),
                  ends_on=date(2026, 5, 3), place="Hangzhou", retention_days=180, questions=(BUDGET,))
    values.update(overrides)
    return Event(**values)


# -- events and their qualifying questions ------------------------------------------------------------

def test_old_stored_event_without_questions_loads_with_the_two_defaults(booth: Booth) -> None:
    event = booth.current_event()
    old = json.loads(codec.event_to_json(event))
    del old["questions"]  # what every event stored before questions were per event
    with booth.vault.transaction() as conn:
        conn.execute("UPDATE events SET data = ? WHERE id = ?", (json.dumps(old), event.id))
    booth.forget_setup()
    loaded = booth.current_event()
    assert loaded.questions == DEFAULT_QUESTIONS
    assert [q.key for q in loaded.questions] == ["interest", "timeframe"]
    assert loaded.question("interest").label["zh-CN"] == "感兴趣的产品"
    # an event saved with no questions at all stays without questions
    booth.save_event(replace(loaded, questions=()))
    booth.forget_setup()
    assert booth.current_event().questions == ()


def test_version_1_fixture_events_load_with_default_questions(tmp_path: Path) -> None:
    copy = tmp_path / "old.cbvault"
    shutil.copy(DATA / "vault-v1.cbvault", copy)
    from tests.data.make_fixture import FIXTURE_PASSPHRASE

    booth = Booth.unlock(copy, FIXTURE_PASSPHRASE)
    try:
        events = booth.events()
        assert events and all(e.questions == DEFAULT_QUESTIONS for e in events)
    finally:
        booth.lock()


def test_new_event_made_current_files_the_next_capture_under_it(booth: Booth) -> None:
    first = booth.current_event()
    event = _event()
    booth.save_event(event)  # saved, not current yet
    assert booth.current_event().id == first.id
    booth.set_current_event(event.id)
    assert booth.current_event() == event  # the booth's cached setup was dropped
    result = booth.capture(zh_request(
        fields={"name": "张伟", "phone": "13800138000", "budget": "100万"},
        purposes=["sales_contact"], collection_method=CollectionMethod.STAFF))
    record = booth.record(result.lead_id)
    assert record.lead.event_id == event.id and record.event.name == "Photonics Expo 2026"
    assert record.lead.fields["budget"] == "100万"
    assert [e.id for e in booth.events()] == [first.id, event.id]


def test_editing_an_event_keeps_its_id_and_leads(booth: Booth) -> None:
    event = booth.current_event()
    lead = booth.capture(zh_request()).lead_id
    booth.save_event(replace(event, name="Renamed Fair", retention_days=90), make_current=True)
    assert len(booth.events()) == 1
    assert booth.record(lead).event.name == "Renamed Fair"
    assert booth.current_event().retention_days == 90


@pytest.mark.parametrize(
    ("questions", "message"),
    [
        ((Question(key="Budget range", label={"zh-CN": "预算", "en": "Budget"}),), "not usable"),
        ((Question(key="phone", label={"zh-CN": "电话", "en": "Phone"}),), "standard field"),
        ((BUDGET, BUDGET), "share the key"),
        ((Question(key="budget", label={"zh-CN": "", "en": "Budget"}),), "label in Chinese and in English"),
    ],
)
def test_bad_questions_are_refused_and_nothing_is_saved(booth: Booth, questions, message) -> None:
    before = booth.events()
    with pytest.raises(ValidationError, match=message) as info:
        booth.save_event(_event(questions=questions), make_current=True)
    assert info.value.field == "questions"
    assert booth.events() == before


def test_event_rules(booth: Booth) -> None:
    with pytest.raises(ValidationError, match="last day") as info:
        booth.save_event(_event(ends_on=date(2026, 4, 1)))
    assert info.value.field == "event_dates"
    with pytest.raises(ValidationError, match="name"):
        booth.save_event(_event(name="  "))
    with pytest.raises(ValidationError, match="1 to 3650"):
        booth.save_event(_event(retention_days=0))


def test_question_keys_suggested_from_labels_are_accepted_as_lead_fields() -> None:
    keys = [suggest_key(t) for t in ("Budget range", "Decision maker?", "2026 plans", "预算")]
    assert keys == ["budget_range", "decision_maker", "q_2026_plans", ""]
    answers = {k: "yes" for k in keys if k}
    assert validate_fields(answers, ()) == answers  # stored like today's interest/timeframe


# -- purposes -----------------------------------------------------------------------------------------

def test_separate_consent_cannot_be_offered_without_its_recipient(booth: Booth) -> None:
    purposes = booth.purposes()
    stripped = [replace(p, recipients=()) if p.code == "cross_border" else p for p in purposes]
    with pytest.raises(ValidationError) as info:
        booth.update_purposes(stripped)
    assert info.value.field == "recipients" and info.value.params["code"] == "cross_border"
    assert "name its recipient first" in str(info.value)
    assert "单独同意" in info.value.localized("zh-CN")
    assert "cross_border" in {p.code for p in booth.offered_purposes()}  # nothing changed
    # not offered: accepted, and the kiosk no longer offers it
    off = [replace(p, enabled=False) if p.code == "cross_border" else p for p in stripped]
    booth.update_purposes(off)
    assert "cross_border" not in {p.code for p in booth.offered_purposes()}


def test_purposes_are_never_removed_and_disabling_stops_offering(booth: Booth) -> None:
    lead = booth.capture(zh_request(purposes=["newsletter"])).lead_id
    purposes = booth.purposes()
    with pytest.raises(ValidationError, match="cannot be removed"):
        booth.update_purposes([p for p in purposes if p.code != "newsletter"])
    retitled = [
        replace(p, enabled=False) if p.code == "newsletter"
        else replace(p, title={**p.title, "en": "Product brochures"}) if p.code == "product_info" else p
        for p in purposes
    ]
    booth.update_purposes(retitled)
    assert [p.code for p in booth.purposes()] == [p.code for p in purposes]  # codes and order kept
    assert "newsletter" not in {p.code for p in booth.offered_purposes()}
    assert next(p for p in booth.purposes() if p.code == "product_info").title["en"] == "Product brochures"
    with pytest.raises(ValidationError, match="not a purpose offered"):
        booth.capture(zh_request(purposes=["newsletter"]))
    assert "newsletter" in booth.record(lead).granted()  # the evidence still names it
    with pytest.raises(ValidationError, match="at least one purpose"):
        booth.update_purposes([replace(p, enabled=False) for p in purposes])


# -- notice ---------------------------------------------------------------------------------------------

def test_publishing_a_notice_makes_a_new_version_and_names_a_missing_item(booth: Booth) -> None:
    first = booth.notice()
    sections = {k: dict(v) for k, v in first.sections.items()}
    sections["en"]["retention"] = " "
    with pytest.raises(ValidationError, match="How long we keep it"):
        booth.publish_notice(sections)
    with pytest.raises(ValidationError, match="already the published notice"):
        booth.publish_notice(first.sections)
    sections["en"]["retention"] = "We keep your details for 180 days."
    notice = booth.publish_notice(sections)
    assert notice.version == first.version + 1 and booth.notice().version == notice.version
    captured = booth.capture(zh_request(language="en"))
    assert booth.record(captured.lead_id).history[0].notice_version == notice.version


def test_organisation_edit_does_not_republish_the_notice_by_itself(booth: Booth) -> None:
    version = booth.notice().version
    org = replace(booth.organisation(), rights_contact="DPO, dpo@booth.example")
    booth.update_organisation(org)
    assert booth.organisation().rights_contact == "DPO, dpo@booth.example"
    assert booth.notice().version == version
    draft = booth.notice_draft()
    assert "dpo@booth.example" in draft["en"]["contact"] + draft["en"]["rights"] + draft["en"]["controller"]
    with pytest.raises(ValidationError) as info:
        booth.update_organisation(replace(org, contact_email="not-an-email"))
    assert info.value.field == "org_email"


# -- staff and PIN --------------------------------------------------------------------------------------

def test_staff_are_added_deactivated_never_deleted(booth: Booth) -> None:
    lead = booth.capture(zh_request(operator="WF")).lead_id
    member = booth.add_staff(name="李娜", initials="LN")
    assert (member.name, member.initials, member.active) == ("李娜", "LN", True)
    with pytest.raises(ValidationError, match="already belong to Wang Fang") as info:
        booth.add_staff(name="Wendy Fu", initials="wf")
    assert info.value.field == "initials"
    wf = next(s for s in booth.staff() if s.initials == "WF")
    booth.set_staff_active(wf.id, False)
    staff = {s.initials: s.active for s in booth.staff()}
    assert staff == {"WF": False, "AM": True, "LN": True}  # still there, inactive
    assert booth.record(lead).lead.operator == "WF"  # old records still name her
    # …and she can no longer handle anything, whichever doorway is used (GUI, CLI --operator)
    with pytest.raises(ValidationError, match="no longer active staff") as refused:
        booth.capture(zh_request(operator="WF"))
    assert refused.value.field == "operator" and "已不是在职工作人员" in refused.value.localized("zh-CN")
    with pytest.raises(ValidationError, match="no longer active staff"):
        booth.withdraw(lead_id=lead, purposes=["newsletter"], operator="WF")
    assert booth.capture(zh_request(operator="LN")).lead_id
    with pytest.raises(ValidationError, match="already belong"):
        booth.add_staff(name="Wei Feng", initials="WF")  # never reused, even once inactive
    for s in booth.staff():
        if s.active and s.initials != "LN":
            booth.set_staff_active(s.id, False)
    ln = next(s for s in booth.staff() if s.initials == "LN")
    with pytest.raises(ValidationError, match="At least one staff member"):
        booth.set_staff_active(ln.id, False)


def test_pin_change_needs_the_current_pin(booth: Booth) -> None:
    with pytest.raises(ValidationError, match="current staff PIN is not correct") as info:
        booth.change_staff_pin(current="1111", new="1357")
    assert info.value.field == "current_pin"
    assert booth.check_staff_pin("2468") and not booth.check_staff_pin("1357")
    with pytest.raises(ValidationError, match="4 to 12 digits"):
        booth.change_staff_pin(current="2468", new="12")
    booth.change_staff_pin(current="2468", new="1357")
    assert booth.check_staff_pin("1357") and not booth.check_staff_pin("2468")


def test_editable_purposes_offer_missing_standard_ones_disabled(tmp_path: Path, passphrase: str) -> None:
    booth = Booth.create(tmp_path / "b.cbvault", passphrase, demo=True)
    try:
        purposes = [p for p in booth.purposes() if p.code != "case_study"]
        with booth.vault.transaction() as conn:
            conn.execute("DELETE FROM purposes WHERE code = 'case_study'")
        booth.forget_setup()
        editable = booth.editable_purposes()
        assert [p.code for p in editable] == [p.code for p in purposes] + ["case_study"]
        assert not editable[-1].enabled
        booth.update_purposes(editable)
        assert "case_study" in {p.code for p in booth.purposes()}
        assert booth.capture(CaptureRequest(fields={"email": "a@b.example"}, purposes=["product_info"])).lead_id
    finally:
        booth.lock()
