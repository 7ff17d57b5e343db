from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from consentbooth.core.errors import UserFacingError, ValidationError
from consentbooth.domain.models import Guardian
from consentbooth.services.booth import Booth, CaptureRequest
from tests.helpers import ZH_LEAD, zh_request


def test_demo_vault_is_configured(booth: Booth) -> None:
    assert booth.is_configured()
    assert [p.code for p in booth.purposes()] == [
        "sales_contact", "product_info", "event_followup", "newsletter",
        "partner_sharing", "case_study", "cross_border",
    ]
    assert booth.notice().missing_items() == []
    assert booth.check_staff_pin("2468")
    assert not booth.check_staff_pin("1234")


def test_capture_stores_exactly_the_ticked_purposes(booth: Booth) -> None:
    result = booth.capture(zh_request(purposes=["sales_contact", "partner_sharing"]))
    record = booth.record(result.lead_id)
    assert record.granted() == ("partner_sharing", "sales_contact")
    assert {s.code: s.state for s in record.states}["newsletter"] == "not_granted"
    assert record.lead.fields["phone"] == "+8613800138000"
    assert record.lead.operator == "WF"
    assert len(record.history) == 1


def test_declining_everything_stores_nothing_personal(booth: Booth) -> None:
    result = booth.capture(zh_request(purposes=[]))
    assert result.declined and result.lead_id is None
    assert booth.count() == 0
    assert booth.anonymous_counts()["declined"] == 1
    assert booth.vault.read("SELECT count(*) FROM ledger")[0][0] == 0


def test_under_14_without_guardian_is_refused_and_nothing_stored(booth: Booth) -> None:
    with pytest.raises(UserFacingError, match="under 14"):
        booth.capture(zh_request(under_14=True))
    assert booth.count() == 0
    assert booth.anonymous_counts()["minor_refused"] == 1
    ok = booth.capture(zh_request(under_14=True, guardian=Guardian(name="张敏", relationship="母亲")))
    assert booth.record(ok.lead_id).lead.guardian == Guardian(name="张敏", relationship="母亲")


def test_only_fields_needed_by_chosen_purposes_are_mandatory(booth: Booth) -> None:
    booth.capture(CaptureRequest(fields={"name": "李雷", "phone": "13900139000"}, purposes=["sales_contact"]))
    with pytest.raises(ValidationError) as info:
        booth.capture(CaptureRequest(fields={"name": "李雷", "phone": "13900139000"}, purposes=["newsletter"]))
    assert info.value.field == "email"
    assert "电子邮箱" in info.value.localized("zh-CN")


def test_invalid_phone_is_a_clear_message_and_stores_nothing(booth: Booth) -> None:
    with pytest.raises(ValidationError) as info:
        booth.capture(zh_request(fields={**ZH_LEAD, "phone": "12345"}))
    assert info.value.field == "phone"
    assert booth.count() == 0


def test_unknown_or_unoffered_purpose_is_refused(tmp_path: Path, passphrase: str) -> None:
    from consentbooth.domain.catalogue import standard_purposes

    booth = Booth.create(tmp_path / "b.cbvault", passphrase, demo=True)
    # without recipients, a separate consent may not be offered: the setup stops offering them
    booth.configure(purposes=[replace(p, enabled=not p.separate_consent)
                              for p in standard_purposes(with_recipients=False)])
    assert "partner_sharing" not in {p.code for p in booth.offered_purposes()}
    with pytest.raises(ValidationError, match="not a purpose offered"):
        booth.capture(zh_request(purposes=["partner_sharing"]))
    booth.lock()


def test_changed_notice_is_a_new_version(booth: Booth) -> None:
    first = booth.notice()
    sections = {k: dict(v) for k, v in first.sections.items()}
    sections["en"]["contact"] += " Also by post."
    new = booth.configure(notice_sections=sections)
    assert new is not None and new.version == first.version + 1
    assert booth.configure(notice_sections=sections) is None  # unchanged text: no new version
    lead = booth.capture(zh_request(language="en")).lead_id
    assert booth.record(lead).history[0].notice_version == new.version


def test_withdrawal_and_its_rules(booth: Booth) -> None:
    lead = booth.capture(zh_request()).lead_id
    booth.withdraw(lead_id=lead, purposes=["sales_contact"], channel="phone", operator="AM")
    record = booth.record(lead)
    assert record.granted() == ("newsletter",)
    assert record.history[-1].operator == "AM"
    with pytest.raises(ValidationError, match="nothing to withdraw"):
        booth.withdraw(lead_id=lead, purposes=["sales_contact"])
    with pytest.raises(ValidationError, match="Unknown channel"):
        booth.withdraw(lead_id=lead, purposes=["newsletter"], channel="fax")


