"""Certificates in the attendee's language (issue #17): a capture in zh-Hant, ja or ko through the
service records that language and the hash of the notice text in it; its certificate reads in
that language with English beside it, embeds the bundled font as a subset, gives the name back
to pdftotext and still verifies. Checked with poppler and pyHanko, not with our own reader."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pypdf
import pytest

from consentbooth.core.errors import ValidationError
from consentbooth.services.booth import Booth, CaptureRequest
from consentbooth.services.certificates import verify_certificate
from tests.unit.certificates.helpers import poppler

# language -> (the attendee's name, what the certificate must say in that language)
CASES = {
    "zh-Hant": ("陳志明", ("同意證明", "您的資料", "銷售聯絡", "您可隨時撤回任何一項同意")),
    "ja": ("山田花子", ("同意証明書", "お客様の情報", "営業のご連絡", "いつでもどの同意も撤回できます")),
    "ko": ("김민준", ("동의 증명서", "귀하의 정보", "영업 연락", "언제든지 어떤 동의든 철회할 수 있습니다")),
}
ENGLISH = ("Consent certificate", "Your details", "Sales contact", "How to withdraw")


def _capture(booth: Booth, language: str, name: str):
    fields = {"name": name, "phone": "+81 90 1234 5678", "email": "visitor@example.jp"}
    return booth.capture(CaptureRequest(fields=fields, purposes=["sales_contact", "newsletter"],
                                        language=language, operator="WF"))


@pytest.mark.parametrize("language", list(CASES))
def test_a_certificate_in_the_attendee_language(booth: Booth, tmp_path: Path, language: str) -> None:
    name, said = CASES[language]
    result = _capture(booth, language, name)
    notice = booth.ctx.notice()
    assert notice is not None
    # the consent records the language read and the hash of the text in THAT language
    entry = next(e for e in booth.hub.ledger_entries(lead_id=result.lead_id) if e.id == result.ledger_id)
    assert entry.event.language == language
    assert entry.event.notice_sha256 == notice.sha256(language) != notice.sha256("zh-CN")
    assert notice.is_complete(language)
    out = tmp_path / f"certificate-{language}.pdf"
    booth.issue_certificate(result.ledger_id)
    booth.export_certificate(result.lead_id, out)

    fonts = poppler("pdffonts", str(out))
    rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all("WenQuanYiMicroHei" in row[0] for row in rows), fonts
    assert all(row[0].split("+")[0].isupper() and len(row[0].split("+")[0]) == 6 for row in rows), fonts  # subset
    assert all(row[-5] == "yes" and row[-4] == "yes" for row in rows), fonts  # emb, sub

    text = poppler("pdftotext", "-enc", "UTF-8", str(out), "-")
    assert name in text
    for expected in (*said, *ENGLISH):
        assert expected in text.replace("\n", ""), (language, expected)
    assert "□" not in text  # every character had a glyph

    record = json.loads(pypdf.PdfReader(io.BytesIO(out.read_bytes())).attachments["consent-record.json"][0])
    assert record["notice"]["language"] == language
    assert record["notice"]["sha256"] == notice.sha256(language)
    assert set(record["rights"]["how_to_withdraw"]) == {"zh-CN", "en", language}

    # pyHanko and the whole verification: VALID against the organisation's root
    verdict = verify_certificate(None, out.read_bytes(), trust_roots=[booth.root_info().cert_pem])
    assert verdict.outcome == "valid", verdict.verdict
    assert booth.verify_certificate(out.read_bytes()).ok


def test_a_zh_cn_certificate_reads_as_before(booth: Booth, tmp_path: Path) -> None:
    result = _capture(booth, "zh-CN", "张伟")
    out = tmp_path / "zh.pdf"
    booth.export_certificate(result.lead_id, out)
    text = poppler("pdftotext", "-enc", "UTF-8", str(out), "-").replace("\n", "")
    for expected in ("同意证明", "Consent certificate", "您的信息", "收集方式", "告知书",
                     "如何撤回同意 · How to withdraw", "联系人 Contact", "未采集手写签名 · No handwritten signature",
                     "天 days", "证明编号 Certificate No."):
        assert expected in text, expected
    for other in ("同意證明", "同意証明書", "동의"):
        assert other not in text


def test_an_english_certificate_keeps_chinese_beside_english(booth: Booth, tmp_path: Path) -> None:
    result = _capture(booth, "en", "Alex Miller")
    out = tmp_path / "en.pdf"
    booth.export_certificate(result.lead_id, out)
    text = poppler("pdftotext", "-enc", "UTF-8", str(out), "-").replace("\n", "")
    assert "Alex Miller" in text and "同意证明" in text and "Consent certificate" in text


def test_a_language_the_notice_lacks_is_refused_and_nothing_stored(booth: Booth) -> None:
    sections = {lang: dict(body) for lang, body in booth.ctx.notice().sections.items()}
    sections["ko"]["rights"] = ""  # the organisation publishes without a complete Korean notice
    del sections["ja"]
    notice = booth.publish_notice(sections)
    assert notice.languages() == ("zh-CN", "en", "zh-Hant")
    before = len(booth.search("", limit=1000))
    for language in ("ja", "ko", "fr"):
        with pytest.raises(ValidationError) as refused:
            _capture(booth, language, "김민준")
        assert refused.value.field == "language"
        assert "zh-CN, en, zh-Hant" in str(refused.value)
    assert len(booth.search("", limit=1000)) == before
    assert _capture(booth, "zh-Hant", "陳志明").lead_id


def test_the_new_languages_travel_in_a_bundle_to_the_hub(tmp_path: Path, passphrase: str) -> None:
    """A laptop's zh-Hant/ja/ko consents reach the hub with their language and notice hash (the
    bundle's rows and the hub's ledger check accept the new codes)."""
    from consentbooth.crypto.enrolment import read_enrolment
    from consentbooth.exports.bundle import generate_ops_identity

    secret, public = generate_ops_identity()
    hub = Booth.create(tmp_path / "hub.cbvault", passphrase, role="hub")
    made = hub.enrol_device()
    laptop = Booth.create(tmp_path / "laptop.cbvault", passphrase, demo=True,
                          enrolment=read_enrolment(made.data, made.code))
    leads = {language: _capture(laptop, language, name).lead_id for language, (name, _said) in CASES.items()}
    hashes = {language: laptop.ctx.notice().sha256(language) for language in CASES}
    laptop.create_bundle(recipient=public, target=tmp_path / "laptop.age")
    laptop.lock()
    (result,) = hub.merge_files(paths=[tmp_path / "laptop.age"], identity_text=secret)
    assert result.ok, result
    for language, lead_id in leads.items():
        record = hub.record(lead_id)
        assert record.lead.language == language
        assert record.lead.fields["name"] == CASES[language][0]
        consent = next(e for e in hub.hub.ledger_entries(lead_id=lead_id) if e.action == "consent")
        assert (consent.event.language, consent.event.notice_sha256) == (language, hashes[language])
    assert hub.verify_ledger().ok
    hub.lock()
