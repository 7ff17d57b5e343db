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


def test_payload_is_compact_ascii(payload: tuple[str, str]) -> None:
    _cid, text = payload
    assert text.isascii() and text.startswith("CB1.")
    assert len(text) <= 175
    assert len(qr_matrix(text)) <= 57  # QR version 10 or lower at level M


@pytest.mark.parametrize(
    "text",
    ["", "hello", "CB1.a.b", "CB2.AAAA.BBBB.CCCC", "CB1.!!!!.AAAA.AAAA", "CB1.AAAA.AAAA.AAAA"],
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
