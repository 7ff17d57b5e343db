"""The signed QR payload: round trip, signature, size, and a vector QR a decoder can read."""

from __future__ import annotations

import io
import subprocess
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from consentbooth.certificates.qr import draw_qr, make_qr_payload, parse_qr_payload, qr_matrix
from consentbooth.crypto.keys import SigningIdentity

from .helpers import poppler

DIGEST = "9f" * 32


@pytest.fixture(scope="module")
def payload(identity: SigningIdentity) -> tuple[str, str]:
    cid = str(uuid.uuid4())
    return cid, make_qr_payload(certificate_id=cid, digest_hex=DIGEST, identity=identity)


def test_round_trip_and_signature(
    payload: tuple[str, str], identity: SigningIdentity, other_identity: SigningIdentity
) -> None:
    cid, text = payload
    parsed = parse_qr_payload(text)
    assert parsed.certificate_id == cid
    assert parsed.digest_hex == DIGEST
    assert parsed.verify(identity.public_key_pem)
    assert not parsed.verify(other_identity.public_key_pem)
    assert not replace(parsed, digest_hex="00" * 32).verify(identity.public_key_pem)
    assert not replace(parsed, certificate_id=str(uuid.uuid4())).verify(identity.public_key_pem)


def test_payload_shows_the_certificate_id_first_and_stays_compact(
    payload: tuple[str, str],
) -> None:
    cid, text = payload
    headline, signed = text.split("\n")
    assert headline == f"ConsentBooth certificate / 同意证明 {cid}"  # what a phone shows a person
    assert signed.isascii() and signed.startswith("CB2.")
    assert len(text.encode("utf-8")) <= 215
    assert len(qr_matrix(text)) <= 57  # QR version 10 or lower at level M


def test_first_format_payloads_still_parse_and_verify(
    identity: SigningIdentity, other_identity: SigningIdentity
) -> None:
    """Certificates issued before carry "CB1.<id>.<digest>.<DER signature>"."""
    cid = str(uuid.uuid4())
    old = make_qr_payload(certificate_id=cid, digest_hex=DIGEST, identity=identity, legacy=True)
    assert old.startswith("CB1.") and "\n" not in old
    parsed = parse_qr_payload(old)
    assert (parsed.certificate_id, parsed.digest_hex) == (cid, DIGEST)
    assert parsed.verify(identity.public_key_pem)
    assert not parsed.verify(other_identity.public_key_pem)
    new = parse_qr_payload(make_qr_payload(certificate_id=cid, digest_hex=DIGEST, identity=identity))
    assert not new.same_as(parsed)  # another encoding of the signature


def test_the_readable_id_is_covered_by_the_signature(
    payload: tuple[str, str], identity: SigningIdentity
) -> None:
    cid, text = payload
    other = str(uuid.uuid4())
    edited = parse_qr_payload(text.replace(cid, other))
    assert edited.certificate_id == other
    assert not edited.verify(identity.public_key_pem)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello",
        "CB1.a.b",
        "CB2.AAAA.BBBB.CCCC",
        "CB1.!!!!.AAAA.AAAA",
        "CB1.AAAA.AAAA.AAAA",
        "ConsentBooth certificate / 同意证明\nCB2.AAAA.BBBB",
        "Someone else 0b0d8a3e-2c1d-4b7e-9a55-0d6a3c2b1e01\nCB2.AAAA.BBBB",
        "ConsentBooth certificate 0b0d8a3e-2c1d-4b7e-9a55-0d6a3c2b1e01\nCB2.AAAA.!!!!",
    ],
)
def test_parse_rejects_garbage(text: str) -> None:
    with pytest.raises(ValueError):
        parse_qr_payload(text)


def test_vector_qr_decodes_after_rasterising(payload: tuple[str, str], tmp_path: Path) -> None:
    _cid, text = payload
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(200, 200))
    draw_qr(canvas, qr_matrix(text), x=50, y=50, size=100)
    canvas.save()
    pdf = tmp_path / "qr.pdf"
    pdf.write_bytes(buffer.getvalue())
    poppler("pdftoppm", "-v")
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf), str(tmp_path / "qr")],
        check=True,
    )
    found = zxingcpp.read_barcodes(Image.open(tmp_path / "qr.png"))
    assert [b.text for b in found] == [text]
