"""A thin command-line front over the services. JSON on stdout where noted; errors: one line."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path

from consentbooth.core.errors import AppError, UserFacingError, ValidationError
from consentbooth.core.logging import get_logger, log_unexpected, setup_logging
from consentbooth.core.paths import default_vault_path
from consentbooth.domain.vocabulary import field_both
from consentbooth.services.booth import Booth

log = get_logger(__name__)

PASS_ENV = "CONSENTBOOTH_PASSPHRASE"
NEW_PASS_ENV = "CONSENTBOOTH_NEW_PASSPHRASE"


def _passphrase(env: str = PASS_ENV, *, prompt: str = "Vault passphrase: ", confirm: bool = False) -> str:
    value = os.environ.get(env)
    if value:
        return value
    if not sys.stdin.isatty():
        raise UserFacingError(
            "No passphrase: set {env} or run the command in a terminal to be asked.", env=env
        )
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("Repeat it: ") != first:
        raise UserFacingError("The two passphrases differ; nothing was changed.")
    return first


def _vault_path(args: argparse.Namespace) -> Path:
    return Path(args.vault) if getattr(args, "vault", None) else default_vault_path()


def _unlock(args: argparse.Namespace, passphrase: str | None = None) -> Booth:
    return Booth.unlock(_vault_path(args), passphrase or _passphrase())


@contextlib.contextmanager
def _unlocked(args: argparse.Namespace, passphrase: str | None = None) -> Iterator[Booth]:
    """The vault of ``--vault``, unlocked for one command and locked again whatever happens."""
    booth = _unlock(args, passphrase)
    try:
        yield booth
    finally:
        booth.lock()


def _out(value: object) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=None) + "\n")


# -- commands --------------------------------------------------------------------------------------

def cmd_init(args: argparse.Namespace) -> int:
    path = _vault_path(args)
    booth = Booth.create(path, _passphrase(confirm=True), demo=args.demo, role=args.role)
    event = booth.current_event()
    _out({"vault": str(path), "device_id": booth.device_id, "event": event.id if event else None})
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


def _certificate(booth: Booth, ledger_id: str, out: dict[str, object]) -> None:
    """Issue the certificate of what was just stored. Its failure (a hub vault has no setup to
    state, say) never turns the stored capture or withdrawal into an error: the output says
    ``certificate_id: null`` and why, stderr has one note line, and the exit code stays 0."""
    try:
        out["certificate_id"] = booth.issue_certificate(ledger_id)
    except UserFacingError as exc:
        out["certificate_id"] = None
        out["certificate_problem"] = exc.localized("en")
        sys.stderr.write(
            "Note: stored, but no certificate was issued: " + exc.localized("en") + "\n"
        )


def cmd_capture(args: argparse.Namespace) -> int:
    """One capture document (a JSON object) or a list of them (all or nothing), checked against
    the strict input contract (domain/contract.py)."""
    from consentbooth.domain.contract import load_json  # pydantic: capture only
    from consentbooth.services.capture import capture_documents

    documents = load_json(_read_input(args.input))
    with _unlocked(args) as booth:
        results = capture_documents(booth.ctx, documents)
        outs: list[dict[str, object]] = []
        for result in results:
            out: dict[str, object] = {
                "lead_id": result.lead_id,
                "ledger_id": result.ledger_id,
                "granted": list(result.granted),
                "declined": result.declined,
            }
            if result.ledger_id and not args.no_certificate:
                _certificate(booth, result.ledger_id, out)
            outs.append(out)
    _out(outs if isinstance(documents, list) else outs[0])
    return 0


def cmd_leads(args: argparse.Namespace) -> int:
    with _unlocked(args) as booth:
        rows = booth.search(args.search or "", limit=args.limit)
    if args.json:
        _out([r.__dict__ for r in rows])
    else:
        for r in rows:
            mark = " (erased)" if r.erased else ""
            sys.stdout.write(f"{r.id}  {r.captured_at[:16]}  {r.name}  {r.company}  {r.phone}{mark}\n")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    with _unlocked(args) as booth:
        rec = booth.record(args.lead)
    _out(
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


def _date(option: str, text: str | None) -> date | None:
    """A ``YYYY-MM-DD`` option, or one sentence naming it."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            option, "{option} must be a date written YYYY-MM-DD, e.g. 2025-03-31.", option=option
        ) from None


def cmd_withdraw(args: argparse.Namespace) -> int:
    request_date = _date("--request-date", args.request_date)
    with _unlocked(args) as booth:
        ledger_id = booth.withdraw(
            lead_id=args.lead,
            purposes=args.purpose,
            channel=args.channel,
            request_date=request_date,
            operator=args.operator,
            note=args.note or "",
        )
        out: dict[str, object] = {"lead_id": args.lead, "ledger_id": ledger_id, "withdrawn": args.purpose}
        _certificate(booth, ledger_id, out)
    _out(out)
    return 0


def cmd_erase(args: argparse.Namespace) -> int:
    with _unlocked(args) as booth:
        ledger_id = booth.erase(lead_id=args.lead, operator=args.operator)
    _out({"lead_id": args.lead, "ledger_id": ledger_id, "erased": True})
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    with _unlocked(args) as booth:
        purged = booth.purge_expired()
    _out({"erased": len(purged), "lead_ids": purged})
    return 0


