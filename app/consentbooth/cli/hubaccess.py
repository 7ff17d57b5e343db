"""Opening the hub ``--hub`` (or ``--vault``) names: a hub vault or a PostgreSQL hub. Kept apart
from ``cli/hub.py`` so that ``cli/common.py`` can call it (no import circle): the passphrase is
asked with the function ``common`` passes in."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path

from consentbooth.core.errors import UserFacingError
from consentbooth.core.files import read_user_file
from consentbooth.hub import is_postgres_url
from consentbooth.services.booth import Booth

PASS_ENV = "CONSENTBOOTH_PASSPHRASE"
KEY_FILE_ENV = "CONSENTBOOTH_HUB_KEY_FILE"
# The ops commands that work on a hub (a hub vault or PostgreSQL); merge has its own --hub.
HUB_COMMANDS = (
    "export", "suppression", "leads", "show", "withdraw", "erase", "purge", "sharing-log",
    "certificate", "certificates", "verify-ledger", "verify", "devices", "root", "enrol-device",
    "checkpoint", "request", "copy",
)


def add_options(parser: argparse.ArgumentParser, *, location: bool = True) -> None:
    if location:
        parser.add_argument("--hub", metavar="HUB",
                            help="the hub: a hub vault file or a postgresql:// URL (instead of --vault)")
    parser.add_argument("--hub-key-file", metavar="FILE",
                        help=f"a PostgreSQL hub's key file (or ${KEY_FILE_ENV}; else its passphrase is asked)")


def wants_hub(args: argparse.Namespace) -> bool:
    vault = str(getattr(args, "vault", None) or "")
    return bool(getattr(args, "hub", None)) or is_postgres_url(vault)


def hub_key(args: argparse.Namespace, *, secret: Callable[..., str],
            prompt: str = "Hub passphrase: ", confirm: bool = False):
    from consentbooth.services.hubs import HubKey

    key_file = getattr(args, "hub_key_file", None) or os.environ.get(KEY_FILE_ENV)
    if key_file:
        return HubKey(key_file_text=read_user_file(key_file).decode("utf-8", "replace"))
    return HubKey(passphrase=secret(PASS_ENV, prompt=prompt, confirm=confirm))


def ask_db_password() -> str:
    return getpass.getpass("Database password: ")


def open_hub(args: argparse.Namespace, passphrase: str | None = None, *, secret: Callable[..., str],
             create: bool = False) -> Booth:
    """The hub ``--hub`` (or ``--vault``) names, unlocked: a PostgreSQL hub with its data key, a
    vault with its passphrase (``create``: a missing hub vault is made, as merge does)."""
    from consentbooth.services.hubs import HubKey, open_ops_hub

    where = getattr(args, "hub", None) or getattr(args, "vault", None)
    if where and is_postgres_url(where):
        key = hub_key(args, secret=secret)
        return open_ops_hub(where, key=key, ask_password=ask_db_password if sys.stdin.isatty() else None)
    if not where:
        raise UserFacingError("Name the hub: --hub HUB.cbvault or --hub postgresql://user@host/database.")
    return open_ops_hub(Path(where), key=HubKey(passphrase=passphrase or secret()), create=create)
