"""The certificate as a PDF document: the page (``page.py``) drawn on a reportlab canvas, with
the canonical record (RFC 8785 bytes) and the QR payload embedded as attached files, so a
verifier reads them without rendering the page.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping, Sequence
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfdoc import (
    PDFArray,
    PDFDictionary,
    PDFName,
    PDFStream,
    PDFString,
    PDFZCompress,
)
from reportlab.pdfgen.canvas import Canvas

from consentbooth.certificates.page import layout_page
from consentbooth.certificates.record import record_bytes
from consentbooth.certificates.typesetting import FONT_NAME
from consentbooth.certificates.wording import TITLES, Wording

RECORD_ATTACHMENT = "consent-record.json"
QR_ATTACHMENT = "verification-qr.txt"

def attach_files(canvas: Canvas, files: Sequence[tuple[str, bytes, str, str]]) -> None:
    """Embed ``(name, data, mime type, description)`` files in the document's name tree.

    reportlab has no attachment API; these are its own PDF object classes, referenced from
    the catalogue's /Names entry (which reportlab declares but never sets itself).
    """
    names: list[object] = []
    for name, data, mime, description in sorted(files):
        params = PDFDictionary(
            {"Size": len(data), "CheckSum": PDFString(hashlib.md5(data).digest(), enc="raw")}
        )
        stream = PDFStream(
            PDFDictionary(
                {
                    "Type": PDFName("EmbeddedFile"),
                    "Subtype": "/" + mime.replace("/", "#2F"),
                    "Params": params,
                }
            ),
            content=data,
            filters=[PDFZCompress],
        )
        spec = PDFDictionary(
            {
                "Type": PDFName("Filespec"),
                "F": PDFString(name),
                "UF": PDFString(name),
                "Desc": PDFString(description),
                "EF": PDFDictionary({"F": stream, "UF": stream}),
                "AFRelationship": PDFName("Data"),
            }
        )
        names += [PDFString(name), canvas._doc.Reference(spec)]
    canvas._doc.Catalog.Names = PDFDictionary(
        {"EmbeddedFiles": PDFDictionary({"Names": PDFArray(names)})}
    )


def render_certificate(
    *, record: Mapping[str, Any], signature_png: bytes | None, qr_payload: str
) -> bytes:
    """The one-page certificate PDF (unsigned), with the record and the QR payload attached."""
    captured = record["handwritten_signature"]
    if (signature_png is not None) != bool(captured["captured"]) or (
        signature_png is not None
        and hashlib.sha256(signature_png).hexdigest() != captured["sha256"]
    ):
        raise ValueError("the signature image does not match the record's handwritten signature")
    lay = layout_page(record=record, signature_png=signature_png, qr_payload=qr_payload)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=FONT_NAME)
    zh, en = Wording(str(record["notice"]["language"])).pair(TITLES.get(str(record["action"]), TITLES["consent"]))
    controller = record["controller"]
    canvas.setTitle(f"{zh} {en} {record['certificate_id']}".replace("  ", " "))
    canvas.setAuthor(str(controller.get("name_zh") or controller["name"]))
    canvas.setSubject(f"{en} under PIPL ({record['schema']})")
    canvas.setCreator("ConsentBooth")
    for op in lay.ops:
        op(canvas)
    canvas.showPage()
    attach_files(
        canvas,
        [
            (
                RECORD_ATTACHMENT,
                record_bytes(record),
                "application/json",
                "Canonical consent record (RFC 8785 JSON)",
            ),
            (
                QR_ATTACHMENT,
                qr_payload.encode("utf-8"),
                "text/plain",
                "Signed verification payload shown as the QR code",
            ),
        ],
    )
    canvas.save()
    return buffer.getvalue()
