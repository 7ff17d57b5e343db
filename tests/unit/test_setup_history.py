"""Certificates state the setup as it was when the consent was given, whatever was edited since.

Real vaults on disk: the setup is edited through services.configuration, the certificates are
issued through services.certificates and read back from the PDF (its attached RFC 8785 record
and its text layer)."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pypdf
import pytest

from consentbooth.certificates.pdf import RECORD_ATTACHMENT
from consentbooth.domain.assessment import HEADINGS
from consentbooth.domain.models import Purpose
from consentbooth.services.booth import Booth
from consentbooth.services.certificates import issue_certificate
from consentbooth.vault import certstore, repo
from tests.data.make_fixture import FIXTURE_PASSPHRASE
from tests.helpers import zh_request
from tests.unit.certificates.helpers import poppler

DATA = Path(__file__).resolve().parents[1] / "data"
OLD_ORG = "Example Instruments Co., Ltd."
NEW_ORG = "Renamed Instruments Holding Ltd."
OLD_PARTNER = "Example Distributor (Shanghai) Co., Ltd. 示例分销(上海)有限公司"
NEW_PARTNER = "Other Reseller (Suzhou) Co., Ltd."
NEW_TITLE = {"zh-CN": "销售回访(新标题)", "en": "Sales call-back (new title)"}


def _record(pdf: bytes) -> dict:
    return json.loads(pypdf.PdfReader(io.BytesIO(pdf)).attachments[RECORD_ATTACHMENT][0])


def _stored(booth: Booth, cert_id: str) -> bytes:
    row = booth.vault.read_one("SELECT pdf FROM certificates WHERE id = ?", (cert_id,))
    assert row is not None
    return bytes(row[0])


def _purpose(record: dict, code: str) -> dict:
    return next(p for p in record["purposes"] if p["code"] == code)


def _edited(purposes: list[Purpose]) -> list[Purpose]:
    def edit(p: Purpose) -> Purpose:
        if p.code == "sales_contact":
            return replace(p, title=NEW_TITLE)
        if p.code == "partner_sharing":
            return replace(p, recipients=(replace(p.recipients[0], name=NEW_PARTNER),))
        return p

    return [edit(p) for p in purposes]


def _edit_setup(booth: Booth) -> None:
    booth.update_purposes(_edited(booth.purposes()))
    booth.update_organisation(replace(booth.organisation(), name=NEW_ORG))


def _history_rows(booth: Booth) -> int:
    return repo.setup_history_count(booth.vault)


def test_an_old_consent_keeps_the_setup_it_was_given_under(booth: Booth, tmp_path: Path) -> None:
    request = zh_request(purposes=["sales_contact", "partner_sharing"])
    old = booth.capture(request)
    _edit_setup(booth)
    new = booth.capture(request)

    # issued only now, after the edit (the CLI's `certificate`, a re-issue): the old setup
    old_pdf = _stored(booth, issue_certificate(booth, old.ledger_id))
    record = _record(old_pdf)
    assert record["controller"]["name"] == OLD_ORG
    assert _purpose(record, "sales_contact")["title"]["en"] == "Sales contact (phone/SMS/email/WeChat)"
    assert _purpose(record, "partner_sharing")["recipients"][0]["name"] == OLD_PARTNER
    verdict = booth.verify_certificate(old_pdf)
    assert verdict.ok, verdict.verdict
    assert OLD_ORG in verdict.verdict

    new_pdf = _stored(booth, issue_certificate(booth, new.ledger_id))
    record = _record(new_pdf)
    assert record["controller"]["name"] == NEW_ORG
    assert _purpose(record, "sales_contact")["title"] == NEW_TITLE
    assert _purpose(record, "partner_sharing")["recipients"][0]["name"] == NEW_PARTNER
    assert booth.verify_certificate(new_pdf).ok

    # and what a reader of the printed page sees
    (tmp_path / "old.pdf").write_bytes(old_pdf)
    text = poppler("pdftotext", "-enc", "UTF-8", str(tmp_path / "old.pdf"), "-")
    assert OLD_ORG in text and NEW_ORG not in text
    assert "Example Distributor (Shanghai)" in text and "Other Reseller" not in text
    assert "销售联系" in text and "销售回访" not in text


def test_a_withdrawal_after_the_edit_states_the_setup_of_its_own_time(booth: Booth) -> None:
    given = booth.capture(zh_request())
    _edit_setup(booth)
    withdrawal = booth.withdraw(lead_id=given.lead_id, purposes=["sales_contact"], channel="phone")
    booth.issue_certificate(given.ledger_id)
    by_kind = {c.kind: c.pdf for c in certstore.for_lead(booth.vault, given.lead_id)}
    assert set(by_kind) == {"consent"}
    pdf = _stored(booth, issue_certificate(booth, withdrawal))
    record = _record(pdf)
    assert record["action"] == "withdrawal"
    assert record["controller"]["name"] == NEW_ORG
    assert _purpose(record, "sales_contact")["title"] == NEW_TITLE
    assert _record(by_kind["consent"])["controller"]["name"] == OLD_ORG
    assert booth.verify_certificate(pdf).ok
    assert booth.verify_certificate(by_kind["consent"]).ok


def test_an_event_renamed_since_keeps_its_old_name_on_old_certificates(booth: Booth) -> None:
    event = booth.current_event()
    old = booth.capture(zh_request())
    booth.save_event(replace(event, name="Renamed Fair", place="Shenzhen", retention_days=90),
                   make_current=True)
    new = booth.capture(zh_request())
    old_record = _record(_stored(booth, issue_certificate(booth, old.ledger_id)))
    new_record = _record(_stored(booth, issue_certificate(booth, new.ledger_id)))
    assert (old_record["event"]["name"], old_record["event"]["place"]) == (event.name, event.place)
    assert _purpose(old_record, "sales_contact")["retention_days"] == event.retention_days
    assert (new_record["event"]["name"], new_record["event"]["place"]) == ("Renamed Fair", "Shenzhen")
    assert _purpose(new_record, "sales_contact")["retention_days"] == 90


def test_saving_the_setup_unchanged_adds_no_history(booth: Booth) -> None:
    before = _history_rows(booth)
    assert before == 1 + 1 + len(booth.purposes())  # the demo setup: organisation, event, purposes
    booth.update_organisation(booth.organisation())
    booth.update_purposes(booth.purposes())
    booth.save_event(booth.current_event(), make_current=True)
    booth.set_current_event(booth.current_event().id)
    booth.configure(organisation=booth.organisation(), event=booth.current_event(), purposes=booth.purposes())
    assert _history_rows(booth) == before
    booth.update_purposes(_edited(booth.purposes()))  # two purposes change
    assert _history_rows(booth) == before + 2
    booth.update_purposes(booth.purposes())
    assert _history_rows(booth) == before + 2


def test_as_of_compares_instants_whatever_the_offset(booth: Booth) -> None:
    shanghai, pacific = timezone(timedelta(hours=8)), timezone(timedelta(hours=-8))
    before = datetime.now(shanghai)  # as text it sorts AFTER the UTC time of the edit
    _edit_setup(booth)
    after = datetime.now(pacific)  # as text it sorts BEFORE it
    for at in (before, before.isoformat()):
        assert repo.organisation_as_of(booth.vault, at).name == OLD_ORG
        assert next(p for p in repo.purposes_as_of(booth.vault, at) if p.code == "sales_contact").title["en"] \
            == "Sales contact (phone/SMS/email/WeChat)"
    for at in (after, after.isoformat()):
        assert repo.organisation_as_of(booth.vault, at).name == NEW_ORG
        assert next(p for p in repo.purposes_as_of(booth.vault, at) if p.code == "sales_contact").title \
            == NEW_TITLE
    assert [p.code for p in repo.purposes_as_of(booth.vault, before)] == [p.code for p in booth.purposes()]
    assert repo.history_time("2026-05-01T08:00:00+08:00") == "2026-05-01T00:00:00.000000+00:00"


def test_setup_without_history_loses_no_version_and_falls_back_to_the_current_rows(booth: Booth) -> None:
    """Rows a merge brought in have no history: the first edit keeps the old version first."""
    with booth.vault.transaction() as conn:
        conn.execute("DELETE FROM setup_history WHERE kind = 'purpose' AND key = 'sales_contact'")
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    current = next(p for p in booth.purposes() if p.code == "sales_contact")
    assert next(p for p in repo.purposes_as_of(booth.vault, long_ago) if p.code == "sales_contact") == current
    moment = datetime.now(UTC)
    booth.update_purposes(_edited(booth.purposes()))
    as_of = {p.code: p for p in repo.purposes_as_of(booth.vault, moment)}
    assert as_of["sales_contact"] == current
    assert {p.code: p for p in repo.purposes_as_of(booth.vault, datetime.now(UTC))}["sales_contact"].title \
        == NEW_TITLE
    # an event created after a time still reads as it was first saved (never missing)
    event = replace(booth.current_event(), id="e-later", name="Later Fair")
    booth.save_event(event)
    booth.save_event(replace(event, name="Later Fair, renamed"))
    assert repo.event_as_of(booth.vault, "e-later", long_ago).name == "Later Fair"
    assert repo.event_as_of(booth.vault, "e-later", datetime.now(UTC)).name == "Later Fair, renamed"
    assert repo.event_as_of(booth.vault, "no-such-event", long_ago) is None


ASSESSMENT_ANSWERS = {key: "Assessed." for key, _zh, _en in HEADINGS}


def _needing(booth: Booth) -> list[str]:
    return [p.code for p in booth.purposes() if p.can_be_offered() and p.assessment_reasons()]


@pytest.mark.parametrize("version", [1, 2])
def test_released_vaults_upgrade_with_their_setup_as_history(tmp_path: Path, version: int) -> None:
    copy = tmp_path / "old.cbvault"
    shutil.copy(DATA / f"vault-v{version}.cbvault", copy)
    booth = Booth.unlock(copy, FIXTURE_PASSPHRASE)
    try:
        rows = booth.vault.read("SELECT kind, key, valid_from FROM setup_history ORDER BY kind, key")
        assert {r[2] for r in rows} == {""}  # valid since the beginning
        assert [r[1] for r in rows if r[0] == "organisation"] == ["1"]
        assert sorted(r[1] for r in rows if r[0] == "event") == sorted(e.id for e in booth.events())
        assert sorted(r[1] for r in rows if r[0] == "purpose") == sorted(p.code for p in booth.purposes())
        organisation = booth.organisation()
        booth.update_organisation(replace(organisation, name=NEW_ORG))
        # made before impact assessments: its sharing purposes need one before any purpose edit
        booth.record_assessment(purposes=_needing(booth),
                                answers=ASSESSMENT_ANSWERS, risk_level="low", approver="Li Na")
        booth.update_purposes(_edited(booth.purposes()))
        lead_id = booth.search("李娜")[0].id
        out = tmp_path / "certs.zip"
        assert booth.export_certificate(lead_id, out, history=True) == 2
        with zipfile.ZipFile(out) as zf:
            pdfs = [zf.read(name) for name in zf.namelist()]
        for pdf in pdfs:  # the fixture's own (v2) and those issued now state the setup of then
            record = _record(pdf)
            assert record["controller"]["name"] == organisation.name
            assert _purpose(record, "sales_contact")["title"]["en"] == "Sales contact (phone/SMS/email/WeChat)"
            verdict = booth.verify_certificate(pdf)
            assert verdict.ok, verdict.verdict
        later = booth.capture(zh_request())
        assert _record(_stored(booth, issue_certificate(booth, later.ledger_id)))["controller"]["name"] == NEW_ORG
    finally:
        booth.lock()

