"""Domain objects <-> JSON stored in the vault."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from consentbooth.domain.catalogue import STANDARD_PROCESSING
from consentbooth.domain.models import (
    DEFAULT_QUESTIONS,
    Event,
    EventId,
    Organisation,
    Purpose,
    Question,
    Recipient,
)
from consentbooth.domain.notice import Notice


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def organisation_to_json(org: Organisation) -> str:
    return dumps(org.__dict__)


def organisation_from_json(text: str) -> Organisation:
    return Organisation(**json.loads(text))


def event_to_json(event: Event) -> str:
    return dumps(
        {
            "id": event.id,
            "name": event.name,
            "starts_on": event.starts_on.isoformat(),
            "ends_on": event.ends_on.isoformat(),
            "place": event.place,
            "retention_days": event.retention_days,
            "questions": [{"key": q.key, "label": dict(q.label)} for q in event.questions],
        }
    )


def event_from_json(text: str) -> Event:
    d = json.loads(text)
    stored = d.get("questions")  # events saved before questions were per event: the old two
    return Event(
        id=EventId(d["id"]),
        name=d["name"],
        starts_on=date.fromisoformat(d["starts_on"]),
        ends_on=date.fromisoformat(d["ends_on"]),
        place=d["place"],
        retention_days=int(d["retention_days"]),
        questions=DEFAULT_QUESTIONS if stored is None else tuple(
            Question(key=str(q["key"]), label={str(k): str(v) for k, v in q["label"].items()})
            for q in stored
        ),
    )


def purpose_to_json(p: Purpose) -> str:
    return dumps(
        {
            "code": p.code,
            "title": dict(p.title),
            "description": dict(p.description),
            "dpv_category": p.dpv_category,
            "channels": list(p.channels),
            "separate_consent": p.separate_consent,
            "required_fields": list(p.required_fields),
            "recipients": [
                {**r.__dict__, "categories": list(r.categories)} for r in p.recipients
            ],
            "retention_days": p.retention_days,
            "enabled": p.enabled,
            "processing": list(p.processing),
        }
    )


def purpose_from_json(text: str) -> Purpose:
    d = json.loads(text)
    return Purpose(
        code=d["code"],
        title=d["title"],
        description=d["description"],
        dpv_category=d["dpv_category"],
        channels=tuple(d.get("channels", ())),
        separate_consent=bool(d.get("separate_consent")),
        required_fields=tuple(d.get("required_fields", ())),
        recipients=tuple(
            Recipient(**{**r, "categories": tuple(r["categories"])}) for r in d.get("recipients", ())
        ),
        retention_days=d.get("retention_days"),
        enabled=d.get("enabled", True),
        # stored before purposes declared it: the standard purpose's own (none for others)
        processing=tuple(d["processing"]) if "processing" in d else STANDARD_PROCESSING.get(d["code"], ()),
    )


def notice_sections_to_json(notice: Notice) -> str:
    return dumps({lang: dict(body) for lang, body in notice.sections.items()})


def notice_from_row(version: int, sections: str) -> Notice:
    return Notice(version=version, sections=json.loads(sections))
