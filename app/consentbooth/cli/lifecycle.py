"""The rest of the PIPL lifecycle on the command line (issue #16): impact assessments and the
purposes they open; leads from third parties with their proof and the notice they are owed.

    consentbooth assessment --vault V --purposes partner_sharing,cross_border --answers PIA.json
                            --risk low --approver "Li Na" [--approved-on 2026-05-01] [--operator WF]
    consentbooth assessments --vault V        # JSON: every assessment recorded, with its id
    consentbooth purposes --vault V [--offer CODE ...] [--stop CODE ...]   # JSON: what is offered
    consentbooth import-list LIST.xlsx --vault V --proof CONTRACT.pdf --purposes a,b
                             --map name=Name,email=E-mail --source "Partner X" [--language en]
    consentbooth third-party --vault V                     # JSON: the imports, with their notices
    consentbooth third-party-notice --vault V --import ID [--text OUT.txt] [--pdf OUT.pdf]
    consentbooth notice-sent --vault V --import ID [--on 2026-05-01] [--channel email]

``PIA.json`` answers each heading of GB/T 39335-2020 by key: scope, lawfulness, rights_impact,
security_risk, measures, conclusion. A purpose that shares, transfers abroad or publishes is
offered only once an assessment covering it is recorded (PIPL Art. 55).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace

from consentbooth.cli.common import Adder, date_option, out, unlocked
from consentbooth.core.errors import ValidationError
from consentbooth.core.files import read_user_file


def _codes(text: str | None) -> list[str]:
    return [c.strip() for c in (text or "").split(",") if c.strip()]


def _answers(path: str | None) -> dict[str, str]:
    if not path:
        raise ValidationError("answers", "Name the answers file: --answers PIA.json.")
    try:
        answers = json.loads(read_user_file(path))
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
        if args.verify:  # every hash, link and signature
            problem = booth.verify_assessments()
            out({"ok": problem is None, "checked": len(booth.list_assessments()), "problem": problem})
            return 0 if problem is None else 1
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


def _pairs(values: list[str] | None) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for value in values or ():
        for pair in value.split(","):
            field, sep, column = pair.partition("=")
            if not sep or not field.strip() or not column.strip():
                raise ValidationError("map", "Write each mapping as FIELD=COLUMN, e.g. --map name=Name,email=E-mail.")
            mapping[field.strip()] = column.strip()
    return mapping


def cmd_import_list(args: argparse.Namespace) -> int:
    from pathlib import Path

    data = read_user_file(args.file)
    proof = read_user_file(args.proof) if args.proof else None
    with unlocked(args) as booth:
        result = booth.import_third_party_list(
            data=data, file_name=Path(args.file).name, proof=proof,
            proof_name=Path(args.proof).name if args.proof else "", purposes=_codes(args.purposes),
            mapping=_pairs(args.map), source=args.source or "", language=args.language,
            event_id=args.event, operator=args.operator,
        )
        out({"import": result.import_id, "people": result.people, "purposes": list(result.purposes),
             "proof_sha256": result.proof_sha256})
    return 0


def cmd_third_party(args: argparse.Namespace) -> int:
    with unlocked(args) as booth:
        out([{"import": i.id, "source": i.source, "purposes": list(i.purposes), "event": i.event_id,
              "people": i.people, "file_name": i.file_name, "file_sha256": i.file_sha256,
              "proof_name": i.proof_name, "proof_sha256": i.proof_sha256, "imported_at": i.imported_at,
              "operator": i.operator,
              "notices_sent": [{"on": n.sent_on, "channel": n.channel, "operator": n.operator}
                               for n in booth.third_party_notices(i.id)]}
             for i in booth.third_party_imports()])
    return 0


def cmd_third_party_notice(args: argparse.Namespace) -> int:
    from pathlib import Path

    with unlocked(args) as booth:
        text = booth.third_party_notice_email(args.import_id)
        written = {}
        if args.text:
            Path(args.text).write_text(text, encoding="utf-8")
            written["text"] = args.text
        if args.pdf:
            Path(args.pdf).write_bytes(booth.third_party_notice_pdf(args.import_id))
            written["pdf"] = args.pdf
        if not written:
            print(text, end="")
        else:
            out(written)
    return 0


def cmd_notice_sent(args: argparse.Namespace) -> int:
    with unlocked(args) as booth:
        sent = booth.third_party_notice_sent(
            import_id=args.import_id, sent_on=date_option("--on", args.on), channel=args.channel,
            operator=args.operator,
        )
        out({"import": sent.import_id, "sent_on": sent.sent_on, "channel": sent.channel, "operator": sent.operator})
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
    p = add("assessments", cmd_assessments, "the impact assessments recorded (JSON)")
    p.add_argument("--verify", action="store_true", help="check their hashes, chain and signatures instead")
    p = add("purposes", cmd_purposes, "offer or stop purposes; list them with their assessments (JSON)")
    p.add_argument("--offer", action="append", metavar="CODE[,CODE]", help="start offering these purposes")
    p.add_argument("--stop", action="append", metavar="CODE[,CODE]", help="stop offering these purposes")
    p = add("import-list", cmd_import_list, "import a partner's list with its proof of authorisation (§3.2)")
    p.add_argument("file", help="the partner's CSV or XLSX list")
    p.add_argument("--proof", help="the proof of authorisation: the contract or the partner's consent evidence")
    p.add_argument("--purposes", required=True, help="the purposes the proof covers, comma-separated")
    p.add_argument("--map", action="append", metavar="FIELD=COLUMN[,FIELD=COLUMN]",
                   help="which column holds name, company, title, phone, email, wechat")
    p.add_argument("--source", help="the partner the list comes from")
    p.add_argument("--language", default="zh-CN", choices=("zh-CN", "en"), help="the people's language")
    p.add_argument("--event", help="event id (default: the current event)")
    p.add_argument("--operator")
    add("third-party", cmd_third_party, "the partners' lists imported, with their proof and notices (JSON)")
    p = add("third-party-notice", cmd_third_party_notice,
            "the Art. 17 notice owed to the people of an import (text on stdout, or --text / --pdf files)")
    p.add_argument("--import", dest="import_id", required=True, help="the import id")
    p.add_argument("--text", help="write the email text here")
    p.add_argument("--pdf", help="write the PDF here")
    p = add("notice-sent", cmd_notice_sent, "log when the notice was sent to the people of an import")
    p.add_argument("--import", dest="import_id", required=True, help="the import id")
    p.add_argument("--on", help="YYYY-MM-DD (default: today)")
    p.add_argument("--channel", default="email", help="email, sms, post, wechat or phone")
    p.add_argument("--operator")
