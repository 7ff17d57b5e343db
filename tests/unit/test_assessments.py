"""Impact assessments (PIPL Arts. 55-56) and the gate they open, on a real vault."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from consentbooth.core.errors import ValidationError
from consentbooth.domain.assessment import HEADINGS
from consentbooth.services.booth import Booth
from consentbooth.vault import codec

ANSWERS = {key: f"Answer about {en}" for key, _zh, en in HEADINGS}


def _fresh(tmp_path: Path, passphrase: str) -> Booth:
    """A configured vault whose sharing purposes are all switched off, with no assessment."""
    from consentbooth.services.setup import demo_setup

    setup = demo_setup()
    setup["purposes"] = [
        replace(p, enabled=not p.assessment_reasons()) for p in setup["purposes"]
    ]
    setup["assessments"] = ()
    booth = Booth.create(tmp_path / "fresh.cbvault", passphrase, organisation_name="Example")
    booth.configure(**setup)
    return booth


def _enable(booth: Booth, code: str):
    return [replace(p, enabled=True) if p.code == code else p for p in booth.editable_purposes()]


def test_enabling_a_sharing_purpose_without_an_assessment_is_refused_and_nothing_saved(
    tmp_path: Path, passphrase: str
) -> None:
    booth = _fresh(tmp_path, passphrase)
    try:
        before = [(p.code, p.enabled) for p in booth.purposes()]
        for code in ("partner_sharing", "cross_border", "case_study"):
            with pytest.raises(ValidationError, match="impact assessment") as caught:
                booth.update_purposes(_enable(booth, code))
            assert caught.value.field == "purposes"
            booth.forget_setup()
            assert [(p.code, p.enabled) for p in booth.purposes()] == before
        assert booth.list_assessments() == []
    finally:
        booth.lock()


def test_a_purpose_with_a_recipient_abroad_needs_an_assessment_even_if_not_declared(
    tmp_path: Path, passphrase: str
) -> None:
    booth = _fresh(tmp_path, passphrase)
    try:
        purposes = booth.editable_purposes()
        sales = next(p for p in purposes if p.code == "sales_contact")
        abroad = next(p for p in purposes if p.code == "cross_border")
        edited = replace(sales, recipients=abroad.recipients, separate_consent=True)
        assert edited.assessment_reasons() == ("cross_border",)
        with pytest.raises(ValidationError, match="impact assessment"):
            booth.update_purposes([edited if p.code == "sales_contact" else p for p in purposes])
    finally:
        booth.lock()


def test_recorded_assessment_opens_the_gate_and_is_signed_and_kept_three_years(
    tmp_path: Path, passphrase: str
) -> None:
    booth = _fresh(tmp_path, passphrase)
    try:
        assessment = booth.record_assessment(
            purposes=["partner_sharing"], answers=ANSWERS, risk_level="medium",
            approver="Li Na 李娜", approved_on=date(2026, 2, 28), operator="WF",
        )
        assert assessment.keep_until == date(2029, 2, 28)
        booth.update_purposes(_enable(booth, "partner_sharing"))
        booth.forget_setup()
        assert "partner_sharing" in [p.code for p in booth.offered_purposes()]
        # still refused for a purpose the assessment does not cover
        with pytest.raises(ValidationError, match="impact assessment"):
            booth.update_purposes(_enable(booth, "cross_border"))
        stored = booth.list_assessments()
        assert [a.id for a in stored] == [assessment.id]
        assert stored[0].answers == ANSWERS and stored[0].approver == "Li Na 李娜"
        assert booth.assessment_ids() == {"partner_sharing": assessment.id}
        assert booth.verify_assessments() is None
        # append-only (a body edited behind the triggers: the test below)
        with pytest.raises(Exception, match="append-only"), booth.vault.transaction() as conn:
            conn.execute("DELETE FROM impact_assessments")
        row = booth.vault.read_one("SELECT keep_until FROM impact_assessments")
        assert row == ("2029-02-28",)
    finally:
        booth.lock()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"answers": {**ANSWERS, "measures": "  "}}, "Answer “Protective measures"),
        ({"answers": {**ANSWERS, "vibes": "x"}}, "is not a heading"),
        ({"purposes": ["no_such"]}, "no purpose “no_such”"),
        ({"purposes": []}, "Name the purposes"),
        ({"risk_level": "tiny"}, "low, medium or high"),
        ({"approver": ""}, "Name who approved"),
        ({"approved_on": date.today() + timedelta(days=1)}, "cannot be in the future"),
    ],
)
def test_bad_assessment_is_refused_with_one_sentence_and_nothing_stored(
    booth: Booth, change: dict, message: str
) -> None:
    given = dict(purposes=["partner_sharing"], answers=ANSWERS, risk_level="low", approver="Li Na")
    before = len(booth.list_assessments())
    with pytest.raises(ValidationError, match=message):
        booth.record_assessment(**{**given, **change})
    assert len(booth.list_assessments()) == before


def test_demo_records_its_assessment_and_old_stored_purposes_keep_their_processing(booth: Booth) -> None:
    covered = booth.assessment_ids()
    assert set(covered) == {"partner_sharing", "case_study", "cross_border"}
    # a purpose stored before purposes declared what they do reads back the standard one
    sharing = next(p for p in booth.purposes() if p.code == "partner_sharing")
    old = json.loads(codec.purpose_to_json(sharing))
    del old["processing"]
    assert codec.purpose_from_json(json.dumps(old)).processing == ("third_party",)
    old["code"] = "own_sharing"
    assert codec.purpose_from_json(json.dumps(old)).processing == ()


def test_certificate_of_a_covered_consent_names_its_assessment(booth: Booth, tmp_path: Path) -> None:
    import io

    import pypdf

    from consentbooth.certificates.pdf import RECORD_ATTACHMENT
    from consentbooth.services.certificates import issue_certificate
    from tests.helpers import zh_request
    from tests.unit.certificates.helpers import poppler

    covering = booth.assessment_ids()["partner_sharing"]
    result = booth.capture(zh_request(purposes=["sales_contact", "partner_sharing"]))
    cert_id = issue_certificate(booth, result.ledger_id)
    pdf = bytes(booth.vault.read_one("SELECT pdf FROM certificates WHERE id = ?", (cert_id,))[0])
    record = json.loads(pypdf.PdfReader(io.BytesIO(pdf)).attachments[RECORD_ATTACHMENT][0])
    entries = {p["code"]: p for p in record["purposes"]}
    assert entries["partner_sharing"]["impact_assessment"] == covering
    assert "impact_assessment" not in entries["sales_contact"]  # needs none
    path = tmp_path / "cert.pdf"
    path.write_bytes(pdf)
    text = " ".join(poppler("pdftotext", "-layout", str(path), "-").split())
    assert f"Impact assessment: {covering}" in text and "个人信息保护影响评估" in text
    assert booth.verify_certificate(pdf).ok


def test_a_released_vault_upgrades_with_the_new_tables_append_only(tmp_path: Path) -> None:
    import shutil

    from tests.data.make_fixture import FIXTURE_PASSPHRASE

    copy = tmp_path / "old.cbvault"
    shutil.copy(Path(__file__).resolve().parents[1] / "data" / "vault-v5.cbvault", copy)
    booth = Booth.unlock(copy, FIXTURE_PASSPHRASE)
    try:
        from consentbooth.vault.migrations import CURRENT_VERSION

        assert booth.vault.schema_version() == CURRENT_VERSION
        tables = {r[0] for r in booth.vault.read("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"impact_assessments", "third_party_imports", "third_party_notices"} <= tables
        assert booth.list_assessments() == [] and booth.third_party_imports() == []
        needing = [p.code for p in booth.purposes() if p.can_be_offered() and p.assessment_reasons()]
        recorded = booth.record_assessment(purposes=needing or ["partner_sharing"], answers=ANSWERS,
                                           risk_level="low", approver="Li Na")
        with pytest.raises(Exception, match="append-only"), booth.vault.transaction() as conn:
            conn.execute("UPDATE impact_assessments SET keep_until = '2000-01-01' WHERE id = ?", (recorded.id,))
        assert booth.verify_assessments() is None
    finally:
        booth.lock()


def test_an_edited_assessment_fails_its_check_even_with_a_recomputed_hash(tmp_path: Path, passphrase: str) -> None:
    """As a forger with the passphrase would: drop the append-only triggers, rewrite the answers
    and recompute the hash; only the signature still tells."""
    import hashlib

    booth = _fresh(tmp_path, passphrase)
    try:
        booth.record_assessment(purposes=["partner_sharing"], answers=ANSWERS, risk_level="low",
                                approver="Li Na 李娜", approved_on=date(2026, 2, 28), operator="WF")
        assert booth.verify_assessments() is None
        with booth.vault.transaction() as conn:
            conn.execute("DROP TRIGGER impact_assessments_no_update")
            body = bytes(conn.execute("SELECT body FROM impact_assessments").fetchone()[0])
            forged = body.replace(b"low", b"medium").replace("李娜".encode(), "王伟".encode())
            assert forged != body
            conn.execute("UPDATE impact_assessments SET body = ?, hash = ?",
                         (forged, hashlib.sha256(forged).hexdigest()))
        problem = booth.verify_assessments()
        assert problem is not None and "signature is not valid" in problem
    finally:
        booth.lock()
