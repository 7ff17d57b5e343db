"""The hub on the command line: ``--hub`` (a hub vault path or a ``postgresql://`` URL) on every
ops command, and ``consentbooth hub init | add-key | rotate-key | keygen`` for a PostgreSQL hub.

Secrets never come from the command line: the database password from ``PGPASSWORD``,
``~/.pgpass`` or a prompt; the hub data key from the passphrase ($CONSENTBOOTH_PASSPHRASE or a
prompt) or a key file (``--hub-key-file`` or $CONSENTBOOTH_HUB_KEY_FILE).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from consentbooth.cli import hubaccess
from consentbooth.cli.common import NEW_PASS_ENV, Adder, out, secret
from consentbooth.core.errors import UserFacingError
from consentbooth.core.files import read_user_file
from consentbooth.hub import is_postgres_url
from consentbooth.services.booth import Booth

HUB_COMMANDS = hubaccess.HUB_COMMANDS
add_options = hubaccess.add_options


def hub_key(args: argparse.Namespace, *, prompt: str = "Hub passphrase: ", confirm: bool = False):
    return hubaccess.hub_key(args, secret=secret, prompt=prompt, confirm=confirm)


def open_hub(args: argparse.Namespace, passphrase: str | None = None, *, create: bool = False) -> Booth:
    return hubaccess.open_hub(args, passphrase, secret=secret, create=create)


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
    ask = hubaccess.ask_db_password if sys.stdin.isatty() else None
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
                new = hubs.HubKey(key_file_text=read_user_file(args.new_key_file).decode("utf-8", "replace"))
            else:
                new = hubs.HubKey(passphrase=secret(NEW_PASS_ENV, prompt="New person's passphrase: ", confirm=True))
            slot = hubs.add_hub_key(booth, label=args.label, key=new)
            out({"key_slot": slot, "label": args.label})
        elif args.action == "remove-key":
            out({"removed_key_slots": hubs.remove_hub_key(booth, label=args.label),
                 "next": "consentbooth hub rotate-key"})
        else:  # rotate-key
            out({"data_key_version": hubs.rotate_hub_key(booth)})
    finally:
        booth.lock()
    return 0


def register(add: Adder) -> None:
    p = add("hub", cmd_hub, "a PostgreSQL hub: init (create/upgrade the schema), add-key, remove-key, rotate-key; "
            "keygen", vault=False)
    p.add_argument("action", choices=("init", "add-key", "remove-key", "rotate-key", "keygen"))
    add_options(p)
    p.add_argument("--organisation", metavar="NAME", help="init: the organisation's name for its new root")
    p.add_argument("--label", default="ops", help="whose key slot (init, add-key, remove-key)")
    p.add_argument("--new-key-file", metavar="FILE",
                   help="add-key: a key file (from hub keygen) instead of a passphrase")
    p.add_argument("--out", metavar="FILE", help="keygen: where to write the new key file")
