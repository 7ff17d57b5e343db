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
    assert r["schema"] == "consentbooth.certificate/2"
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
    assert r["evidence"]["chain_head"] == sample.CHAIN_HEAD
    assert len(r["trust"]["root_fingerprint"]) == 64  # the organisation's root, printed too
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
    # what the partners do with it (their local sales follow-up), not selling the data
    assert sharing["dpv_category"] == "dpv:SellProductsToDataSubject"
    assert sharing["recipients"][0]["name"].startswith("Example Distributor")
    assert sharing["title"]["zh-CN"] == "向合作伙伴提供(单独同意)"
    assert purposes["sales_contact"]["separate_consent"] is False
    assert purposes["sales_contact"]["recipients"] == []
    # Retention runs from the capture time: 365 days after 2025-09-24.
    assert purposes["sales_contact"]["expires_on"] == "2026-09-24"
    assert purposes["sales_contact"]["retention_days"] == 365
    # Nothing is kept for a purpose not granted: no "kept until" date.
    assert purposes["newsletter"]["expires_on"] is None


def test_purpose_retention_overrides_the_event_retention() -> None:
    purposes = [
        replace(p, retention_days=30) if p.code == "newsletter" else p for p in sample.purposes()
    ]
    record = _build(purposes=purposes)
    by_code = {p["code"]: p for p in record["purposes"]}
    assert by_code["newsletter"]["retention_days"] == 30
    assert by_code["newsletter"]["expires_on"] is None  # not granted: nothing is kept
    assert by_code["product_info"]["expires_on"] == "2026-09-24"
    granted = replace(
        sample.consent_event(),
        decisions={**sample.DECISIONS, "newsletter": sample.Decision.GRANTED},
    )
    record = _build(purposes=purposes, consent_event=granted)
    assert {p["code"]: p for p in record["purposes"]}["newsletter"]["expires_on"] == "2025-10-24"


def test_withdrawal_record(withdrawal_record: dict) -> None:
    assert withdrawal_record["action"] == "withdrawal"
    assert withdrawal_record["withdrawal"] == {
        "request_date": "2025-11-02",
        "channel": "email",
        "note": "来信要求停止销售联系与合作伙伴共享 / Asked by email to stop sales contact and sharing",
        "purposes": ["sales_contact", "partner_sharing"],  # what this request withdrew
    }
    assert withdrawal_record["withdrawn_purposes"] == ["sales_contact", "partner_sharing"]
    assert withdrawal_record["granted_purposes"] == ["product_info"]
    assert consistency_problems(withdrawal_record) == []


def test_withdrawal_lists_every_purpose_with_its_state_after(withdrawal_record: dict) -> None:
    """Issue 9: every purpose, in the setup's order, with no "kept until" unless still granted."""
    states = {p["code"]: p["status"] for p in withdrawal_record["purposes"]}
    assert states == sample.STATES_AFTER_WITHDRAWAL
    assert list(states) == [p.code for p in sample.purposes()]
    kept = {p["code"]: p["expires_on"] for p in withdrawal_record["purposes"]}
    assert kept == {c: ("2026-09-24" if s == "granted" else None) for c, s in states.items()}


def test_withdrawal_states_must_agree_with_the_event() -> None:
    event = sample.consent_event(action=Action.WITHDRAWAL)
    wrong = {**sample.STATES_AFTER_WITHDRAWAL, "sales_contact": "granted"}
    with pytest.raises(ValueError, match="withdrawn by this event"):
        _build(consent_event=event, states_after=wrong)
    with pytest.raises(ValueError, match="not possible"):
        _build(consent_event=event, states_after={**sample.STATES_AFTER_WITHDRAWAL, "newsletter": "maybe"})
    with pytest.raises(ValueError, match="withdrawal certificate only"):
        _build(states_after=sample.STATES_AFTER_WITHDRAWAL)


def test_chain_head_and_root_fingerprint_are_checked() -> None:
    with pytest.raises(ValueError, match="chain_head"):
        _build(chain_head={"device_id": "x", "device_seq": -1, "hash": "ab" * 32})
    with pytest.raises(ValueError, match="chain_head"):
        _build(chain_head={"device_id": "x", "hash": "ab" * 32})
    with pytest.raises(ValueError, match="root_fingerprint"):
        _build(root_fingerprint="AB" * 32)
    record = _build(chain_head=sample.CHAIN_HEAD, root_fingerprint="ab" * 32)
    assert consistency_problems(record) == []
    broken = {**record, "trust": {"root_fingerprint": "nope"}}
    assert "root fingerprint is malformed" in consistency_problems(broken)[0]
    broken = {**record, "evidence": {**record["evidence"], "chain_head": {"device_id": "x"}}}
    assert "chain head is malformed" in consistency_problems(broken)[0]
    kept = [dict(p) for p in record["purposes"]]
    kept[3]["expires_on"] = "2026-09-24"  # newsletter, not granted
    assert "keep-until date" in consistency_problems({**record, "purposes": kept})[0]


def test_records_of_the_first_schema_stay_consistent() -> None:
    """Certificates issued before schema 2 (stored in vaults, given to people) still check out."""
    record = _build()
    old = {k: v for k, v in record.items() if k != "trust"}
    old["schema"] = "consentbooth.certificate/1"
    old["evidence"] = {k: v for k, v in record["evidence"].items() if k != "chain_head"}
    old["purposes"] = [{**p, "expires_on": "2026-09-24"} for p in record["purposes"]]
    assert consistency_problems(old) == []


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
