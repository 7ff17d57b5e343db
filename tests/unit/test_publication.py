"""Publication consent (issue #16, the article's case-study section) on a real vault: the consent
names the material on its certificate; withdrawing it records where the material comes down."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from consentbooth.core.errors import ValidationError
from consentbooth.services.booth import Booth
from consentbooth.services.certificates import issue_certificate
from consentbooth.vault import ledger
from tests.helpers import zh_request
from tests.unit.certificates.helpers import poppler

PHOTO = hashlib.sha256(b"booth photo 2026-05-01.jpg").hexdigest()
MATERIAL = {"title": "Case study: Photonics line at Acme 案例", "description": "Interview and two booth photos",
            "file_sha256": PHOTO}
PLACES = ["https://example.com/cases/acme", "Brochure 2026 p. 4 / 2026 宣传册第4页"]


def _text(booth: Booth, tmp_path: Path, cert_id: str) -> str:
    pdf = tmp_path / f"{cert_id}.pdf"
    pdf.write_bytes(bytes(booth.vault.read_one("SELECT pdf FROM certificates WHERE id = ?", (cert_id,))[0]))
    return " ".join(poppler("pdftotext", "-layout", str(pdf), "-").split())


def test_certificate_names_the_material_and_withdrawal_records_the_takedown(booth: Booth, tmp_path: Path) -> None:
    result = booth.capture(zh_request(purposes=["sales_contact", "case_study"], publication=MATERIAL))
    [entry] = ledger.entries(booth.vault, lead_id=result.lead_id)
    assert entry.event.extra["publication"] == MATERIAL
    text = _text(booth, tmp_path, issue_certificate(booth, result.ledger_id))
    assert "公开的材料 Material: Case study: Photonics line at Acme 案例 — Interview and two booth photos" in text
    assert PHOTO[:40] in text.replace(" ", "")

    withdrawal = booth.withdraw(lead_id=result.lead_id, purposes=["case_study"], channel="email", takedown=PLACES)
    body = json.loads(ledger.get(booth.vault, withdrawal).body)
    assert body["event"]["extra"] == {"takedown": PLACES}
    assert body["event"]["decisions"] == {"case_study": "withdrawn"}
    assert booth.verify_ledger().ok
    text = _text(booth, tmp_path, issue_certificate(booth, withdrawal))
    assert "须撤下的位置 Take down from: https://example.com/cases/acme; Brochure 2026 p. 4" in text


@pytest.mark.parametrize(
    ("material", "message"),
    [
        ({"title": "Case"}, "Describe the material"),
        ({"description": "photos"}, "Give the material to publish a title"),
        ({"title": "Case", "file_sha256": "abc"}, "SHA-256"),
        ({"title": "Case", "description": "x", "url": "y"}, "not “url”"),
    ],
)
def test_bad_material_is_refused_and_nothing_stored(booth: Booth, material: dict, message: str) -> None:
    before = booth.count()
    with pytest.raises(ValidationError, match=message):
        booth.capture(zh_request(purposes=["case_study"], publication=material))
    assert booth.count() == before


def test_material_and_takedown_only_go_with_publication(booth: Booth) -> None:
    with pytest.raises(ValidationError, match="only with a consent to publication"):
        booth.capture(zh_request(purposes=["sales_contact"], publication=MATERIAL))
    result = booth.capture(zh_request(purposes=["sales_contact", "case_study"], publication=MATERIAL))
    with pytest.raises(ValidationError, match="go with withdrawing a consent to publication"):
        booth.withdraw(lead_id=result.lead_id, purposes=["sales_contact"], takedown=PLACES)
    assert set(booth.record(result.lead_id).granted()) == {"sales_contact", "case_study"}
