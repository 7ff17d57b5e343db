"""A copy of everything held about a person (PIPL Art. 45): a machine-readable JSON document in
the published schema ``docs/person-copy.schema.json`` (for portability) and one bilingual PDF
for the person, signed like the consent certificates. Both come from the same dictionary, read
from the vault or the hub through :class:`~consentbooth.hub.interface.Hub`.

Who received the person's data is read from the sharing log: an export counts when it was made
after the person's capture, for their event (or every event), and the person then held a current
grant for every purpose it was made for; a bundle for marketing ops counts when it covered their
event; a suppression list counts when the person had withdrawn (or been erased) by then.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from consentbooth.core.files import write_atomic
from consentbooth.core.logging import get_logger
from consentbooth.domain.consent import fold_states, retention_rule
from consentbooth.domain.models import Action, ConsentEvent, Decision, Lead, Purpose
from consentbooth.services.context import BoothContext, now
from consentbooth.services.rights import lead as find_lead
from consentbooth.vault.sharing import SharingEntry

log = get_logger(__name__)

SCHEMA_ID = "consentbooth.person-copy/1"
SCHEMA_VERSION = 1
LANGUAGES = ("zh-CN", "en")

# What the person can do, in both languages (the PDF and the JSON say the same).
WITHDRAW_TEXT = {
    "zh-CN": "您可随时撤回同意，撤回不影响撤回前基于同意已进行的处理活动。请联系：{contact}",
    "en": "You may withdraw your consent at any time; this does not affect processing done before. Contact: {contact}",
}
COMPLAIN_TEXT = {
    "zh-CN": "您可向我们提出查阅、复制、更正、删除等请求；如对处理结果不满意，"
             "可向网信部门投诉、举报，或依法向人民法院起诉（《个人信息保护法》第五十条）。",
    "en": "You may ask us to let you see, copy, correct or delete your information; if you are not satisfied, you "
          "may complain to the cyberspace administration authorities or sue before a people's court (PIPL Art. 50).",
}


@dataclass(frozen=True)
class CopyFiles:
    pdf: Path
    json: Path


def build_copy(ctx: BoothContext, lead_id: str, *, at: datetime | None = None) -> dict[str, Any]:
    """The copy as a JSON-ready dictionary (schema ``consentbooth.person-copy/1``)."""
    at = at or now()
    person = find_lead(ctx, lead_id)
    entries = ctx.hub.ledger_entries(lead_id=person.id)
    history = [e.event for e in entries]
    event = ctx.hub.get_event(person.event_id)
    purposes = {p.code: p for p in ctx.hub.purposes()}
    org = ctx.organisation()
    states = ctx.hub.consent_states(person.id)
    keep_days = event.retention_days if event else None
    return {
        "schema": SCHEMA_ID,
        "schema_version": SCHEMA_VERSION,
        "generated_at": at.isoformat(),
        "controller": {
            "name": org.name if org else "", "name_zh": org.name_zh if org else "",
            "address": org.address if org else "", "contact_email": org.contact_email if org else "",
            "contact_phone": org.contact_phone if org else "", "rights_contact": org.rights_contact if org else "",
        },
        "person": {
            "lead_id": person.id,
            "language": person.language,
            "captured_at": person.captured_at.isoformat(),
            "collection_method": person.collection_method.value,
            "event": {
                "id": person.event_id, "name": event.name if event else "", "place": event.place if event else "",
                "starts_on": event.starts_on.isoformat() if event else None,
                "ends_on": event.ends_on.isoformat() if event else None,
            },
            "details": dict(person.fields),
            "has_signature": person.signature_png is not None,
            "guardian": ({"name": person.guardian.name, "relationship": person.guardian.relationship}
                         if person.guardian else None),
            "erased_at": person.erased_at.isoformat() if person.erased_at else None,
        },
        "consents": [_consent(code, state, purposes.get(code)) for code, state in sorted(states.items())],
        "history": [_history(e) for e in history],
        "recipients": _recipients(ctx, person, history, purposes, event),
        "retention": {
            "event_retention_days": keep_days,
            "delete_by": (person.captured_at + timedelta(days=keep_days)).isoformat() if keep_days else None,
            "purposes": {code: s[2] for code, s in sorted(states.items()) if s[0] == Decision.GRANTED.value},
        },
        "requests": [
            {"id": r.id, "type": r.kind, "received_on": r.received_on.isoformat(), "due_on": r.due_on.isoformat(),
             "status": r.status, "outcome": r.outcome or None}
            for r in ctx.hub.rights_requests(lead_id=person.id)
        ],
        "your_rights": {
            "withdraw": {lang: text.format(contact=org.rights_contact if org else "")
                         for lang, text in WITHDRAW_TEXT.items()},
            "complain": dict(COMPLAIN_TEXT),
            "contact": org.rights_contact if org else "",
        },
    }


def _titles(purpose: Purpose | None, code: str) -> dict[str, str]:
    return {lang: (purpose.title.get(lang) if purpose else None) or code for lang in LANGUAGES}


def _consent(code: str, state: tuple[str, str, str | None], purpose: Purpose | None) -> dict[str, Any]:
    return {
        "purpose": code, "title": _titles(purpose, code), "state": state[0], "since": state[1],
        "expires_at": state[2],
        "third_parties": [
            {"name": r.name, "contact": r.contact, "purpose": r.purpose, "country": r.country,
             "categories": list(r.categories)}
            for r in (purpose.recipients if purpose else ())
        ],
    }


def _history(event: ConsentEvent) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": event.id, "action": event.action.value, "occurred_at": event.occurred_at.isoformat(),
        "decisions": {code: d.value for code, d in sorted(event.decisions.items())},
        "notice_version": event.notice_version, "notice_sha256": event.notice_sha256,
        "channel": event.channel,
    }
    request = event.extra.get("request") if event.extra else None
    if isinstance(request, Mapping):
        item["request"] = {k: request[k] for k in ("id", "type", "outcome") if k in request}
    return item


def _recipients(ctx: BoothContext, person: Lead, history: Sequence[ConsentEvent],
                purposes: Mapping[str, Purpose], event) -> list[dict[str, Any]]:
    rule = retention_rule(purposes, event)
    found = []
    for entry in sorted(ctx.hub.sharing_log(), key=lambda e: e.at):
        when = datetime.fromisoformat(entry.at)
        if when < person.captured_at or (entry.events and person.event_id not in entry.events):
            continue
        if not _received(entry, [e for e in history if e.occurred_at <= when], rule, when):
            continue
        found.append({"at": entry.at, "kind": entry.kind, "recipient": entry.recipient,
                      "purposes": list(entry.purposes), "format": entry.format, "file_name": entry.file_name})
    return found


def _received(entry: SharingEntry, before: Sequence[ConsentEvent], rule, when: datetime) -> bool:
    states = fold_states(before, rule)
    if entry.kind == "suppression":
        return any(s.state != Decision.GRANTED.value for s in states.values()) or any(
            e.action is Action.ERASURE for e in before)
    if not entry.purposes:
        return True  # a bundle for ops: everyone of the events it covered
    utc = when.astimezone(UTC)
    return all(
        (s := states.get(code)) is not None and s.state == Decision.GRANTED.value
        and (s.expires_at is None or datetime.fromisoformat(s.expires_at) > utc)
        for code in entry.purposes
    )


def json_bytes(data: Mapping[str, Any]) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def write_copy(ctx: BoothContext, lead_id: str, out_dir: Path) -> CopyFiles:
    """Write ``copy-<lead>.json`` and the signed ``copy-<lead>.pdf`` into ``out_dir``."""
    from consentbooth.certificates.personcopy import issue_person_copy_pdf
    from consentbooth.certificates.timestamps import TimestampError
    from consentbooth.services.evidence import tsa_url

    data = build_copy(ctx, lead_id)
    out_dir = Path(out_dir)
    identity = ctx.certificate_identity
    try:
        pdf = issue_person_copy_pdf(copy=data, json_bytes=json_bytes(data), identity=identity,
                                    timestamp_url=tsa_url(ctx))
    except TimestampError:
        log.warning("time-stamping authority unavailable: copy signed without trusted time")
        pdf = issue_person_copy_pdf(copy=data, json_bytes=json_bytes(data), identity=identity)
    stem = f"copy-{data['person']['lead_id']}"
    files = CopyFiles(pdf=out_dir / f"{stem}.pdf", json=out_dir / f"{stem}.json")
    write_atomic(files.json, json_bytes(data))
    write_atomic(files.pdf, pdf)
    log.info("copy for a person written")
    return files
