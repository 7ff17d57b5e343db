"""Personal-information impact assessments (PIPL Arts. 55-56) and the gate they open.

A purpose that provides data to another handler, transfers it abroad or publishes it
(``Purpose.assessment_reasons``) may be offered only once an assessment covering it has been
recorded. The questionnaire follows the headings of GB/T 39335-2020 (信息安全技术 个人信息安全
影响评估指南: data mapping, lawfulness and necessity, impact on rights and interests, security
risk and its likelihood, measures and their effectiveness, the conclusion), which are also the
three items Art. 56 requires. The record is kept at least three years (Art. 56).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from consentbooth.core.errors import ValidationError
from consentbooth.domain.models import Purpose, localized
from consentbooth.domain.validation import clean_text

SCHEMA = "consentbooth.impact-assessment/1"
KEEP_YEARS = 3  # PIPL Art. 56: the report and the processing record, at least three years

# (key, Chinese heading, English heading): the questionnaire, in GB/T 39335-2020's order.
HEADINGS: tuple[tuple[str, str, str], ...] = (
    ("scope", "处理目的、范围与方式(数据映射)", "Purpose, scope and means of processing (data mapping)"),
    ("lawfulness", "合法性、正当性与必要性", "Lawfulness, legitimacy and necessity"),
    ("rights_impact", "对个人权益的影响", "Impact on the person's rights and interests"),
    ("security_risk", "安全风险及其发生可能性", "Security risks and their likelihood"),
    ("measures", "保护措施及其有效性", "Protective measures and their effectiveness"),
    ("conclusion", "评估结论与剩余风险", "Conclusion and residual risk"),
)
RISK_LEVELS = ("low", "medium", "high")
MAX_ANSWER = 4000


@dataclass(frozen=True, kw_only=True)
class ImpactAssessment:
    id: str
    purposes: tuple[str, ...]  # the purpose codes it covers
    answers: Mapping[str, str]  # heading key -> answer
    risk_level: str  # residual risk after the measures: low, medium, high
    approver: str  # who approved the processing on this assessment's basis
    approved_on: date
    recorded_at: datetime  # timezone-aware
    operator: str

    @property
    def keep_until(self) -> date:
        try:
            return self.approved_on.replace(year=self.approved_on.year + KEEP_YEARS)
        except ValueError:  # 29 February
            return self.approved_on.replace(year=self.approved_on.year + KEEP_YEARS, day=28)

    def to_record(self) -> dict[str, object]:
        """The JSON-ready body that is canonicalised (RFC 8785) and signed."""
        return {
            "schema": SCHEMA,
            "standard": "GB/T 39335-2020",
            "law": "PIPL Arts. 55-56",
            "id": self.id,
            "purposes": list(self.purposes),
            "answers": {key: self.answers[key] for key, _zh, _en in HEADINGS},
            "risk_level": self.risk_level,
            "approver": self.approver,
            "approved_on": self.approved_on.isoformat(),
            "keep_until": self.keep_until.isoformat(),
            "recorded_at": self.recorded_at.isoformat(),
            "operator": self.operator,
        }

    @classmethod
    def from_record(cls, record: Mapping[str, object]) -> ImpactAssessment:
        answers = record["answers"]
        assert isinstance(answers, Mapping)
        return cls(
            id=str(record["id"]),
            purposes=tuple(str(c) for c in record["purposes"]),  # type: ignore[attr-defined]
            answers={str(k): str(v) for k, v in answers.items()},
            risk_level=str(record["risk_level"]),
            approver=str(record["approver"]),
            approved_on=date.fromisoformat(str(record["approved_on"])),
            recorded_at=datetime.fromisoformat(str(record["recorded_at"])),
            operator=str(record["operator"]),
        )


def check_answers(answers: Mapping[str, str]) -> dict[str, str]:
    """Every heading answered (cleaned); unknown headings refused."""
    known = {key for key, _zh, _en in HEADINGS}
    unknown = sorted(set(answers) - known)
    if unknown:
        raise ValidationError(
            "answers", "“{key}” is not a heading of the impact assessment; use {keys}.",
            key=unknown[0], keys=", ".join(k for k, _zh, _en in HEADINGS),
        )
    cleaned = {}
    for key, _zh, en in HEADINGS:
        text = clean_text(key, str(answers.get(key, "")), allow_newlines=True)
        if not text:
            raise ValidationError(key, "Answer “{heading}” in the impact assessment.", heading=en)
        if len(text) > MAX_ANSWER:
            raise ValidationError(
                key, "The answer to “{heading}” is longer than {n} characters.", heading=en, n=MAX_ANSWER
            )
        cleaned[key] = text
    return cleaned


def check_scope(codes: Sequence[str], purposes: Sequence[Purpose]) -> tuple[str, ...]:
    """The covered purposes exist in the setup; at least one."""
    codes = tuple(dict.fromkeys(c.strip() for c in codes if c.strip()))
    if not codes:
        raise ValidationError("purposes", "Name the purposes this impact assessment covers.")
    known = {p.code for p in purposes}
    for code in codes:
        if code not in known:
            raise ValidationError("purposes", "There is no purpose “{code}” in the setup.", code=code)
    return codes


def check_risk_level(level: str) -> str:
    if level not in RISK_LEVELS:
        raise ValidationError(
            "risk_level", "The residual risk is low, medium or high, not “{level}”.", level=level[:40]
        )
    return level


def unassessed(purposes: Sequence[Purpose], assessed: Collection[str]) -> list[Purpose]:
    """Offered purposes that need an impact assessment (Art. 55) and have none."""
    return [
        p for p in purposes if p.can_be_offered() and p.assessment_reasons() and p.code not in assessed
    ]


def check_assessed(purposes: Sequence[Purpose], assessed: Collection[str], language: str | None = None) -> None:
    """Refuse offering a purpose that shares, transfers abroad or publishes without an assessment
    (the purpose named in ``language``; in both languages when None)."""
    missing = unassessed(purposes, assessed)
    if missing:
        title = missing[0].title
        name = localized(title, language) if language else " / ".join(
            dict.fromkeys(localized(title, lang) for lang in ("zh-CN", "en")))
        raise ValidationError(
            "purposes",
            "“{title}” gives personal information to others, sends it abroad or publishes it: record a "
            "personal-information impact assessment for it (More › Impact assessments…) before "
            "offering it.",
            title=name,
        )
