"""The rest of the PIPL lifecycle on the command line (issue #16): impact assessments and the
purposes they open.

    consentbooth assessment --vault V --purposes partner_sharing,cross_border --answers PIA.json
                            --risk low --approver "Li Na" [--approved-on 2026-05-01] [--operator WF]
    consentbooth assessments --vault V        # JSON: every assessment recorded, with its id
    consentbooth purposes --vault V [--offer CODE ...] [--stop CODE ...]   # JSON: what is offered

``PIA.json`` answers each heading of GB/T 39335-2020 by key: scope, lawfulness, rights_impact,
security_risk, measures, conclusion. A purpose that shares, transfers abroad or publishes is
offered only once an assessment covering it is recorded (PIPL Art. 55).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace

from consentbooth.cli.common import Adder, date_option, out, read_file, unlocked
from consentbooth.core.errors import ValidationError


def _codes(text: str | None) -> list[str]:
    return [c.strip() for c in (text or "").split(",") if c.strip()]


def _answers(path: str | None) -> dict[str, str]:
    if not path:
        raise ValidationError("answers", "Name the answers file: --answers PIA.json.")
    try:
        answers = json.loads(read_file(path))
    except ValueError:
        answers = None
    if not isinstance(answers, dict) or not all(isinstance(v, str) for v in answers.values()):
        raise ValidationError(
            "answers", "The answers file must be a JSON object of heading: text, e.g. {{\"scope\": \"…\"}}."
        )
    return answers


def _assessment(a) -> dict:
    return {"id": a.id, "purposes": list(a.purposes), "risk_level": a.risk_level, "approver": a.approver,
            "approved_on": a.approved_on.isoformat(), "keep_until": a.keep_until.isoformat(),
            "recorded_at": a.recorded_at.isoformat(), "operator": a.operator, "answers": dict(a.answers)}


def cmd_assessment(args: argparse.Namespace) -> int:
    answers = _answers(args.answers)
    with unlocked(args) as booth:
        assessment = booth.record_assessment(
            purposes=_codes(args.purposes), answers=answers, risk_level=args.risk,
            approver=args.approver or "", approved_on=date_option("--approved-on", args.approved_on),
            operator=args.operator,
        )
        out(_assessment(assessment))
    return 0


def cmd_assessments(args: argparse.Namespace) -> int:
    with unlocked(args) as booth:
        out([_assessment(a) for a in booth.list_assessments()])
    return 0


def cmd_purposes(args: argparse.Namespace) -> int:
    offer, stop = set(_codes(",".join(args.offer or ()))), set(_codes(",".join(args.stop or ())))
    with unlocked(args) as booth:
        purposes = booth.editable_purposes()
        unknown = sorted((offer | stop) - {p.code for p in purposes})
        if unknown:
            raise ValidationError("purposes", "There is no purpose “{code}” in the setup.", code=unknown[0])
        if offer or stop:
            booth.update_purposes([
                replace(p, enabled=True) if p.code in offer else replace(p, enabled=False) if p.code in stop else p
                for p in purposes
            ])
        assessed = booth.assessment_ids()
        out([{"code": p.code, "offered": p.can_be_offered(), "needs_assessment": list(p.assessment_reasons()),
              "assessment": assessed.get(p.code)} for p in booth.editable_purposes()])
    return 0


def register(add: Adder) -> None:
    p = add("assessment", cmd_assessment, "record a personal-information impact assessment (PIPL Art. 55)")
    p.add_argument("--purposes", required=True, help="the purpose codes it covers, comma-separated")
    p.add_argument("--answers", help="JSON file: scope, lawfulness, rights_impact, security_risk, measures, "
                                     "conclusion")
    p.add_argument("--risk", default="", help="residual risk: low, medium or high")
    p.add_argument("--approver", help="who approved it")
    p.add_argument("--approved-on", help="YYYY-MM-DD (default: today)")
    p.add_argument("--operator")
    add("assessments", cmd_assessments, "the impact assessments recorded (JSON)")
    p = add("purposes", cmd_purposes, "offer or stop purposes; list them with their assessments (JSON)")
    p.add_argument("--offer", action="append", metavar="CODE[,CODE]", help="start offering these purposes")
    p.add_argument("--stop", action="append", metavar="CODE[,CODE]", help="stop offering these purposes")
