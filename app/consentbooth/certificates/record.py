"""The certificate record: what a consent certificate states, as a JSON-ready dict.

The structure follows the Kantara Initiative Consent Receipt v1.1 and the ISO/IEC TS 27560
consent record (controller, PII principal, notice, purposes with their category, consent type,
termination and third parties, collection method, timestamps). Its RFC 8785 canonical bytes are
what the QR payload signs and what is embedded in the PDF as ``consent-record.json``.

Schema 2 (``consentbooth.certificate/2``) adds what strangers need to trust the record and what
the first schema got wrong: a withdrawal lists every purpose with its state after the
withdrawal (and which ones this request withdrew), only a granted purpose has a "kept until"
date, ``evidence.chain_head`` names the signed ledger chain head (device, sequence, hash) and
``trust.root_fingerprint`` the organisation's root. Records of schema 1 still verify.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from consentbooth.core.i18n import Message
from consentbooth.crypto.canonical import canonical_bytes, sha256_hex
from consentbooth.domain.models import (
    Action,
    ConsentEvent,
    Decision,
    Event,
    Lead,
    Organisation,
    Processing,
    Purpose,
)
from consentbooth.domain.notice import Notice
from consentbooth.domain.vocabulary import question_labels

SCHEMA_V1 = "consentbooth.certificate/1"
SCHEMA = "consentbooth.certificate/2"
SCHEMAS = frozenset({SCHEMA_V1, SCHEMA})
JURISDICTION = "CN"
RECEIPT_SPECS = ("Kantara Consent Receipt v1.1", "ISO/IEC TS 27560")

# The statuses a purpose may have on a certificate, per action. Since schema 2 a withdrawal
# lists every purpose as it stands afterwards, so one may also have expired.
STATUSES_BY_ACTION: Mapping[str, frozenset[str]] = {
    Action.CONSENT.value: frozenset({Decision.GRANTED.value, Decision.NOT_GRANTED.value}),
    Action.WITHDRAWAL.value: frozenset(
        {Decision.GRANTED.value, Decision.NOT_GRANTED.value, Decision.WITHDRAWN.value}
    ),
}
STATUSES_BY_ACTION_V2: Mapping[str, frozenset[str]] = {
    **STATUSES_BY_ACTION,
    Action.WITHDRAWAL.value: STATUSES_BY_ACTION[Action.WITHDRAWAL.value]
    | {Decision.EXPIRED.value},
}
CHAIN_HEAD_KEYS = ("device_id", "device_seq", "hash")
_HEX64 = frozenset("0123456789abcdef")

WITHDRAW_HOW = {
    "zh-CN": (
        "您可随时撤回任何一项同意，方式与给予同意一样简便，无需说明理由：请联系下方联系人或任一展位"
        "工作人员，并告知本证明编号。撤回不影响撤回前基于同意已进行的处理活动。"
        "您还可以查阅、复制、更正或删除您的个人信息。"
    ),
    "en": (
        "You may withdraw any consent at any time, as easily as you gave it and without giving a "
        "reason: contact the person below or any booth staff and quote this certificate's id. "
        "Withdrawal does not affect processing already carried out on the basis of the consent. "
        "You may also access, copy, correct or delete your personal information."
    ),
    "zh-Hant": (
        "您可隨時撤回任何一項同意，方式與給予同意一樣簡便，無需說明理由：請聯絡下方聯絡人或任一攤位"
        "工作人員，並告知本證明編號。撤回不影響撤回前基於同意已進行的處理活動。"
        "您也可以查閱、複製、更正或刪除您的個人資料。"
    ),
    "ja": (
        "同意したときと同じように簡単に、理由を述べることなく、いつでもどの同意も撤回できます。下記の連絡先"
        "またはブースのスタッフにお申し出のうえ、この証明書の番号をお伝えください。撤回は、撤回前に同意に"
        "基づいて行われた取扱いには影響しません。ご自身の個人情報の閲覧、複製、訂正、削除を求めることもできます。"
    ),
    "ko": (
        "동의할 때와 마찬가지로 쉽게, 이유를 밝히지 않고 언제든지 어떤 동의든 철회할 수 있습니다. 아래 "
        "담당자나 부스 직원에게 연락하여 이 증명서 번호를 알려 주십시오. 철회는 철회 전에 동의에 근거하여 "
        "이미 이루어진 처리에 영향을 미치지 않습니다. 또한 본인의 개인정보를 열람, 복사, 정정 또는 삭제하도록 "
        "요구할 수 있습니다."
    ),
}


def _aware(value: datetime, what: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware")
    return value


def _publication(purpose: Purpose, status: str, consent_event: ConsentEvent) -> dict[str, Any]:
    """A publication consent names its material; its withdrawal, where to take it down."""
    if Processing.PUBLICATION.value not in purpose.processing:
        return {}
    extra = consent_event.extra
    if status == Decision.GRANTED.value and isinstance(extra.get("publication"), Mapping):
        return {"material": dict(extra["publication"])}  # type: ignore[arg-type]
    if status == Decision.WITHDRAWN.value and _withdrawn_now(purpose.code, consent_event) and extra.get("takedown"):
        return {"takedown": list(extra["takedown"])}  # type: ignore[call-overload]
    return {}


def _withdrawn_now(code: str, consent_event: ConsentEvent) -> bool:
    return consent_event.decisions.get(code) is Decision.WITHDRAWN


def publication_lines(entry: Mapping[str, Any]) -> list[str]:
    """What the page prints of a purpose's material or takedown places (bilingual)."""
    material = entry.get("material")
    lines = []
    if isinstance(material, Mapping):
        text = f"公开的材料 Material: {material.get('title', '')}"
        if material.get("description"):
            text += f" — {material['description']}"
        if material.get("file_sha256"):
            text += f" (SHA-256 {material['file_sha256']})"
        lines.append(text)
    if entry.get("takedown"):
        lines.append("须撤下的位置 Take down from: " + "; ".join(map(str, entry["takedown"])))
    return lines


