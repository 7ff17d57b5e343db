"""Marketing ops: exports, suppression lists, ops keys, bundles, merging them, devices."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from consentbooth.cli.common import Adder, note, out, progress, unlocked
from consentbooth.core.errors import UserFacingError

# The shipped presets' names (kept here so that --help needs no import of the export code; a
# test checks they equal consentbooth.exports.presets).
PRESETS = ("generic", "salesforce", "salesforce-dataloader", "hubspot")
SUPPRESSION_PRESETS = ("salesforce-optout", "salesforce-dataloader-optout", "hubspot-optout")


def _result(args: argparse.Namespace, count: int, **more: object) -> dict:
    rejects = getattr(count, "rejects_file", None)
    return {"file": args.out, "rows": int(count), "rejected": getattr(count, "rejected", 0),
            "rejects_file": str(rejects) if rejects else None, **more}


def cmd_export(args: argparse.Namespace) -> int:
    with unlocked(args) as booth, progress("export", "rows") as shown:
        count = booth.export_leads(
            purposes=args.purpose, event_ids=args.event or None, format=args.format,
            preset=args.preset, target=Path(args.out), recipient=args.recipient or "",
            operator=args.operator, progress=shown,
        )
    out(_result(args, count, purposes=args.purpose, format=args.format, preset=args.preset))
    if count.rejected:
        note(f"{count.rejected:,} leads were not exported; {count.rejects_file} says why.")
    return 0


def cmd_suppression(args: argparse.Namespace) -> int:
    if args.hashed and args.preset:
        raise UserFacingError("Choose --hashed or --preset, not both: a CRM's opt-out file has its own columns.")
    with unlocked(args) as booth, progress("suppression", "people") as shown:
        count = booth.export_suppression(
            target=Path(args.out), hashed=args.hashed, format=args.format, preset=args.preset,
            recipient=args.recipient or "", operator=args.operator, progress=shown,
        )
    out(_result(args, count, hashed=args.hashed, preset=args.preset))
    if count.rejected:
        note(f"{count.rejected:,} people are not in the file; {count.rejects_file} says why.")
    return 0


def cmd_presets(args: argparse.Namespace) -> int:
    """The shipped presets (JSON); ``--copy NAME --out FILE`` saves one to edit; ``--check FILE``
    reads a preset file and says what is wrong with it, if anything."""
    from consentbooth.core.files import write_atomic
    from consentbooth.services import exports

    if args.check:
        info = exports.preset_info(Path(args.check))
        out({"file": args.check, "name": info.name, "title": info.title, "kind": info.kind, "ok": True})
        return 0
    if args.copy:
        if not args.out:
            raise UserFacingError("Name the file to save the copy in with --out FILE.")
        target = Path(args.out)
        if target.exists() and not args.force:
            raise UserFacingError("{path} already exists; choose another name or add --force.",
                                  path=str(target))
        write_atomic(target, exports.preset_text(args.copy).encode("utf-8"))
        out({"file": str(target), "copied_from": args.copy})
        return 0
    out([{"name": p.name, "title": p.title, "kind": p.kind} for p in exports.shipped_preset_infos()])
    return 0


def cmd_keygen_ops(args: argparse.Namespace) -> int:
    from consentbooth.services.transfer import create_ops_keys

    sys.stdout.write(create_ops_keys(Path(args.out)) + "\n")
    return 0


def cmd_bundle(args: argparse.Namespace) -> int:
    with unlocked(args) as booth, progress("bundle", "leads") as shown:
        count = booth.create_bundle(recipient=args.recipient, target=Path(args.out),
                                    operator=args.operator, progress=shown)
    out({"file": args.out, "leads": count, "recipient": args.recipient})
    return 0


def cmd_merge(args: argparse.Namespace) -> int:
    """Each bundle on its own: one JSON result per bundle; exit 1 if any was refused. A hub that
    does not exist yet is created as the organisation's (it enrols the laptops)."""
    from consentbooth.services.transfer import read_ops_identity

    identity = read_ops_identity(Path(args.identity))
    from consentbooth.cli.hub import open_hub

    hub = open_hub(args, create=True)  # a hub vault (made if missing) or a PostgreSQL hub
    try:
        with progress("merge", "leads") as shown:
            results = hub.merge_files(paths=[Path(b) for b in args.bundles], identity_text=identity,
                                      progress=shown, approve_devices=args.approve_device or ())
        if args.timestamp and hub.tsa_url():
            hub.timestamp_chain_heads()
    finally:
        hub.lock()
    out([r.__dict__ for r in results])
    for r in results:
        if not r.ok:
            note(f"Rejected {r.bundle}: {r.reason}")
    return 0 if all(r.ok for r in results) else 1


