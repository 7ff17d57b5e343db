"""Evidence: certificates, verification, the ledger check, the root of trust, trusted time."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from consentbooth.cli.common import Adder, out, progress, unlock, unlocked
from consentbooth.core.errors import UserFacingError
from consentbooth.core.files import read_user_file

# verify's exit codes: what is known of a certificate
EXIT_VALID, EXIT_INVALID, EXIT_UNTRUSTED = 0, 1, 3


def cmd_certificate(args: argparse.Namespace) -> int:
    with unlocked(args) as booth:
        count = booth.export_certificate(args.lead, Path(args.out), history=args.all)
    out({"file": args.out, "certificates": count})
    return 0


def cmd_certificates(args: argparse.Namespace) -> int:
    with unlocked(args) as booth:
        count = booth.export_event_certificates(
            event_id=args.event or booth.current_event().id, target=Path(args.out),
            progress=progress("certificates"),
        )
    sys.stderr.write("\n")
    out({"file": args.out, "certificates": count})
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    """VALID (exit 0) only when the signer chains to a root given with --trust, imported with
    ``trust add``, or held by --vault; intact but unanchored: "signer not established" (exit 3);
    anything altered: INVALID (exit 1)."""
    from consentbooth.services.certificates import verify_certificate

    pdf = read_user_file(args.file)
    roots = [read_user_file(path) for path in args.trust or ()]
    booth = unlock(args) if args.vault or getattr(args, "hub", None) else None
    try:
        result = verify_certificate(booth.ctx if booth else None, pdf, trust_roots=roots)
    finally:
        if booth:
            booth.lock()
    if args.json:
        out({"outcome": result.outcome, "verdict": result.verdict, "root_fingerprint": result.root_fingerprint,
             "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in result.checks]})
    else:
        sys.stdout.write(result.verdict + "\n")
        for check in result.checks:
            sys.stdout.write(f"  [{'ok' if check.ok else 'FAIL'}] {check.name}: {check.detail}\n")
    return {"valid": EXIT_VALID, "untrusted": EXIT_UNTRUSTED}.get(result.outcome, EXIT_INVALID)


def cmd_verify_ledger(args: argparse.Namespace) -> int:
    with unlocked(args) as booth:
        report = booth.verify_ledger()
    if report.ok:
        sys.stdout.write(
            f"Ledger verified: {report.checked} events, every hash and signature valid; "
            f"the details of {report.leads_checked} people match their last capture or correction.\n"
        )
        return 0
    where = f" at event {report.first_bad}" if report.first_bad else ""
    who = f" (lead {report.lead_id})" if report.lead_id else ""
    sys.stderr.write(f"Ledger verification FAILED{where}{who}: {report.reason}.\n")
    return 1


def cmd_root(args: argparse.Namespace) -> int:
    """The organisation's root this vault trusts: its fingerprint, and a file ops can publish."""
    with unlocked(args) as booth:
        root = booth.export_root(Path(args.export), der=args.der) if args.export else booth.root_info()
    out({"fingerprint": root.fingerprint, "fingerprint_display": root.display_fingerprint,
         "subject": root.subject, "valid_until": root.not_after, "organisation_vault": root.holds_key,
         "device_fingerprint": root.device_fingerprint, "exported": args.export})
    return 0


def cmd_enrol_device(args: argparse.Namespace) -> int:
    """An enrolment file for a new laptop (or hub); its code is printed once, on stderr."""
    with unlocked(args) as booth:
        enrolment = booth.save_enrolment(Path(args.out), role=args.role)
    out({"file": args.out, "device_id": enrolment.device_id, "role": args.role,
         "root_fingerprint": enrolment.root_fingerprint})
    sys.stderr.write(f"Enrolment code (tell it to the person at the laptop; it is not stored): {enrolment.code}\n")
    return 0


def cmd_trust(args: argparse.Namespace) -> int:
    """The roots this computer's ``verify`` trusts without a vault (``add``, ``list``, ``remove``)."""
    from consentbooth.services import trust

    if args.action == "add":
        if not args.file:
            raise UserFacingError("Name the root certificate to trust: consentbooth trust add ROOT.pem")
        root = trust.import_trust_root(read_user_file(args.file))
        out({"added": root.fingerprint, "subject": root.subject, "valid_until": root.not_after})
    elif args.action == "remove":
        out({"removed": trust.remove_trust_root(args.file or "")})
    else:
        out([{"fingerprint": r.fingerprint, "subject": r.subject, "valid_until": r.not_after}
             for r in trust.trusted_root_list()])
    return 0


def cmd_tsa(args: argparse.Namespace) -> int:
    with unlocked(args) as booth:
        url = booth.set_tsa_url(None if args.off else args.url)
    out({"tsa_url": url})
    return 0


def cmd_checkpoint(args: argparse.Namespace) -> int:
    """Have the configured time-stamping authority timestamp every chain head not stamped yet."""
    with unlocked(args) as booth:
        made = booth.timestamp_chain_heads()
    out([{"device_id": c.device_id, "device_seq": c.device_seq, "hash": c.hash,
          "stamped_at": c.stamped_at} for c in made])
    return 0


def register(add: Adder) -> None:
    p = add("certificate", cmd_certificate, "write a person's latest certificate (PDF)")
    p.add_argument("--lead", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--all", action="store_true", help="every certificate of the person, as a ZIP")
    p = add("certificates", cmd_certificates, "every certificate of an event, as a ZIP")
    p.add_argument("--event", help="event id (default: the current event)")
    p.add_argument("--out", required=True)
    p = add("verify", cmd_verify, "verify a certificate PDF (exit 0 valid, 1 invalid, 3 signer not established)")
    p.add_argument("file")
    p.add_argument("--trust", action="append", metavar="ROOT.pem",
                   help="the organisation's root certificate (repeatable)")
    p.add_argument("--json", action="store_true")
    add("verify-ledger", cmd_verify_ledger,
        "check every hash and signature of the ledger, and every person's details against it")
    p = add("root", cmd_root, "the organisation's root of trust: fingerprint; --export to publish it")
    p.add_argument("--export", metavar="FILE", help="write the root certificate (PEM; --der for DER)")
    p.add_argument("--der", action="store_true")
    p = add("enrol-device", cmd_enrol_device, "an enrolment file for a new laptop (organisation vault only)")
    p.add_argument("--out", required=True)
    p.add_argument("--role", choices=("device", "hub"), default="device")
    p = add("trust", cmd_trust, "roots `verify` trusts on this computer: add ROOT.pem | list | remove FP",
            vault=False)
    p.add_argument("action", choices=("add", "list", "remove"))
    p.add_argument("file", nargs="?", help="ROOT.pem (add) or a fingerprint (remove)")
    p = add("tsa", cmd_tsa, "set the RFC 3161 time-stamping authority (none by default)")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--url")
    group.add_argument("--off", action="store_true")
    add("checkpoint", cmd_checkpoint, "timestamp the ledger's chain heads now (needs a TSA)")