def cmd_import_signing_cert(args: argparse.Namespace) -> int:
    try:
        data = Path(args.p12).read_bytes()
    except OSError as exc:
        raise UserFacingError("Cannot read {path}: {reason}", path=args.p12, reason=exc.strerror) from None
    password = os.environ.get("CONSENTBOOTH_P12_PASSWORD")
    if password is None and sys.stdin.isatty():
        password = getpass.getpass("PKCS#12 password (empty for none): ")
    with _unlocked(args) as booth:
        subject = booth.import_certificate_identity(data, password or None)
    _out({"certificates_signed_by": subject})
    return 0


def cmd_verify_ledger(args: argparse.Namespace) -> int:
    with _unlocked(args) as booth:
        report = booth.verify_ledger()
    if report.ok:
        sys.stdout.write(f"Ledger verified: {report.checked} events, every hash and signature valid.\n")
        return 0
    sys.stderr.write(
        f"Ledger verification FAILED at event {report.first_bad} (#{report.first_bad_seq}): "
        f"{report.reason}.\n"
    )
    return 1


def cmd_passwd(args: argparse.Namespace) -> int:
    old = _passphrase()
    new = _passphrase(NEW_PASS_ENV, prompt="New passphrase: ", confirm=True)
    with _unlocked(args, old) as booth:
        booth.change_passphrase(old, new)
    sys.stdout.write("Passphrase changed.\n")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    passphrase = _passphrase()
    with _unlocked(args, passphrase) as booth:
        booth.backup(Path(args.to), passphrase)
    sys.stdout.write(f"Encrypted backup written to {args.to}.\n")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from consentbooth.services.maintenance import restore

    restore(Path(args.from_), _vault_path(args), _passphrase(), replace=args.force)
    sys.stdout.write(f"Vault restored to {_vault_path(args)}.\n")
    return 0


def _progress(label: str):
    """A one-line progress counter on stderr (stdout stays machine-readable)."""

    def report(done: int, total: int | None = None) -> None:
        text = f"{label}: {done:,}" + (f" / {total:,}" if total else "")
        sys.stderr.write("\r" + text)
        sys.stderr.flush()

    return report


def cmd_export(args: argparse.Namespace) -> int:
    with _unlocked(args) as booth:
        count = booth.export_leads(
            purposes=args.purpose, event_ids=args.event or None, format=args.format,
            preset=args.preset, target=Path(args.out), recipient=args.recipient or "",
            operator=args.operator, progress=_progress("rows"),
        )
    sys.stderr.write("\n")
    _out({"file": args.out, "rows": count, "purposes": args.purpose, "format": args.format})
    return 0


def cmd_suppression(args: argparse.Namespace) -> int:
    with _unlocked(args) as booth:
        count = booth.export_suppression(target=Path(args.out), hashed=args.hashed, format=args.format)
    _out({"file": args.out, "rows": count, "hashed": args.hashed})
    return 0


def cmd_keygen_ops(args: argparse.Namespace) -> int:
    from consentbooth.services.transfer import create_ops_keys

    sys.stdout.write(create_ops_keys(Path(args.out)) + "\n")
    return 0


def cmd_bundle(args: argparse.Namespace) -> int:
    with _unlocked(args) as booth:
        count = booth.create_bundle(recipient=args.recipient, target=Path(args.out), operator=args.operator)
    _out({"file": args.out, "leads": count, "recipient": args.recipient})
    return 0


def cmd_merge(args: argparse.Namespace) -> int:
    from consentbooth.services.transfer import read_ops_identity

    identity = read_ops_identity(Path(args.identity))
    hub_path = Path(args.hub)
    passphrase = _passphrase()
    hub = Booth.unlock(hub_path, passphrase) if hub_path.exists() else Booth.create(hub_path, passphrase, role="hub")
    try:
        results = hub.merge_files(paths=[Path(b) for b in args.bundles], identity_text=identity, progress=_progress("merged"))
    finally:
        hub.lock()
    sys.stderr.write("\n")
    _out([r.__dict__ for r in results])
    for r in results:
        if not r.ok:
            sys.stderr.write(f"Rejected {r.bundle}: {r.reason}\n")
    return 0 if all(r.ok for r in results) else 1


def cmd_sharing_log(args: argparse.Namespace) -> int:
    with _unlocked(args) as booth:
        entries = booth.sharing_log()
    _out([e.__dict__ for e in entries])
    return 0


def cmd_certificate(args: argparse.Namespace) -> int:
    with _unlocked(args) as booth:
        count = booth.export_certificate(args.lead, Path(args.out), history=args.all)
    _out({"file": args.out, "certificates": count})
    return 0


