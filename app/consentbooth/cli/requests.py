"""Rights requests on the command line (PIPL Arts. 44-48, 50) and the copy for the person (Art. 45).

``consentbooth request find QUERY | open | list | close ID | letter ID | policy`` and
``consentbooth copy LEAD_ID --out DIR``; each works on a vault, a hub vault or a PostgreSQL hub
(``--hub``). JSON on stdout.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from consentbooth.cli.common import Adder, date_option, out, unlocked
from consentbooth.core.errors import UserFacingError
from consentbooth.domain.requests import REQUEST_CHANNELS, RequestType, RightsRequest


def _summary(request: RightsRequest, today: date) -> dict[str, object]:
    return {**request.to_record(), "overdue": request.is_overdue(today)}


def _target(args: argparse.Namespace, what: str) -> str:
    if not args.target:
        raise UserFacingError("Name the {what}: consentbooth request {action} {what_upper}.",
                              what=what, action=args.action, what_upper=what.upper().replace(" ", "_"))
    return args.target


def cmd_request(args: argparse.Namespace) -> int:
    from consentbooth.services import requests

    today = date.today()
    received = date_option("--received", args.received)
    due = date_option("--due", args.due)
    with unlocked(args) as booth:
        ctx = booth.ctx
        if args.action == "find":
            found = requests.find_person(ctx, _target(args, "search text"))
            out([{"lead_id": r.id, "name": r.name, "company": r.company, "phone": r.phone,
                  "captured_at": r.captured_at, "erased": r.erased} for r in found])
        elif args.action == "open":
            if not args.lead or not args.type:
                raise UserFacingError("Name the person and the request: --lead LEAD_ID --type TYPE.")
            request = requests.open_request(
                ctx, lead_id=args.lead, kind=args.type, channel=args.channel,
                identity_check=args.identity_check or "", received_on=received, due_on=due,
                note=args.note or "", operator=args.operator,
            )
            out(_summary(request, today))
        elif args.action == "list":
            listed = requests.list_requests(ctx, open_only=args.open or args.overdue, lead_id=args.lead)
            if args.overdue:
                listed = [r for r in listed if r.is_overdue(today)]
            out([_summary(r, today) for r in listed])
        elif args.action == "close":
            if not args.outcome:
                raise UserFacingError("Say what was done: --outcome fulfilled, partly_fulfilled, refused, "
                                      "identity_not_verified or withdrawn_by_person.")
            closed = requests.close_request(ctx, request_id=_target(args, "request id"), outcome=args.outcome,
                                            note=args.note or "", operator=args.operator)
            out(_summary(closed, today))
        elif args.action == "letter":
            path = requests.write_letter(ctx, _target(args, "request id"), Path(args.out or "."))
            out({"request_id": args.target, "letter": str(path), "pdf": str(path.with_suffix(".pdf"))})
        else:  # policy
            if args.due_days is not None:
                requests.set_due_days(ctx, args.due_days)
            out({"due_days": requests.due_days(ctx)})
    return 0


def cmd_copy(args: argparse.Namespace) -> int:
    from consentbooth.services import personcopy

    with unlocked(args) as booth:
        files = personcopy.write_copy(booth.ctx, args.lead, Path(args.out))
    out({"lead_id": args.lead, "pdf": str(files.pdf), "json": str(files.json), "schema": personcopy.SCHEMA_ID})
    return 0


def register(add: Adder) -> None:
    p = add("request", cmd_request, "rights requests: find a person, open, list, close, answer letter, policy")
    p.add_argument("action", choices=("find", "open", "list", "close", "letter", "policy"))
    p.add_argument("target", nargs="?", help="search text (find) or request id (close, letter)")
    p.add_argument("--lead", help="the person (open; list: only theirs)")
    p.add_argument("--type", help=", ".join(t.value for t in RequestType))
    p.add_argument("--channel", default="email", help=", ".join(REQUEST_CHANNELS))
    p.add_argument("--identity-check", help="how the person's identity was verified")
    p.add_argument("--received", help="YYYY-MM-DD (default today)")
    p.add_argument("--due", help="YYYY-MM-DD (default: received + the answer period)")
    p.add_argument("--outcome", help="close: fulfilled, partly_fulfilled, refused, identity_not_verified, "
                   "withdrawn_by_person")
    p.add_argument("--note")
    p.add_argument("--operator")
    p.add_argument("--open", action="store_true", help="list: open requests only")
    p.add_argument("--overdue", action="store_true", help="list: open requests past their due date")
    p.add_argument("--out", help="letter: the folder to write it into (default .)")
    p.add_argument("--due-days", type=int, help="policy: days from receipt to the due date")
    p = add("copy", cmd_copy, "a copy of everything held about a person (PIPL Art. 45): signed bilingual PDF "
            "and JSON (docs/person-copy.schema.json)")
    p.add_argument("lead", metavar="LEAD_ID")
    p.add_argument("--out", required=True, help="the folder to write copy-LEAD_ID.pdf and .json into")
