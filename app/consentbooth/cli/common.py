"""What every command shares: the passphrase, the vault it names, JSON out, progress, dates."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import os
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

from consentbooth.core.errors import UserFacingError, ValidationError
from consentbooth.core.paths import default_vault_path
from consentbooth.services.booth import Booth

PASS_ENV = "CONSENTBOOTH_PASSPHRASE"
NEW_PASS_ENV = "CONSENTBOOTH_NEW_PASSPHRASE"
Command = Callable[[argparse.Namespace], int]
# add(name, command, help, vault=True) -> the command's parser; ``vault`` adds --vault
Adder = Callable[..., argparse.ArgumentParser]


def secret(env: str = PASS_ENV, *, prompt: str = "Vault passphrase: ", confirm: bool = False) -> str:
    """A secret from ``env`` or a prompt; never from the command line."""
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


def vault_path(args: argparse.Namespace) -> Path:
    return Path(args.vault) if getattr(args, "vault", None) else default_vault_path()


def unlock(args: argparse.Namespace, passphrase: str | None = None) -> Booth:
    from consentbooth.cli import hubaccess

    if hubaccess.wants_hub(args):  # --hub: a hub vault or a PostgreSQL hub
        return hubaccess.open_hub(args, passphrase, secret=secret, read_file=read_file)
    return Booth.unlock(vault_path(args), passphrase or secret())


@contextlib.contextmanager
def unlocked(args: argparse.Namespace, passphrase: str | None = None) -> Iterator[Booth]:
    """The vault of ``--vault``, unlocked for one command and locked again whatever happens."""
    booth = unlock(args, passphrase)
    try:
        yield booth
    finally:
        booth.lock()


def out(value: object) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=None) + "\n")


def note(text: str) -> None:
    sys.stderr.write(text + "\n")


def progress(label: str) -> Callable[..., None]:
    """A one-line progress counter on stderr (stdout stays machine-readable)."""

    def report(done: int, total: int | None = None) -> None:
        text = f"{label}: {done:,}" + (f" / {total:,}" if total else "")
        sys.stderr.write("\r" + text)
        sys.stderr.flush()

    return report


def date_option(option: str, text: str | None) -> date | None:
    """A ``YYYY-MM-DD`` option, or one sentence naming it."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            option, "{option} must be a date written YYYY-MM-DD, e.g. 2025-03-31.", option=option
        ) from None


def read_file(path: str | Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise UserFacingError(
            "Cannot read {path}: {reason}", path=str(path), reason=exc.strerror or type(exc).__name__
        ) from None
