"""Vault maintenance: passphrase, backup, restore, the certificates' own signing identity."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from consentbooth.cli.common import (
    NEW_PASS_ENV,
    Adder,
    out,
    secret,
    unlocked,
    vault_path,
)
from consentbooth.core.files import read_user_file


def cmd_passwd(args: argparse.Namespace) -> int:
    old = secret()
    new = secret(NEW_PASS_ENV, prompt="New passphrase: ", confirm=True)
    with unlocked(args, old) as booth:
        booth.change_passphrase(old, new)
    sys.stdout.write("Passphrase changed.\n")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    passphrase = secret()
    with unlocked(args, passphrase) as booth:
        booth.backup(Path(args.to), passphrase)
    sys.stdout.write(f"Encrypted backup written to {args.to}.\n")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from consentbooth.services.maintenance import restore

    restore(Path(args.from_), vault_path(args), secret(), replace=args.force)
    sys.stdout.write(f"Vault restored to {vault_path(args)}.\n")
    return 0


def cmd_import_signing_cert(args: argparse.Namespace) -> int:
    data = read_user_file(args.p12)
    password = os.environ.get("CONSENTBOOTH_P12_PASSWORD")
    if password is None and sys.stdin.isatty():
        password = getpass.getpass("PKCS#12 password (empty for none): ")
    with unlocked(args) as booth:
        subject = booth.import_certificate_identity(data, password or None)
    out({"certificates_signed_by": subject})
    return 0


def register(add: Adder) -> None:
    add("passwd", cmd_passwd, f"change the passphrase (new one from a prompt or ${NEW_PASS_ENV})")
    p = add("backup", cmd_backup, "write an encrypted backup")
    p.add_argument("--to", required=True)
    p = add("restore", cmd_restore, "restore an encrypted backup")
    p.add_argument("--from", dest="from_", required=True)
    p.add_argument("--force", action="store_true", help="replace an existing vault")
    p = add("import-signing-cert", cmd_import_signing_cert,
            "sign certificates with the organisation's PKCS#12 (password: $CONSENTBOOTH_P12_PASSWORD)")
    p.add_argument("--p12", required=True)