def cmd_devices(args: argparse.Namespace) -> int:
    """Every device whose chain this vault holds, and who vouches for it."""
    with unlocked(args) as booth:
        found = booth.known_devices()
    out([{"device_id": d.device_id, "fingerprint": d.fingerprint, "role": d.role,
          "trusted_by": d.trust.how or None, "events": d.events} for d in found])
    return 0


def cmd_sharing_log(args: argparse.Namespace) -> int:
    with unlocked(args) as booth:
        entries = booth.sharing_log()
    out([e.__dict__ for e in entries])
    return 0


def register(add: Adder) -> None:
    presets = ", ".join(PRESETS)
    p = add("export", cmd_export, "consent-scoped export for a CRM")
    p.add_argument("--purpose", required=True, action="append", help="repeat: all must be granted")
    p.add_argument("--event", action="append", help="event id (repeatable; default: all)")
    p.add_argument("--format", choices=("csv", "xlsx", "jsonl"), default="csv")
    p.add_argument("--preset", default="generic", metavar="NAME|FILE",
                   help=f"columns: {presets}, or a preset file (.toml) copied with "
                        "'consentbooth presets --copy NAME --out FILE' and edited")
    p.add_argument("--out", required=True)
    p.add_argument("--recipient", help="who receives the file (for the sharing log)")
    p.add_argument("--operator")
    p = add("suppression", cmd_suppression, "withdrawals and erasures for the CRM")
    p.add_argument("--hashed", action="store_true", help="SHA-256 of the normalised email/phone")
    p.add_argument("--preset", metavar="NAME|FILE",
                   help=f"a CRM's own opt-out shape: {', '.join(SUPPRESSION_PRESETS)}, or a file")
    p.add_argument("--format", choices=("csv", "xlsx", "jsonl"), default="csv")
    p.add_argument("--out", required=True)
    p.add_argument("--recipient", help="who receives the file (for the sharing log)")
    p.add_argument("--operator")
    p = add("presets", cmd_presets, "list the export presets; copy one to edit; check a preset file",
            vault=False)
    p.add_argument("--copy", metavar="NAME", help="save this shipped preset to --out, to edit")
    p.add_argument("--out", help="where --copy saves the preset (.toml)")
    p.add_argument("--force", action="store_true", help="replace an existing --out file")
    p.add_argument("--check", metavar="FILE", help="read a preset file; exit 2 with the reason if unusable")
    p = add("keygen-ops", cmd_keygen_ops, "create marketing ops' age key pair; prints the public key", vault=False)
    p.add_argument("--out", required=True, help="identity file (keep it secret, at ops only)")
    p = add("bundle", cmd_bundle, "encrypted, signed transfer bundle for marketing ops")
    p.add_argument("--recipient", required=True, help="ops' age public key (age1...)")
    p.add_argument("--out", required=True, help="the bundle file, e.g. laptop-a.cbbundle")
    p.add_argument("--operator")
    p = add("merge", cmd_merge, "merge laptop bundles into a hub vault (created if missing) or a PostgreSQL hub",
            vault=False)
    p.add_argument("--hub", required=True, help="a hub vault file or a postgresql:// URL")
    p.add_argument("--hub-key-file", metavar="FILE", help="a PostgreSQL hub's key file (else its passphrase)")
    p.add_argument("--identity", required=True, help="ops' age identity file")
    p.add_argument("--approve-device", action="append", metavar="FINGERPRINT",
                   help="accept bundles of this device (as a refusal names it); repeatable")
    p.add_argument("--no-timestamp", dest="timestamp", action="store_false",
                   help="skip time-stamping the chain heads (done when a TSA is configured)")
    p.add_argument("bundles", nargs="+", metavar="BUNDLE", help="bundle files (*.cbbundle)")
    add("devices", cmd_devices, "the devices whose ledger chains this vault holds (JSON)")
    add("sharing-log", cmd_sharing_log, "every export and bundle written from this vault (JSON)")
