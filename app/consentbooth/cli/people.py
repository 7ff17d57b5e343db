"""Commands about people at the booth: a new vault, captures, a person's record and rights."""

from __future__ import annotations

import argparse
import sys

from consentbooth.cli.common import (
    Adder,
    date_option,
    note,
    out,
    secret,
    unlocked,
    vault_path,
)
from consentbooth.core.errors import UserFacingError
from consentbooth.core.files import read_user_file
from consentbooth.domain.vocabulary import field_both
from consentbooth.services.booth import Booth

ENROL_CODE_ENV = "CONSENTBOOTH_ENROLMENT_CODE"


def cmd_init(args: argparse.Namespace) -> int:
    """A new vault: this laptop is the organisation (its own root), or with --enrol it joins the
    organisation that made the enrolment file."""
    path = vault_path(args)
    enrolment = None
    if args.enrol:
        from consentbooth.services.trust import read_enrolment_file

        data = read_user_file(args.enrol)
        enrolment = read_enrolment_file(data, secret(ENROL_CODE_ENV, prompt="Enrolment code: "))
    booth = Booth.create(path, secret(confirm=True), demo=args.demo, role=args.role,
                         enrolment=enrolment, organisation_name=args.organisation)
    try:
        event = booth.current_event()
        root = booth.root_info()
        out({"vault": str(path), "device_id": booth.device_id, "role": booth.role,
             "event": event.id if event else None, "root_fingerprint": root.fingerprint,
             "organisation_root": root.holds_key})
    finally:
        booth.lock()
    return 0


def _read_input(path: str) -> bytes:
    """The bytes of ``--input`` (``-``: standard input), at most the contract's size limit + 1."""
    from consentbooth.domain.contract import MAX_INPUT_BYTES  # pydantic: capture only

    limit = MAX_INPUT_BYTES + 1
    try:
        if path == "-":
            return sys.stdin.buffer.read(limit)
        with open(path, "rb") as f:
            return f.read(limit)
    except OSError as exc:
        raise UserFacingError(
            "Cannot read {path}: {reason}", path=path, reason=exc.strerror or type(exc).__name__
        ) from None


def _certificate(booth: Booth, ledger_id: str, result: dict[str, object]) -> None:
    """Issue the certificate of what was just stored. Its failure (a hub vault has no setup to
    state, say) never turns the stored capture or withdrawal into an error: the output says
    ``certificate_id: null`` and why, stderr has one note line, and the exit code stays 0."""
    try:
        result["certificate_id"] = booth.issue_certificate(ledger_id)
    except UserFacingError as exc:
        result["certificate_id"] = None
        result["certificate_problem"] = exc.localized("en")
        note("Note: stored, but no certificate was issued: " + exc.localized("en"))


def cmd_capture(args: argparse.Namespace) -> int:
    """One capture document (a JSON object) or a list of them (all or nothing), checked against
    the strict input contract (domain/contract.py)."""
    from consentbooth.domain.contract import load_json  # pydantic: capture only

    documents = load_json(_read_input(args.input))
    with unlocked(args) as booth:
        results = booth.capture_documents(documents)
        outs: list[dict[str, object]] = []
        for result in results:
            one: dict[str, object] = {
                "lead_id": result.lead_id,
                "ledger_id": result.ledger_id,
                "granted": list(result.granted),
                "declined": result.declined,
            }
            if result.ledger_id and not args.no_certificate:
                _certificate(booth, result.ledger_id, one)
            outs.append(one)
    out(outs if isinstance(documents, list) else outs[0])
    return 0


def cmd_leads(args: argparse.Namespace) -> int:
    with unlocked(args) as booth:
        rows = booth.search(args.search or "", limit=args.limit)
    if args.json:
        out([r.__dict__ for r in rows])
    else:
        for r in rows:
            mark = " (erased)" if r.erased else ""
            sys.stdout.write(f"{r.id}  {r.captured_at[:16]}  {r.name}  {r.company}  {r.phone}{mark}\n")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    with unlocked(args) as booth:
        rec = booth.record(args.lead)
    out(
        {
            "lead_id": rec.lead.id,
            "event": rec.event.name if rec.event else None,
            "fields": dict(rec.lead.fields),
            # each field's label as the console and the certificate show it (a question's own)
            "labels": {
                k: field_both(k, rec.event.questions if rec.event else ()) for k in rec.lead.fields
            },
            "captured_at": rec.lead.captured_at.isoformat(),
            "erased_at": rec.lead.erased_at.isoformat() if rec.lead.erased_at else None,
            "purposes": {s.code: s.state for s in rec.states},
            "history": [e.to_record() for e in rec.history],
        }
    )
    return 0


def cmd_withdraw(args: argparse.Namespace) -> int:
    request_date = date_option("--request-date", args.request_date)
    with unlocked(args) as booth:
        ledger_id = booth.withdraw(
            lead_id=args.lead,
            purposes=args.purpose,
            channel=args.channel,
            request_date=request_date,
            operator=args.operator,
            note=args.note or "",
            takedown=args.takedown or (),
        )
        result: dict[str, object] = {"lead_id": args.lead, "ledger_id": ledger_id, "withdrawn": args.purpose}
        _certificate(booth, ledger_id, result)
    out(result)
    return 0


def cmd_erase(args: argparse.Namespace) -> int:
    with unlocked(args) as booth:
        ledger_id = booth.erase(lead_id=args.lead, operator=args.operator)
    out({"lead_id": args.lead, "ledger_id": ledger_id, "erased": True})
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    with unlocked(args) as booth:
        purged = booth.purge_expired()
    out({"erased": len(purged), "lead_ids": purged})
    return 0


def register(add: Adder) -> None:
    p = add("init", cmd_init, "create a vault: the organisation's own, or with --enrol one that joins it")
    p.add_argument("--demo", action="store_true", help="with an example organisation, event, notice, purposes")
    p.add_argument("--role", choices=("booth", "hub"), default="booth")
    p.add_argument("--enrol", metavar="FILE",
                   help=f"enrolment file from the organisation (its code: prompt or ${ENROL_CODE_ENV})")
    p.add_argument("--organisation", metavar="NAME", help="the organisation's name for its new root")
    p = add("capture", cmd_capture, "capture a lead from LEAD.json (prints JSON)")
    p.add_argument("--input", required=True, help="LEAD.json, or - for standard input")
    p.add_argument("--no-certificate", action="store_true", help="skip issuing the PDF certificate")
    p = add("leads", cmd_leads, "list or search leads")
    p.add_argument("--search")
    p.add_argument("--json", action="store_true")
    p.add_argument("--limit", type=int, default=200)
    p = add("show", cmd_show, "a person's whole record (JSON)")
    p.add_argument("--lead", required=True)
    p = add("withdraw", cmd_withdraw, "record a withdrawal")
    p.add_argument("--lead", required=True)
    p.add_argument("--purpose", required=True, action="append")
    p.add_argument("--channel", default="in_person", help="in_person, phone, email, wechat, hub")
    p.add_argument("--request-date", help="YYYY-MM-DD (default today)")
    p.add_argument("--operator")
    p.add_argument("--note")
    p.add_argument("--takedown", action="append", metavar="PLACE",
                   help="repeat: where published material must be taken down (a publication consent)")
    p = add("erase", cmd_erase, "erase a person's details (evidence stays)")
    p.add_argument("--lead", required=True)
    p.add_argument("--operator")
    add("purge", cmd_purge, "erase leads kept past their event's retention period (report as JSON)")
