"""The hub on the command line: ``--hub`` (a hub vault path or a ``postgresql://`` URL) on every
ops command, and ``consentbooth hub init | add-key | rotate-key | keygen`` for a PostgreSQL hub.

Secrets never come from the command line: the database password from ``PGPASSWORD``,
``~/.pgpass`` or a prompt; the hub data key from the passphrase ($CONSENTBOOTH_PASSPHRASE or a
prompt) or a key file (``--hub-key-file`` or $CONSENTBOOTH_HUB_KEY_FILE).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from consentbooth.cli.common import NEW_PASS_ENV, PASS_ENV, Adder, out, read_file, secret
from consentbooth.core.errors import UserFacingError
from consentbooth.hub import is_postgres_url
from consentbooth.services.booth import Booth

KEY_FILE_ENV = "CONSENTBOOTH_HUB_KEY_FILE"
# The ops commands that work on a hub (a hub vault or PostgreSQL); merge has its own --hub.
HUB_COMMANDS = (
    "export", "suppression", "leads", "show", "withdraw", "erase", "purge", "sharing-log",
    "certificate", "certificates", "verify-ledger", "verify", "devices", "root", "enrol-device",
    "checkpoint",
)


def add_options(parser: argparse.ArgumentParser, *, location: bool = True) -> None:
    if location:
        parser.add_argument("--hub", metavar="HUB",
                            help="the hub: a hub vault file or a postgresql:// URL (instead of --vault)")
    parser.add_argument("--hub-key-file", metavar="FILE",
                        help=f"a PostgreSQL hub's key file (or ${KEY_FILE_ENV}; else its passphrase is asked)")


def _ask_db_password() -> str:
    return getpass.getpass("Database password: ")


def hub_key(args: argparse.Namespace, *, prompt: str = "Hub passphrase: ", confirm: bool = False):
    from consentbooth.services.hubs import HubKey

    key_file = getattr(args, "hub_key_file", None) or os.environ.get(KEY_FILE_ENV)
    if key_file:
        return HubKey(key_file_text=read_file(key_file).decode("utf-8", "replace"))
    return HubKey(passphrase=secret(PASS_ENV, prompt=prompt, confirm=confirm))


def location(args: argparse.Namespace) -> str | None:
    return getattr(args, "hub", None) or getattr(args, "vault", None)


def open_hub(args: argparse.Namespace, passphrase: str | None = None, *, create: bool = False) -> Booth:
    """The hub ``--hub`` (or ``--vault``) names, unlocked: a PostgreSQL hub with its data key, a
    vault with its passphrase (``create``: a missing hub vault is made, as merge does)."""
    from consentbooth.services.hubs import HubKey, open_ops_hub

    where = location(args)
    if where and is_postgres_url(where):
        return open_ops_hub(where, key=hub_key(args), ask_password=_ask_db_password if sys.stdin.isatty() else None)
    if not where:
        raise UserFacingError("Name the hub: --hub HUB.cbvault or --hub postgresql://user@host/database.")
    return open_ops_hub(Path(where), key=HubKey(passphrase=passphrase or secret()), create=create)


def cmd_hub(args: argparse.Namespace) -> int:
    from consentbooth.services import hubs

    if args.action == "keygen":
        if not args.out:
            raise UserFacingError("Name the new key file with --out FILE.")
        hubs.new_key_file(Path(args.out))
        out({"key_file": args.out})
        return 0
    if not args.hub or not is_postgres_url(args.hub):
        raise UserFacingError("hub {action} works on a PostgreSQL hub: --hub postgresql://user@host/database.",
                              action=args.action)
    ask = _ask_db_password if sys.stdin.isatty() else None
    if args.action == "init":
        done = hubs.init_postgres_hub(args.hub, key=hub_key(args, confirm=True), organisation_name=args.organisation,
                                      label=args.label, ask_password=ask)
        out({"hub": args.hub.split("?")[0], "schema_before": done.version_before, "schema": done.version,
             "data_key_created": done.data_key_created, "organisation_created": done.organisation_created,
             "root_fingerprint": done.root_fingerprint, "device_id": done.device_id})
        return 0
    booth = open_hub(args)
    try:
        if args.action == "add-key":
            if args.new_key_file:
                new = hubs.HubKey(key_file_text=read_file(args.new_key_file).decode("utf-8", "replace"))
            else:
                new = hubs.HubKey(passphrase=secret(NEW_PASS_ENV, prompt="New person's passphrase: ", confirm=True))
            slot = hubs.add_hub_key(booth, label=args.label, key=new)
            out({"key_slot": slot, "label": args.label})
        else:  # rotate-key
            out({"data_key_version": hubs.rotate_hub_key(booth)})
    finally:
        booth.lock()
    return 0


def register(add: Adder) -> None:
    p = add("hub", cmd_hub, "a PostgreSQL hub: init (create/upgrade the schema), add-key, rotate-key; keygen",
            vault=False)
    p.add_argument("action", choices=("init", "add-key", "rotate-key", "keygen"))
    add_options(p)
    p.add_argument("--organisation", metavar="NAME", help="init: the organisation's name for its new root")
    p.add_argument("--label", default="ops", help="who this key slot belongs to (init, add-key)")
    p.add_argument("--new-key-file", metavar="FILE", help="add-key: a key file (from hub keygen) instead of a passphrase")
    p.add_argument("--out", metavar="FILE", help="keygen: where to write the new key file")
