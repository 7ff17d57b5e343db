"""Creating a vault: organisation, first event, template notice, purposes, staff."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta

from consentbooth.core.paths import resource_path
from consentbooth.domain.assessment import ImpactAssessment
from consentbooth.domain.catalogue import STANDARD_PROCESSING, standard_purposes
from consentbooth.domain.models import Event, EventId, Organisation, Purpose, localized, new_id

DEMO_ORGANISATION = Organisation(
    name="Example Instruments Co., Ltd.",
    name_zh="示例仪器有限公司",
    address="Room 1208, 88 Century Avenue, Pudong, Shanghai 200120 / 上海市浦东新区世纪大道88号1208室",
    contact_email="privacy@booth.example",
    contact_phone="+86 21 5555 0199",
    rights_contact="Data Protection Office 个人信息保护办公室, privacy@booth.example, +86 21 5555 0199",
)

DEMO_STAFF = (("Wang Fang 王芳", "WF"), ("Alex Miller", "AM"))
DEMO_STAFF_PIN = "2468"


def demo_event(today: date | None = None) -> Event:
    today = today or date.today()
    return Event(
        id=EventId(new_id()),
        name="China International Industry Fair 2026 / 中国国际工业博览会",
        starts_on=today,
        ends_on=today + timedelta(days=3),
        place="National Exhibition and Convention Center, Shanghai / 国家会展中心(上海)",
        retention_days=365,
    )


def notice_template() -> dict[str, dict[str, str]]:
    with resource_path("notices", "template.json").open(encoding="utf-8") as f:
        return json.load(f)


def fill_notice(
    *,
    organisation: Organisation,
    event: Event,
    purposes: Sequence[Purpose],
    template: Mapping[str, Mapping[str, str]] | None = None,
) -> dict[str, dict[str, str]]:
    """The template notice filled with the organisation, the event and the offered purposes."""
    template = template or notice_template()

    def listing(language: str) -> str:
        lines = []
        for p in purposes:
            if not p.can_be_offered():
                continue
            line = f"• {localized(p.title, language)}: {localized(p.description, language)}"
            for r in p.recipients:
                line += f"\n  → {r.name} ({r.contact}; {r.method}; {', '.join(r.categories)})"
            lines.append(line)
        return "\n".join(lines)

    values = {
        "org_name": organisation.name,
        "org_name_zh": organisation.name_zh or organisation.name,
        "org_address": organisation.address,
        "org_email": organisation.contact_email,
        "org_phone": organisation.contact_phone,
        "rights_contact": organisation.rights_contact,
        "retention_days": str(event.retention_days),
        "purposes_zh": listing("zh-CN"),
        "purposes_en": listing("en"),
    }
    # ``{purposes}``: the offered purposes in the body's own language (every language's template
    # uses it; ``{purposes_zh}``/``{purposes_en}`` stay for templates written before).
    return {
        language: {key: text.format(**values, purposes=listing(language)) for key, text in body.items()}
        for language, body in template.items()
    }


def demo_purposes() -> list[Purpose]:
    return standard_purposes(with_recipients=True)


def demo_assessment() -> ImpactAssessment:
    """The example impact assessment that lets the demo offer its sharing, cross-border and
    publication purposes (PIPL Art. 55)."""
    return ImpactAssessment(
        id=new_id(),
        purposes=tuple(STANDARD_PROCESSING),
        answers={
            "scope": "Name, company, title, phone and email of visitors who opt in; given to the named "
                     "distributor, the group's CRM in Germany, and published as a case study.",
            "lawfulness": "Separate consent (Arts. 23, 25, 39); only the fields each recipient needs.",
            "rights_impact": "Unwanted contact by the recipients; publication of name and photo.",
            "security_risk": "Leak in transfer or at the recipient: medium likelihood, limited harm.",
            "measures": "Encrypted transfer, contracts with each recipient, withdrawal honoured within "
                        "15 days, published material taken down on withdrawal.",
            "conclusion": "Acceptable with the measures above; reviewed every year.",
        },
        risk_level="low",
        approver="Data Protection Officer",
        approved_on=date.today(),
        recorded_at=datetime.now().astimezone(),
        operator=DEMO_STAFF[0][1],
    )


def demo_setup() -> dict[str, object]:
    """The example setup (``init --demo``, tests, benchmarks), as ``configuration.configure``
    takes it: the same road and the same checks as the first-run wizard."""
    event, purposes = demo_event(), demo_purposes()
    return {
        "organisation": DEMO_ORGANISATION,
        "event": event,
        "purposes": purposes,
        "notice_sections": fill_notice(organisation=DEMO_ORGANISATION, event=event, purposes=purposes),
        "staff": DEMO_STAFF,
        "staff_pin": DEMO_STAFF_PIN,
        "assessments": (demo_assessment(),),
    }