def test_search_chinese_latin_and_partial_phone(booth: Booth) -> None:
    booth.capture(zh_request())
    booth.capture(CaptureRequest(fields={"name": "Emma Schmidt", "email": "emma@example.de"}, purposes=["newsletter"]))
    booth.capture(CaptureRequest(fields={"name": "欧阳娜娜", "phone": "13912345678"}, purposes=["sales_contact"]))
    assert [r.name for r in booth.search("张伟")] == ["张伟"]
    assert [r.name for r in booth.search("张")] == ["张伟"]
    assert [r.name for r in booth.search("欧阳")] == ["欧阳娜娜"]
    assert [r.name for r in booth.search("0013")] == ["张伟"]
    assert [r.name for r in booth.search("2345")] == ["欧阳娜娜"]
    assert [r.name for r in booth.search("schm")] == ["Emma Schmidt"]
    assert [r.name for r in booth.search("em")] == ["Emma Schmidt"]
    assert [r.name for r in booth.search("上海示例")] == ["张伟"]
    assert booth.search("nobody-here") == []
    assert booth.count("张伟") == 1


def test_correct_and_erase(booth: Booth) -> None:
    lead = booth.capture(zh_request()).lead_id
    booth.correct(lead_id=lead, fields={"title": "总经理"})
    assert booth.record(lead).lead.fields["title"] == "总经理"
    with pytest.raises(ValidationError):
        booth.correct(lead_id=lead, fields={"phone": ""})  # sales_contact still needs it
    booth.erase(lead_id=lead, operator="WF")
    record = booth.record(lead)
    assert record.lead.fields == {} and record.lead.erased_at is not None
    assert record.granted() == ()
    # a correction is a signed event too: later checks tell it from an edit behind the ledger
    assert [e.action.value for e in record.history] == ["consent", "correction", "erasure"]
    assert record.history[0].data_digest  # the pseudonymous proof remains
    assert booth.search("张伟") == []
    assert booth.verify_ledger().ok


def test_retention_purge_erases_expired_leads_and_keeps_evidence(booth: Booth) -> None:
    from datetime import datetime, timedelta

    old = booth.capture(zh_request()).lead_id
    assert booth.purge_expired() == []
    later = datetime.now().astimezone() + timedelta(days=booth.current_event().retention_days + 1)
    assert booth.purge_expired(at=later) == [old]
    record = booth.record(old)
    assert record.lead.fields == {} and record.lead.erased_at is not None
    assert record.history[-1].action.value == "expiry"
    assert {s.state for s in record.states} == {"expired", "not_granted"}
    assert booth.verify_ledger().ok
    assert booth.purge_expired(at=later) == []


def test_retention_is_never_longer_than_the_person_was_told(booth: Booth) -> None:
    from dataclasses import replace
    from datetime import datetime, timedelta


    event = booth.current_event()
    told = event.retention_days
    first = booth.capture(zh_request()).lead_id  # told `told` days
    booth.save_event(replace(event, retention_days=told * 2), make_current=True)
    second = booth.capture(zh_request()).lead_id  # told twice as long
    soon = datetime.now().astimezone() + timedelta(days=told + 1)
    assert booth.purge_expired(at=soon) == [first]  # lengthening later keeps nobody longer
    booth.save_event(replace(event, retention_days=told // 2), make_current=True)
    assert booth.purge_expired(at=datetime.now().astimezone() + timedelta(days=told // 2 + 1)) == [second]
    assert booth.verify_ledger().ok


def test_dashboard_stats_and_minor_refusal(booth: Booth) -> None:
    from datetime import datetime

    booth.capture(zh_request(purposes=["sales_contact"]))
    booth.capture(zh_request(purposes=["sales_contact", "newsletter"]))
    booth.capture(zh_request(purposes=[]))
    booth.record_minor_refusal()
    stats = booth.dashboard_stats()
    assert stats.per_hour[datetime.now().hour] == 2 and stats.today == 2
    assert stats.shown["sales_contact"] == 2 and stats.granted["sales_contact"] == 2
    assert stats.shown["newsletter"] == 2 and stats.granted["newsletter"] == 1
    assert "partner_sharing" not in stats.granted
    assert (stats.declined, stats.minor_refused, stats.total) == (1, 1, 2)
