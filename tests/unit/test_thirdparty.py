"""Leads from third parties (issue #16, the article's §3.2) on a real vault: a partner's list comes
in only with its proof, grants only what the proof covers, and its people are owed a notice."""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from consentbooth.core.errors import UserFacingError, ValidationError
from consentbooth.domain.notice import ART17_ITEMS
from consentbooth.services.booth import Booth
from consentbooth.vault import ledger
from tests.unit.certificates.helpers import poppler

PROOF = b"%PDF-1.4 partner contract: visitors agreed to receive product information\n"
LIST = (
    "Name,E-mail,Firma,Mobil\n"
    "Zhou Min 周敏,zhou.min@partner.example,Partner Co,13800000011\n"
    ",,,\n"
    "Karl Weber,karl@weber.example,Weber AG,+49 30 1234567\n"
).encode()
MAP = {"name": "Name", "email": "E-mail", "company": "Firma", "phone": "Mobil"}


def _import(booth: Booth, **changes):
    given = dict(data=LIST, file_name="partner.csv", proof=PROOF, proof_name="contract.pdf",
                 purposes=["product_info"], mapping=MAP, source="Partner X", operator="WF")
    return booth.import_third_party_list(**{**given, **changes})


def _stored(booth: Booth) -> tuple[int, int, int]:
    return (booth.count(), len(ledger.entries(booth.vault)), len(booth.third_party_imports()))


def _export(booth: Booth, tmp_path: Path, purpose: str) -> list[dict]:
    target = tmp_path / f"{purpose}.csv"
    booth.export_leads(purposes=[purpose], target=target, operator="WF")
    with target.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_import_without_proof_is_refused_and_nothing_stored(booth: Booth) -> None:
    before = _stored(booth)
    for proof in (None, b""):
        with pytest.raises(UserFacingError, match="only with the proof of authorisation"):
            _import(booth, proof=proof)
    assert _stored(booth) == before


def test_imported_people_count_only_for_the_purposes_the_proof_covers(booth: Booth, tmp_path: Path) -> None:
    own = _export(booth, tmp_path, "newsletter")  # people captured at the booth
    result = _import(booth)
    assert result.people == 2 and result.purposes == ("product_info",)
    assert result.proof_sha256 == hashlib.sha256(PROOF).hexdigest()
    [imported] = booth.third_party_imports()
    assert imported.source == "Partner X" and imported.proof_name == "contract.pdf" and imported.people == 2
    people = booth.third_party_people(result.import_id)
    assert len(people) == 2

    # the ledger marks each with the source and the proof's hash; only product_info granted
    for lead_id in people:
        [entry] = ledger.entries(booth.vault, lead_id=lead_id)
        event = entry.event
        assert event.collection_method == "third_party" and event.channel == "third_party"
        assert dict(event.decisions) == {"product_info": event.decisions["product_info"]}
        assert event.granted() == ("product_info",)
        assert event.extra["third_party"] == {
            "import": result.import_id, "source": "Partner X", "proof_sha256": result.proof_sha256}
        assert event.extra["source"] == "third_party_list"
    assert booth.verify_ledger().ok

    # an export for a purpose the proof does not cover holds none of them
    for purpose in ("newsletter", "sales_contact", "event_followup"):
        rows = _export(booth, tmp_path, purpose)
        assert not {r["lead_id"] for r in rows} & set(people)
        assert all(r["source"] == "booth" and r["source_proof_sha256"] == "" for r in rows)
    assert len(_export(booth, tmp_path, "newsletter")) == len(own)
    # the covered purpose: exported with the source column
    rows = {r["lead_id"]: r for r in _export(booth, tmp_path, "product_info")}
    for lead_id in people:
        assert rows[lead_id]["source"] == "Partner X"
        assert rows[lead_id]["source_proof_sha256"] == result.proof_sha256
    assert {rows[i]["email"] for i in people} == {"zhou.min@partner.example", "karl@weber.example"}


def test_an_xlsx_list_imports_too(booth: Booth) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["Name", "E-mail", "Firma", "Mobil"])
    ws.append(["Li Hua", "li.hua@partner.example", "Partner Co", 13800000012])
    buffer = io.BytesIO()
    wb.save(buffer)
    result = _import(booth, data=buffer.getvalue(), file_name="partner.xlsx")
    assert result.people == 1
    [lead_id] = booth.third_party_people(result.import_id)
    assert booth.record(lead_id).lead.fields["phone"] == "+8613800000012"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"mapping": {**MAP, "email": "Email Address"}}, "The list has no column “Email Address”; its columns are"),
        ({"mapping": {**MAP, "birthday": "Name"}}, "“birthday” is not a contact field"),
        ({"mapping": {}}, "Map the list's columns"),
        ({"data": LIST.replace(b"karl@weber.example", b"karl at weber")},
         "Person 2 in the list (empty rows not counted): “karl at weber” is not an email"),
        ({"data": LIST.replace(b"13800000011", b"12ab")}, "Person 1 in the list (empty rows not counted):"),
        ({"purposes": []}, "Name the purposes the proof"),
        ({"purposes": ["no_such"]}, "“no_such” is not a purpose offered here."),
        ({"source": "  "}, "Name the partner"),
        ({"data": b"Name\n"}, "no header row"),
        ({"data": b"Name,E-mail,Firma,Mobil\n,,,\n"}, "holds nobody"),
        ({"language": "fr"}, "zh-CN or en"),
    ],
)
def test_bad_lists_are_refused_with_one_sentence_and_nothing_stored(
    booth: Booth, changes: dict, message: str
) -> None:
    before = _stored(booth)
    with pytest.raises(UserFacingError) as caught:
        _import(booth, **changes)
    assert message in caught.value.localized("en")
    assert "\n" not in caught.value.localized("en")
    assert _stored(booth) == before


def test_a_capture_cannot_claim_a_third_party_source_without_the_import(booth: Booth) -> None:
    from consentbooth.domain.models import CollectionMethod
    from tests.helpers import zh_request

    with pytest.raises(ValidationError, match="import-list"):
        booth.capture(zh_request(collection_method=CollectionMethod.THIRD_PARTY))


def test_the_notice_owed_names_the_source_and_every_art17_item_and_its_sending_is_logged(
    booth: Booth, tmp_path: Path
) -> None:
    result = _import(booth)
    text = booth.third_party_notice_email(result.import_id)
    assert "Partner X" in text and result.proof_sha256 in text
    assert "个人信息处理告知" in text and "received from a third party" in text
    for _key, en, zh in ART17_ITEMS:
        assert en in text and zh in text
    assert "Product information" in text and "产品资料" in text  # the covered purpose only
    assert "Newsletter" not in text.split("————————————————")[1].split("Purposes")[0]
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(booth.third_party_notice_pdf(result.import_id))
    extracted = " ".join(poppler("pdftotext", "-layout", str(pdf), "-").split())
    assert "Partner X" in extracted and "个人信息处理告知" in extracted
    assert "Your rights and how to exercise them" in extracted and "个人行使权利的方式和程序" in extracted

    assert booth.third_party_notices(result.import_id) == []
    sent = booth.third_party_notice_sent(import_id=result.import_id, channel="email", operator="WF")
    assert sent.channel == "email" and sent.operator == "WF"
    assert [n.sent_on for n in booth.third_party_notices(result.import_id)] == [sent.sent_on]
    with pytest.raises(ValidationError, match="Unknown channel"):
        booth.third_party_notice_sent(import_id=result.import_id, channel="pigeon")
    with pytest.raises(UserFacingError, match="No third-party import"):
        booth.third_party_notice_email("nope")