def _purpose_entry(
    purpose: Purpose, status: str, *, event: Event, captured_at: datetime, assessment: str | None = None,
    consent_event: ConsentEvent | None = None,
) -> dict[str, Any]:
    days = purpose.retention_days if purpose.retention_days is not None else event.retention_days
    kept = status == Decision.GRANTED.value  # nothing is kept for a purpose not (or no longer) granted
    extra: dict[str, Any] = {"impact_assessment": assessment} if assessment else {}
    if consent_event is not None:
        extra.update(_publication(purpose, status, consent_event))
    return {
        **extra,
        "code": purpose.code,
        "title": dict(purpose.title),
        "description": dict(purpose.description),
        "dpv_category": purpose.dpv_category,
        "separate_consent": purpose.separate_consent,
        "status": status,
        "retention_days": days,
        "expires_on": (captured_at + timedelta(days=days)).date().isoformat() if kept else None,
        "recipients": [
            {
                "name": r.name,
                "contact": r.contact,
                "purpose": r.purpose,
                "method": r.method,
                "categories": list(r.categories),
                "country": r.country,
            }
            for r in purpose.recipients
        ],
    }


def build_certificate_record(
    *,
    certificate_id: str,
    issued_at: datetime,
    organisation: Organisation,
    event: Event,
    lead: Lead,
    consent_event: ConsentEvent,
    purposes: Sequence[Purpose],
    notice: Notice,
    ledger_hash: str,
    states_after: Mapping[str, str] | None = None,
    chain_head: Mapping[str, object] | None = None,
    root_fingerprint: str | None = None,
    assessments: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The record of one consent (or withdrawal) event, ready for ``canonical_bytes``.

    ``purposes`` must hold every purpose the event names (shown or decided), and for a
    withdrawal every purpose in ``states_after`` (code -> "granted" / "not_granted" /
    "withdrawn" / "expired": each purpose's state after the withdrawal; the certificate lists
    them all). ``chain_head`` is the signed ledger chain head {device_id, device_seq, hash};
    ``root_fingerprint`` the organisation root's SHA-256 (hex), printed on the page;
    ``assessments`` (purpose code -> id) the impact assessment that covered a purpose (PIPL
    Art. 55), named on its entry as ``impact_assessment``. Raises
    ``ValueError`` when the inputs contradict each other (a certificate must never lie).
    """
    if str(uuid.UUID(certificate_id)) != certificate_id or uuid.UUID(certificate_id).version != 4:
        raise ValueError("certificate_id must be a canonical UUID4 string")
    _aware(issued_at, "issued_at")
    _aware(consent_event.occurred_at, "consent_event.occurred_at")
    _aware(lead.captured_at, "lead.captured_at")
    if consent_event.action.value not in STATUSES_BY_ACTION:
        raise ValueError(f"no certificate for a {consent_event.action.value} event")
    if consent_event.lead_id != lead.id or consent_event.event_id != event.id:
        raise ValueError("the consent event belongs to another lead or event")
    if lead.event_id != event.id:
        raise ValueError("the lead belongs to another event")
    language = consent_event.language
    if notice.version != consent_event.notice_version:
        raise ValueError("the notice version differs from the one the consent event names")
    if notice.sha256(language) != consent_event.notice_sha256:
        raise ValueError("the notice text does not hash to the consent event's notice SHA-256")

    by_code = {p.code: p for p in purposes}
    codes = list(dict.fromkeys([*consent_event.purposes_shown, *consent_event.decisions]))
    withdrawing = consent_event.action is Action.WITHDRAWAL
    statuses = {
        code: Decision(consent_event.decisions.get(code, Decision.NOT_GRANTED)).value
        for code in codes
    }
    withdrawn_now = [c for c in codes if statuses[c] == Decision.WITHDRAWN.value]
    if states_after is not None:
        if not withdrawing:
            raise ValueError("states_after is for a withdrawal certificate only")
        for code in withdrawn_now:
            if states_after.get(code) != Decision.WITHDRAWN.value:
                raise ValueError(f"purpose {code}: withdrawn by this event but not in states_after")
        # every purpose, in the order the setup lists them, then any the setup no longer has
        order = [p.code for p in purposes if p.code in states_after]
        codes = list(dict.fromkeys([*order, *states_after, *codes]))
        statuses = {c: str(states_after.get(c, statuses.get(c))) for c in codes}
    missing = [c for c in codes if c not in by_code]
    if missing:
        raise ValueError(f"purposes not supplied: {', '.join(missing)}")
    allowed = STATUSES_BY_ACTION_V2[consent_event.action.value]
    entries = []
    for code in codes:
        status = statuses[code]
        if status not in allowed:
            raise ValueError(
                f"purpose {code}: {status} is not possible in a {consent_event.action}"
            )
        entries.append(
            _purpose_entry(by_code[code], status, event=event, captured_at=lead.captured_at,
                           assessment=(assessments or {}).get(code), consent_event=consent_event)
        )
    head = _chain_head(chain_head)
    if root_fingerprint is not None and not _is_hex64(root_fingerprint):
        raise ValueError("root_fingerprint must be a SHA-256 in lowercase hex")

    signature = lead.signature_png
    record: dict[str, Any] = {
        "schema": SCHEMA,
        "specifications": list(RECEIPT_SPECS),
        "jurisdiction": JURISDICTION,
        "law": "PIPL",
        "certificate_id": certificate_id,
        "issued_at": issued_at.isoformat(),
        "consent_timestamp": consent_event.occurred_at.isoformat(),
        "action": consent_event.action.value,
        "controller": {
            "name": organisation.name,
            "name_zh": organisation.name_zh,
            "address": organisation.address,
            "contact_email": organisation.contact_email,
            "contact_phone": organisation.contact_phone,
        },
        "event": {
            "id": event.id,
            "name": event.name,
            "starts_on": event.starts_on.isoformat(),
            "ends_on": event.ends_on.isoformat(),
            "place": event.place,
        },
        "collection": {
            "method": consent_event.collection_method or lead.collection_method.value,
            "channel": consent_event.channel,
            "operator": consent_event.operator,
            "device_id": consent_event.device_id,
            "captured_at": lead.captured_at.isoformat(),
        },
        "pii_principal": {
            "lead_id": lead.id,
            "fields": {str(k): str(v) for k, v in lead.fields.items()},
            # each answered qualifying question's own words, so the page never prints a raw key
            "labels": question_labels(list(lead.fields), event.questions,
                                      tuple(dict.fromkeys(("zh-CN", "en", language)))),
            "guardian": (
                {"name": lead.guardian.name, "relationship": lead.guardian.relationship}
                if lead.guardian
                else None
            ),
        },
        "notice": {
            "language": language,
            "version": consent_event.notice_version,
            "sha256": consent_event.notice_sha256,
        },
        "purposes": entries,
        "granted_purposes": [e["code"] for e in entries if e["status"] == "granted"],
        "withdrawn_purposes": [e["code"] for e in entries if e["status"] == "withdrawn"],
        "withdrawal": None,
        "rights": {
            # zh-CN and en as ever, and the language the attendee read the notice in
            "how_to_withdraw": {lang: WITHDRAW_HOW[lang] for lang in dict.fromkeys(("zh-CN", "en", language))
                                if lang in WITHDRAW_HOW},
            "contact": organisation.rights_contact,
        },
        "handwritten_signature": {
            "captured": signature is not None,
            "sha256": hashlib.sha256(signature).hexdigest() if signature is not None else None,
        },
        "evidence": {
            "consent_event_id": consent_event.id,
            "ledger_hash": ledger_hash,
            "data_digest": consent_event.data_digest,
            "chain_head": head,
        },
        "trust": {"root_fingerprint": root_fingerprint},
    }
    if withdrawing:
        record["withdrawal"] = {
            "request_date": (
                consent_event.request_date.isoformat() if consent_event.request_date else None
            ),
            "channel": consent_event.channel,
            "note": consent_event.note,
            "purposes": withdrawn_now,  # what this request withdrew (the table shows them all)
        }
    return record


def _is_hex64(value: object) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value) <= _HEX64


def _chain_head(head: Mapping[str, object] | None) -> dict[str, object] | None:
    if head is None:
        return None
    if set(head) != set(CHAIN_HEAD_KEYS):
        raise ValueError(f"chain_head must have exactly {', '.join(CHAIN_HEAD_KEYS)}")
    seq = head["device_seq"]
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise ValueError("chain_head device_seq must be a non-negative integer")
    if not _is_hex64(head["hash"]):
        raise ValueError("chain_head hash must be a SHA-256 in lowercase hex")
    return {"device_id": str(head["device_id"]), "device_seq": seq, "hash": str(head["hash"])}


def record_bytes(record: Mapping[str, Any]) -> bytes:
    """The RFC 8785 canonical bytes of the record (what is embedded and digested)."""
    return canonical_bytes(record)


def record_digest_hex(record: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the record's RFC 8785 canonical bytes."""
    return sha256_hex(canonical_bytes(record))


def consistency_problems(record: Mapping[str, Any]) -> list[Message]:
    """What is internally inconsistent in a record (empty list: consistent).

    Each problem is a :class:`Message` (its English text, translatable with ``_()``).
    """
    problems: list[Message] = []
    schema = record.get("schema")
    if schema not in SCHEMAS:
        problems.append(Message("unknown schema {schema}", schema=repr(record.get("schema"))))
    v2 = schema == SCHEMA
    action = record.get("action")
    allowed = (STATUSES_BY_ACTION_V2 if v2 else STATUSES_BY_ACTION).get(str(action))
    if allowed is None:
        return [*problems, Message("unknown action {action}", action=repr(action))]
    purposes = record.get("purposes")
    if not isinstance(purposes, list) or not purposes:
        return [*problems, Message("no purposes listed")]
    seen: set[str] = set()
    for entry in purposes:
        if not isinstance(entry, Mapping):
            problems.append(Message("a purpose entry is not an object"))
            continue
        code = str(entry.get("code"))
        if code in seen:
            problems.append(Message("purpose {code} listed twice", code=code))
        seen.add(code)
        if entry.get("status") not in allowed:
            problems.append(
                Message(
                    "purpose {code}: status {status} not valid for {action}",
                    code=code,
                    status=repr(entry.get("status")),
                    action=str(action),
                )
            )
        if not str(entry.get("dpv_category", "")).startswith("dpv:"):
            problems.append(Message("purpose {code}: no DPV category", code=code))
        if v2 and entry.get("status") != "granted" and entry.get("expires_on") is not None:
            problems.append(
                Message("purpose {code}: a keep-until date for a purpose not granted", code=code)
            )
        if (
            entry.get("separate_consent")
            and entry.get("status") == "granted"
            and not entry.get("recipients")
        ):
            problems.append(
                Message(
                    "purpose {code}: separate consent granted without named recipients", code=code
                )
            )
    granted = [
        e.get("code") for e in purposes if isinstance(e, Mapping) and e.get("status") == "granted"
    ]
    withdrawn = [
        e.get("code") for e in purposes if isinstance(e, Mapping) and e.get("status") == "withdrawn"
    ]
    if record.get("granted_purposes") != granted:
        problems.append(Message("the list of granted purposes does not match the purposes table"))
    if record.get("withdrawn_purposes") != withdrawn:
        problems.append(Message("the list of withdrawn purposes does not match the purposes table"))
    if action == Action.WITHDRAWAL.value and not withdrawn:
        problems.append(Message("a withdrawal certificate withdraws no purpose"))
    request = record.get("withdrawal")
    if action == Action.WITHDRAWAL.value and not isinstance(request, Mapping):
        problems.append(Message("a withdrawal certificate lacks the withdrawal request"))
    if v2:
        problems += _v2_problems(record, withdrawn)
    return problems


def _v2_problems(record: Mapping[str, Any], withdrawn: list[Any]) -> list[Message]:
    """What schema 2 adds: the withdrawn-now list, the chain head, the root fingerprint."""
    problems: list[Message] = []
    request = record.get("withdrawal")
    if record.get("action") == Action.WITHDRAWAL.value and isinstance(request, Mapping):
        now = request.get("purposes")
        if not isinstance(now, list) or not now or not set(now) <= set(withdrawn):
            problems.append(
                Message("the purposes this request withdrew do not match the purposes table")
            )
    evidence = record.get("evidence")
    head = evidence.get("chain_head") if isinstance(evidence, Mapping) else None
    if head is not None:
        try:
            _chain_head(head)
        except (ValueError, TypeError, KeyError):
            problems.append(Message("the ledger chain head is malformed"))
    trust = record.get("trust")
    fingerprint = trust.get("root_fingerprint") if isinstance(trust, Mapping) else "missing"
    if fingerprint is not None and not _is_hex64(fingerprint):
        problems.append(Message("the root fingerprint is malformed"))
    return problems
