"""Personal-information impact assessments (PIPL Arts. 55-56): record, list, verify.

A purpose that gives personal information to another handler, sends it abroad or publishes it is
offered only after an assessment covering it is recorded (the gate is in
``services/configuration.py``). An assessment is signed by this device's ledger key, chained to
the previous one and never changed nor deleted; its id is printed on the certificates of the
consents it covers (``services/certificates.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

from consentbooth.core.errors import ValidationError
from consentbooth.core.logging import get_logger
from consentbooth.domain.assessment import (
    HEADINGS,
    ImpactAssessment,
    check_answers,
    check_risk_level,
    check_scope,
)
from consentbooth.domain.models import new_id
from consentbooth.domain.validation import validate_name
from consentbooth.services.context import BoothContext, now
from consentbooth.vault import assessments as store

log = get_logger(__name__)

__all__ = ["HEADINGS", "ImpactAssessment", "assessment_ids", "list_assessments", "new_assessment",
           "record_assessment", "verify_assessments"]


def new_assessment(
    ctx: BoothContext,
    *,
    purposes: Sequence[str],
    answers: Mapping[str, str],
    risk_level: str,
    approver: str,
    approved_on: date | None = None,
    operator: str | None = None,
    known_purposes: Sequence | None = None,
) -> ImpactAssessment:
    """A checked assessment, not yet stored (``configure`` stores it with the setup it opens)."""
    today = date.today()
    approved_on = approved_on or today
    if approved_on > today:
        raise ValidationError("approved_on", "The approval date cannot be in the future.")
    if not (approver or "").strip():
        raise ValidationError("approver", "Name who approved the impact assessment.")
    return ImpactAssessment(
        id=new_id(),
        purposes=check_scope(purposes, known_purposes if known_purposes is not None else _purposes(ctx)),
        answers=check_answers(answers),
        risk_level=check_risk_level(risk_level),
        approver=validate_name(approver),
        approved_on=approved_on,
        recorded_at=now(),
        operator=ctx.operator_for(operator),
    )


def _purposes(ctx: BoothContext) -> list:
    from consentbooth.services.configuration import editable_purposes

    return editable_purposes(ctx)


def store_in(conn, ctx: BoothContext, assessment: ImpactAssessment) -> None:
    """Seal and store ``assessment`` inside the caller's transaction."""
    store.append(conn, assessment=assessment, device_id=ctx.device_id, identity=ctx.identity)


def record_assessment(ctx: BoothContext, **given) -> ImpactAssessment:
    """Record an impact assessment (see :func:`new_assessment` for the arguments); returns it."""
    assessment = new_assessment(ctx, **given)
    with _vault(ctx).transaction() as conn:
        store_in(conn, ctx, assessment)
    log.info("impact assessment recorded for %d purpose(s)", len(assessment.purposes))
    return assessment


def list_assessments(ctx: BoothContext) -> list[ImpactAssessment]:
    """Every recorded assessment, oldest first (none on a hub that is not a vault file)."""
    if ctx.vault is None:
        return []
    return [s.assessment for s in store.all_assessments(ctx.vault)]


def assessment_ids(ctx: BoothContext, *, as_of: datetime | None = None) -> dict[str, str]:
    """Purpose code -> the id of the latest assessment covering it (recorded by ``as_of``)."""
    if ctx.vault is None:
        return {}
    if as_of is None:
        return store.assessed_purposes(ctx.vault)
    return {code: a.id for a in list_assessments(ctx) if a.recorded_at <= as_of for code in a.purposes}


def verify_assessments(ctx: BoothContext) -> str | None:
    """The first problem with the stored assessments (hash, chain, signature), or None."""
    signers = {d: s.public_key_pem for d, s in ctx.hub.signers().items()}
    return store.verify(_vault(ctx), signers)


def _vault(ctx: BoothContext):
    if ctx.vault is None:
        raise ValidationError("vault", "Impact assessments are recorded in a vault file, not on a team hub.")
    return ctx.vault
