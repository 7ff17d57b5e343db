"""The certificate record: Kantara / ISO 27560 fields, digests and refusals to lie."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import replace
from datetime import datetime

import pytest
import rfc8785

from consentbooth.certificates.record import (
    build_certificate_record,
    consistency_problems,
    record_digest_hex,
)
from consentbooth.domain.models import Action

from . import sample


def _build(**overrides: object) -> dict:
    args: dict = {
        "certificate_id": str(uuid.uuid4()),
        "issued_at": sample.CAPTURED_AT,
        "organisation": sample.ORGANISATION,
        "event": sample.EVENT,
        "lead": sample.lead(signature=None),
        "consent_event": sample.consent_event(),
        "purposes": sample.purposes(),
        "notice": sample.NOTICE,
        "ledger_hash": "ab" * 32,
    }
    args.update(overrides)
    return build_certificate_record(**args)


def test_consent_record_has_the_receipt_fields(consent_record: dict, signature_png: bytes) -> None:
    r = consent_record
    assert r["schema"] == "consentbooth.certificate/1"
    assert r["jurisdiction"] == "CN"
    assert uuid.UUID(r["certificate_id"]).version == 4
    assert r["consent_timestamp"] == "2025-09-24T14:03:27+08:00"
    assert datetime.fromisoformat(r["issued_at"]).tzinfo is not None
    assert r["action"] == "consent"
    assert r["controller"]["name"] == sample.ORGANISATION.name
    assert r["controller"]["address"] == sample.ORGANISATION.address
    assert r["controller"]["contact_email"] == "privacy@booth.example"
    assert r["event"] == {
        "id": sample.EVENT.id,
        "name": sample.EVENT.name,
        "starts_on": "2025-09-23",
        "ends_on": "2025-09-27",
        "place": sample.EVENT.place,
    }
    assert r["collection"]["method"] == "kiosk"
    assert r["collection"]["operator"] == "staff-07"
    assert r["collection"]["device_id"] == "booth-laptop-3"
    assert r["pii_principal"]["fields"]["name"] == "张伟"
    assert r["pii_principal"]["fields"]["company"] == "上海示例科技有限公司"
    assert r["notice"] == {
        "language": "zh-CN",
        "version": 3,
        "sha256": sample.NOTICE.sha256("zh-CN"),
    }
    assert r["rights"]["contact"] == sample.ORGANISATION.rights_contact
    assert r["rights"]["how_to_withdraw"]["zh-CN"] and r["rights"]["how_to_withdraw"]["en"]
    assert r["handwritten_signature"] == {
        "captured": True,
        "sha256": hashlib.sha256(signature_png).hexdigest(),
    }
    assert r["evidence"]["consent_event_id"] == "c0ffee00-1234-4abc-8def-0123456789ab"
    assert r["evidence"]["ledger_hash"] == "a3f1c9e07b2d4e58" * 4
    assert r["withdrawal"] is None


def test_each_shown_purpose_is_listed_with_its_decision(consent_record: dict) -> None:
    purposes = {p["code"]: p for p in consent_record["purposes"]}
    assert list(purposes) == list(sample.DECISIONS)
    assert {c: p["status"] for c, p in purposes.items()} == {
        c: d.value for c, d in sample.DECISIONS.items()
    }
    assert consent_record["granted_purposes"] == [
        "sales_contact",
        "product_info",
        "partner_sharing",
    ]
    sharing = purposes["partner_sharing"]
    assert sharing["separate_consent"] is True
    assert sharing["dpv_category"] == "dpv:SellDataToThirdParties"
    assert sharing["recipients"][0]["name"].startswith("Example Distributor")
    assert sharing["title"]["zh-CN"] == "向合作伙伴提供(单独同意)"
    assert purposes["sales_contact"]["separate_consent"] is False
    assert purposes["sales_contact"]["recipients"] == []
    # Retention runs from the capture time: 365 days after 2025-09-24.
    assert purposes["sales_contact"]["expires_on"] == "2026-09-24"
    assert purposes["sales_contact"]["retention_days"] == 365


def test_purpose_retention_overrides_the_event_retention() -> None:
    purposes = [
        replace(p, retention_days=30) if p.code == "newsletter" else p for p in sample.purposes()
    ]
    record = _build(purposes=purposes)
    by_code = {p["code"]: p for p in record["purposes"]}
    assert by_code["newsletter"]["expires_on"] == "2025-10-24"
    assert by_code["product_info"]["expires_on"] == "2026-09-24"


def test_withdrawal_record(withdrawal_record: dict) -> None:
    assert withdrawal_record["action"] == "withdrawal"
    assert withdrawal_record["withdrawal"] == {
        "request_date": "2025-11-02",
        "channel": "email",
        "note": "来信要求停止销售联系与合作伙伴共享 / Asked by email to stop sales contact and sharing",
    }
    assert withdrawal_record["withdrawn_purposes"] == ["sales_contact", "partner_sharing"]
    assert withdrawal_record["granted_purposes"] == []
    assert consistency_problems(withdrawal_record) == []


def test_digest_is_sha256_of_rfc8785_bytes(consent_record: dict) -> None:
    expected = hashlib.sha256(rfc8785.dumps(consent_record)).hexdigest()
    assert record_digest_hex(consent_record) == expected
    edited = {**consent_record, "granted_purposes": []}
    assert record_digest_hex(edited) != expected


def test_consistency_flags_an_edited_purpose(consent_record: dict) -> None:
    assert consistency_problems(consent_record) == []
    purposes = [dict(p) for p in consent_record["purposes"]]
    purposes[3]["status"] = "granted"  # newsletter, without touching the summary list
    problems = consistency_problems({**consent_record, "purposes": purposes})
    assert problems and "granted purposes" in problems[0]
    purposes = [dict(p) for p in consent_record["purposes"]]
    purposes[0]["status"] = "withdrawn"  # not possible in a consent
    assert consistency_problems({**consent_record, "purposes": purposes})


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"certificate_id": "not-a-uuid"}, "badly formed"),
        ({"certificate_id": "6ba7b810-9dad-11d1-80b4-00c04fd430c8"}, "UUID4"),
        ({"issued_at": datetime(2025, 9, 24, 14, 3)}, "timezone-aware"),
        ({"notice": replace(sample.NOTICE, version=4)}, "notice version"),
        (
            {"notice": replace(sample.NOTICE, sections={"zh-CN": {}, "en": {}})},
            "does not hash",
        ),
        ({"purposes": sample.purposes()[:2]}, "purposes not supplied"),
        ({"lead": replace(sample.lead(signature=None), id="someone-else")}, "another lead"),
    ],
)
def test_refuses_inputs_that_contradict_each_other(overrides: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _build(**overrides)


def test_no_certificate_for_an_erasure() -> None:
    event = replace(sample.consent_event(), action=Action.ERASURE)
    with pytest.raises(ValueError, match="no certificate"):
        _build(consent_event=event)
