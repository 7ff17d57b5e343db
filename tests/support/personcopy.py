"""Checks of a person's copy (issue #16 item 2) by independent readers, shared by the vault and the
PostgreSQL-hub tests: pdftotext for the text, pdfsig and pyHanko for the signature, jsonschema
for the JSON against docs/person-copy.schema.json."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from consentbooth.services import exports, rights
from consentbooth.services.context import BoothContext
from consentbooth.services.personcopy import CopyFiles

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "person-copy.schema.json").read_text(encoding="utf-8"))


def share_then_withdraw(ctx: BoothContext, lead_id: str, folder: Path) -> None:
    """An export of ``sales_contact`` holding the person, a withdrawal of ``newsletter``, then an
    export of ``newsletter`` that no longer holds them."""
    exports.export_leads(ctx, purposes=["sales_contact"], target=folder / "crm.csv", recipient="CRM team")
    rights.withdraw(ctx, lead_id=lead_id, purposes=["newsletter"], channel="email")
    exports.export_leads(ctx, purposes=["newsletter"], target=folder / "mail.csv", recipient="Mailing house",
                         now=datetime.now(UTC) + timedelta(seconds=1))


def pdf_text(path: Path) -> str:
    assert shutil.which("pdftotext"), "pdftotext (poppler-utils) is needed: apt-get install poppler-utils"
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True, timeout=60).stdout


def check_copy(files: CopyFiles, *, name: str, root_pem: bytes, nss_dir: Path) -> dict:
    """The JSON valid against the schema; the PDF's text in both languages; its signature valid
    and trusted (pdfsig with the root in an NSS store, and pyHanko with the root as its trust)."""
    data = json.loads(files.json.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(data)
    text = pdf_text(files.pdf)
    for expected in (name, "我们持有的您的个人信息副本", "A copy of the personal information we hold about you",
                     "如何撤回同意与投诉", "How to withdraw and complain", "CRM team", "撤回 / withdrawal",
                     "notice v1"):
        assert expected in " ".join(text.split()) or expected in text, expected
    assert "Mailing house" not in text  # exported after the person withdrew that purpose

    subprocess.run(["certutil", "-N", "-d", f"sql:{nss_dir}", "--empty-password"], check=True, capture_output=True)
    (nss_dir / "root.pem").write_bytes(root_pem)
    subprocess.run(["certutil", "-A", "-d", f"sql:{nss_dir}", "-n", "org", "-t", "CT,C,C", "-i",
                    str(nss_dir / "root.pem")], check=True, capture_output=True)
    sig = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss_dir}", str(files.pdf)], capture_output=True, text=True,
                         timeout=60).stdout
    assert "Signature is Valid" in sig and "Certificate is Trusted" in sig, sig
    assert "Total document signed" in sig, sig

    from asn1crypto import pem, x509

    _type, _headers, der = pem.unarmor(root_pem)
    with files.pdf.open("rb") as f:
        (embedded,) = PdfFileReader(f).embedded_signatures
        status = validate_pdf_signature(
            embedded, ValidationContext(trust_roots=[x509.Certificate.load(der)]))
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    return data


def check_content(data: dict, *, lead_id: str) -> None:
    assert data["person"]["lead_id"] == lead_id
    states = {c["purpose"]: c["state"] for c in data["consents"]}
    assert states["sales_contact"] == "granted" and states["newsletter"] == "withdrawn"
    actions = [h["action"] for h in data["history"]]
    assert actions[:2] == ["consent", "withdrawal"]
    assert data["history"][0]["notice_version"] >= 1  # the notice the consent was given under
    assert [(r["recipient"], r["purposes"]) for r in data["recipients"]] == [("CRM team", ["sales_contact"])]
    assert data["retention"]["delete_by"] and data["retention"]["event_retention_days"]
    assert data["your_rights"]["withdraw"]["zh-CN"] and data["your_rights"]["complain"]["en"]
