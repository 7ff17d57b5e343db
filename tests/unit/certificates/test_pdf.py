"""The certificate PDF, checked with the tools a recipient would use (poppler, a QR reader)."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pypdf
import pytest
import zxingcpp
from PIL import Image

from consentbooth.certificates import issue_certificate_pdf, render_certificate
from consentbooth.certificates.page import layout_page
from consentbooth.certificates.pdf import QR_ATTACHMENT, RECORD_ATTACHMENT
from consentbooth.certificates.qr import make_qr_payload, parse_qr_payload
from consentbooth.certificates.record import record_bytes, record_digest_hex
from consentbooth.crypto.keys import SigningIdentity

from . import sample
from .helpers import poppler


@pytest.fixture(scope="module")
def consent_file(consent_pdf: bytes, pdf_dir: Path) -> Path:
    path = pdf_dir / "consent.pdf"
    path.write_bytes(consent_pdf)
    return path


@pytest.fixture(scope="module")
def page_png(consent_file: Path, pdf_dir: Path) -> Path:
    poppler("pdftoppm", "-v")
    out = pdf_dir / "page150"
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", str(consent_file), str(out)], check=True
    )
    return out.with_suffix(".png")


def test_pdfsig_reports_a_valid_pades_signature(consent_file: Path) -> None:
    out = poppler("pdfsig", str(consent_file))
    assert "Signature is Valid" in out, out
    assert "ETSI.CAdES.detached" in out
    assert "Total document signed" in out


def test_cjk_font_is_embedded_and_nothing_else_is_needed(consent_file: Path) -> None:
    out = poppler("pdffonts", str(consent_file))
    rows = [line.split() for line in out.splitlines()[2:] if line.strip()]
    assert rows, out
    assert all("WenQuanYiMicroHei" in row[0] for row in rows), out
    # columns: name type encoding emb sub uni object ID ("TrueType" is one word here)
    assert all(row[3] == "yes" for row in rows), out


def test_text_layer_gives_back_the_chinese_details(consent_file: Path) -> None:
    text = poppler("pdftotext", "-enc", "UTF-8", str(consent_file), "-")
    for expected in (
        "张伟",
        "上海示例科技有限公司",
        "同意证明",
        "Consent certificate",
        "向合作伙伴提供",
    ):
        assert expected in text
    assert "Example Distributor (Shanghai) Co., Ltd." in text  # a recipient
    assert sample.ORGANISATION.rights_contact.split(" — ")[0] in text  # whom to contact
    assert "dpv:SellProductsToDataSubject" in text  # what partner sharing is for (issue 9)
    assert "SellDataToThirdParties" not in text


def test_one_page_with_record_and_payload_attached(
    consent_pdf: bytes, consent_record: dict, identity: SigningIdentity
) -> None:
    reader = pypdf.PdfReader(io.BytesIO(consent_pdf))
    assert len(reader.pages) == 1
    assert reader.pages[0].mediabox.width == pytest.approx(595.27, abs=0.1)
    attachments = reader.attachments
    assert attachments[RECORD_ATTACHMENT] == [record_bytes(consent_record)]
    payload = parse_qr_payload(attachments[QR_ATTACHMENT][0].decode("utf-8"))
    assert payload.digest_hex == record_digest_hex(consent_record)
    assert payload.verify(identity.public_key_pem)
    assert len(reader.pages[0].images) == 1  # the handwritten signature


def test_printed_qr_code_decodes_to_the_signed_payload(
    page_png: Path, consent_pdf: bytes, consent_record: dict, identity: SigningIdentity
) -> None:
    found = zxingcpp.read_barcodes(Image.open(page_png))
    assert len(found) == 1
    embedded = pypdf.PdfReader(io.BytesIO(consent_pdf)).attachments[QR_ATTACHMENT][0]
    assert found[0].text == embedded.decode("utf-8")
    # A phone camera shows something a person can read first: the certificate id.
    assert found[0].text.splitlines()[0] == (
        f"ConsentBooth certificate / 同意证明 {consent_record['certificate_id']}"
    )
    payload = parse_qr_payload(found[0].text)
    assert payload.certificate_id == consent_record["certificate_id"]
    assert payload.digest_hex == record_digest_hex(consent_record)
    assert payload.verify(identity.public_key_pem)


def test_renders_the_same_without_any_system_font(
    consent_file: Path, page_png: Path, pdf_dir: Path
) -> None:
    """With fontconfig pointed at an empty configuration, the page renders identically."""
    poppler("pdftoppm", "-v")
    conf = pdf_dir / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
        f"<fontconfig><cachedir>{pdf_dir / 'fc-cache'}</cachedir></fontconfig>"
    )
    out = pdf_dir / "nofonts"
    env = {"FONTCONFIG_FILE": str(conf), "PATH": "/usr/bin:/bin"}
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", str(consent_file), str(out)],
        check=True,
        env=env,
        capture_output=True,
    )
    with Image.open(page_png) as a, Image.open(out.with_suffix(".png")) as b:
        assert a.size == b.size
        assert a.tobytes() == b.tobytes()


def test_withdrawal_certificate(
    withdrawal_pdf: bytes, pdf_dir: Path, identity: SigningIdentity
) -> None:
    path = pdf_dir / "withdrawal.pdf"
    path.write_bytes(withdrawal_pdf)
    assert "Signature is Valid" in poppler("pdfsig", str(path))
    text = poppler("pdftotext", "-enc", "UTF-8", str(path), "-")
    assert "撤回同意证明" in text and "Withdrawal certificate" in text
    assert "已撤回" in text and "Withdrawn" in text
    assert "2025-11-02" in text  # the request date
    assert "No handwritten signature" in text
    reader = pypdf.PdfReader(io.BytesIO(withdrawal_pdf))
    assert len(reader.pages) == 1
    assert len(reader.pages[0].images) == 0


def test_long_content_is_scaled_down_to_fit_above_the_footer(identity: SigningIdentity) -> None:
    record = sample.record()
    payload = make_qr_payload(
        certificate_id=record["certificate_id"],
        digest_hex=record_digest_hex(record),
        identity=identity,
    )
    normal = layout_page(record=record, signature_png=None, qr_payload=payload)
    # the QR a blurred photo still reads takes room: a usual certificate shrinks a little at most
    assert normal.scale >= 0.92 and normal.spare >= 0
    record["pii_principal"]["fields"]["notes"] = "很长的备注，a long note. " * 30
    long = layout_page(record=record, signature_png=None, qr_payload=payload)
    assert long.scale < normal.scale
    assert long.spare >= 0  # nothing runs into the footer
    pdf = issue_certificate_pdf(record=record, signature_png=None, identity=identity)
    assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) == 1


def test_refuses_a_signature_image_the_record_does_not_name(
    consent_record: dict, signature_png: bytes
) -> None:
    with pytest.raises(ValueError, match="signature image"):
        render_certificate(
            record=consent_record, signature_png=signature_png + b"x", qr_payload="CB1"
        )
    with pytest.raises(ValueError, match="signature image"):
        render_certificate(record=consent_record, signature_png=None, qr_payload="CB1")


def test_characters_the_font_lacks_are_shown_not_dropped(pdf_dir: Path) -> None:
    record = sample.record()
    record["pii_principal"]["fields"]["name"] = "𠮷田 😀 Zoë"
    path = pdf_dir / "missing-glyphs.pdf"
    path.write_bytes(render_certificate(record=record, signature_png=None, qr_payload="CB1.x"))
    text = poppler("pdftotext", "-enc", "UTF-8", str(path), "-")
    assert "□田 □ Zoë" in text  # a visible mark where a glyph is missing, the rest intact
    attached = pypdf.PdfReader(path).attachments[RECORD_ATTACHMENT][0]
    assert "𠮷田 😀 Zoë" in attached.decode("utf-8")  # the record keeps the real name


def _photographed(image: Image.Image, *, angle: float) -> Image.Image:
    """A 150 dpi print photographed slightly out of focus: blur 1.5 px, tilted, JPEG quality 40."""
    from PIL import ImageFilter

    shot = image.convert("L").filter(ImageFilter.GaussianBlur(1.5))
    shot = shot.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    buffer = io.BytesIO()
    shot.save(buffer, "JPEG", quality=40)
    return Image.open(io.BytesIO(buffer.getvalue()))


@pytest.mark.parametrize("angle", [5.0, -5.0])
def test_qr_survives_a_blurred_photo_of_a_150_dpi_print(
    page_png: Path, consent_pdf: bytes, withdrawal_pdf: bytes, angle: float
) -> None:
    """Issue 9: decoded with zxing-cpp from poppler's and from PDFium's 150 dpi rendering."""
    from consentbooth.certificates.raster import render_page

    pages = [
        (Image.open(page_png), consent_pdf),
        (render_page(consent_pdf, dpi=150), consent_pdf),
        (render_page(withdrawal_pdf, dpi=150), withdrawal_pdf),
    ]
    for image, pdf in pages:
        found = zxingcpp.read_barcodes(_photographed(image, angle=angle))
        assert len(found) == 1, "the QR code was not read from the photographed print"
        embedded = pypdf.PdfReader(io.BytesIO(pdf)).attachments[QR_ATTACHMENT][0]
        assert found[0].text == embedded.decode("utf-8")


def test_the_photo_test_would_catch_the_old_module_size(
    consent_record: dict, signature_png: bytes, identity: SigningIdentity, monkeypatch
) -> None:
    """Control: with the first release's 1.45 pt modules the same photo is not readable."""
    from consentbooth.certificates import page as page_module
    from consentbooth.certificates.raster import render_page

    monkeypatch.setattr(page_module, "QR_MIN_MODULE", 1.45)
    small = issue_certificate_pdf(
        record=consent_record, signature_png=signature_png, identity=identity
    )
    assert zxingcpp.read_barcodes(render_page(small, dpi=150))  # sharp: fine
    assert not zxingcpp.read_barcodes(_photographed(render_page(small, dpi=150), angle=5.0))