def cmd_certificates(args: argparse.Namespace) -> int:
    with _unlocked(args) as booth:
        count = booth.export_event_certificates(
            event_id=args.event or booth.current_event().id, target=Path(args.out),
            progress=_progress("certificates"),
        )
    sys.stderr.write("\n")
    _out({"file": args.out, "certificates": count})
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from consentbooth.services.certificates import read_pdf, verify_certificate

    pdf = read_pdf(Path(args.file))
    booth = _unlock(args) if args.vault else None
    try:
        result = verify_certificate(booth.ctx if booth else None, pdf)
    finally:
        if booth:
            booth.lock()
    sys.stdout.write(result.verdict + "\n")
    for check in result.checks:
        sys.stdout.write(f"  [{'ok' if check.ok else 'FAIL'}] {check.name}: {check.detail}\n")
    return 0 if result.ok else 1


# -- parser ------------------------------------------------------------------------------------

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="consentbooth",
        description="ConsentBooth command line. The passphrase comes from a prompt or "
        f"${PASS_ENV}; it is never taken from the command line.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, func: Callable[[argparse.Namespace], int], help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_)
        p.add_argument("--vault", help="vault file (default: the per-user data folder)")
        COMMANDS[name] = func
        return p

    p = add("init", cmd_init, "create a vault")
    p.add_argument("--demo", action="store_true", help="with an example organisation, event, notice, purposes")
    p.add_argument("--role", choices=("booth", "hub"), default="booth")
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
    p = add("erase", cmd_erase, "erase a person's details (evidence stays)")
    p.add_argument("--lead", required=True)
    p.add_argument("--operator")
    add("verify-ledger", cmd_verify_ledger, "check every hash and signature of the ledger")
    p = add("import-signing-cert", cmd_import_signing_cert,
            "sign certificates with the organisation's PKCS#12 (password: $CONSENTBOOTH_P12_PASSWORD)")
    p.add_argument("--p12", required=True)
    add("purge", cmd_purge, "erase leads kept past their event's retention period (report as JSON)")
    add("passwd", cmd_passwd, f"change the passphrase (new one from a prompt or ${NEW_PASS_ENV})")
    p = add("backup", cmd_backup, "write an encrypted backup")
    p.add_argument("--to", required=True)
    p = add("restore", cmd_restore, "restore an encrypted backup")
    p.add_argument("--from", dest="from_", required=True)
    p.add_argument("--force", action="store_true", help="replace an existing vault")
    p = add("export", cmd_export, "consent-scoped export for a CRM")
    p.add_argument("--purpose", required=True, action="append", help="repeat: all must be granted")
    p.add_argument("--event", action="append", help="event id (repeatable; default: all)")
    p.add_argument("--format", choices=("csv", "xlsx", "jsonl"), default="csv")
    p.add_argument("--preset", choices=("generic", "salesforce", "hubspot"), default="generic")
    p.add_argument("--out", required=True)
    p.add_argument("--recipient", help="who receives the file (for the sharing log)")
    p.add_argument("--operator")
    p = add("suppression", cmd_suppression, "withdrawals and erasures for the CRM")
    p.add_argument("--hashed", action="store_true", help="SHA-256 of the normalised email/phone")
    p.add_argument("--format", choices=("csv", "xlsx", "jsonl"), default="csv")
    p.add_argument("--out", required=True)
    p = sub.add_parser("keygen-ops", help="create marketing ops' age key pair; prints the public key")
    p.add_argument("--out", required=True, help="identity file (keep it secret, at ops only)")
    COMMANDS["keygen-ops"] = cmd_keygen_ops
    p = add("bundle", cmd_bundle, "encrypted, signed transfer bundle for marketing ops")
    p.add_argument("--recipient", required=True, help="ops' age public key (age1...)")
    p.add_argument("--out", required=True)
    p.add_argument("--operator")
    p = sub.add_parser("merge", help="merge laptop bundles into a hub vault (created if missing)")
    p.add_argument("--hub", required=True)
    p.add_argument("--identity", required=True, help="ops' age identity file")
    p.add_argument("bundles", nargs="+")
    COMMANDS["merge"] = cmd_merge
    add("sharing-log", cmd_sharing_log, "every export and bundle written from this vault (JSON)")
    p = add("certificate", cmd_certificate, "write a person's latest certificate (PDF)")
    p.add_argument("--lead", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--all", action="store_true", help="every certificate of the person, as a ZIP")
    p = add("certificates", cmd_certificates, "every certificate of an event, as a ZIP")
    p.add_argument("--event", help="event id (default: the current event)")
    p.add_argument("--out", required=True)
    p = sub.add_parser("verify", help="verify a certificate PDF (with --vault: against its ledger)")
    p.add_argument("file")
    p.add_argument("--vault", help="also check the ledger of this vault")
    COMMANDS["verify"] = cmd_verify
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    setup_logging()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except UserFacingError as exc:
        sys.stderr.write("Error: " + exc.localized("en") + "\n")
        return 2
    except AppError as exc:
        log_unexpected(log, exc)
        sys.stderr.write("Error: " + str(exc) + "\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("Cancelled.\n")
        return 130
    except Exception as exc:  # last resort: one line, no traceback, nothing personal logged
        log_unexpected(log, exc)
        sys.stderr.write(f"Error: unexpected failure ({type(exc).__name__}); see the log.\n")
        return 1
