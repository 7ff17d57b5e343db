"""What every command shares: the passphrase, the vault it names, JSON out, progress, dates."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, TextIO

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
        return hubaccess.open_hub(args, passphrase, secret=secret)
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


class Progress:
    """Progress on stderr with a total and a rate (stdout stays machine-readable).

    On a terminal: a tqdm bar. Redirected (a log, a pipe, CI): plain lines, at most one every
    :data:`LINE_EVERY_S` seconds plus the last one, never a carriage return:
    ``export: 20,000 / 42,610 rows (47%), 8,130 rows/s``. Call it as ``progress(done, total)``
    (``total`` may be None while unknown); a ``done`` lower than the last one, or a new total,
    starts a new count (the next bundle of a merge). Close it when the work ends.
    """

    LINE_EVERY_S = 2.0

    def __init__(self, label: str, unit: str = "rows", *, stream: TextIO | None = None,
                 bar: bool | None = None) -> None:
        self.label, self.unit = label, unit
        self.stream = stream or sys.stderr
        self.bar = self.stream.isatty() if bar is None else bar
        self._tqdm: Any = None
        self._done = 0
        self._total: int | None = None
        self._start = self._last_line = 0.0
        self._printed = -1

    def __call__(self, done: int, total: int | None = None) -> None:
        if done < self._done or (total is not None and self._total is not None and total != self._total):
            self._finish()
        now = time.monotonic()
        if not self._start:
            self._start = now
        if self.bar:
            if self._tqdm is None:
                from tqdm import tqdm  # only on a terminal

                self._tqdm = tqdm(total=total, desc=self.label, unit=" " + self.unit, file=self.stream,
                                  dynamic_ncols=True, leave=True, mininterval=0.2)
            elif total is not None and self._tqdm.total != total:
                self._tqdm.total = total
            self._tqdm.update(done - self._done)
        elif done == total or now - self._last_line >= self.LINE_EVERY_S:
            self._line(done, total, now)
        self._done, self._total = done, total

    def _line(self, done: int, total: int | None, now: float) -> None:
        elapsed = now - self._start
        rate = f", {done / elapsed:,.0f} {self.unit}/s" if elapsed > 0 and done else ""
        of = f" / {total:,} {self.unit} ({done * 100 // total}%)" if total else f" {self.unit}"
        self.stream.write(f"{self.label}: {done:,}{of}{rate}\n")
        self.stream.flush()
        self._last_line, self._printed = now, done

    def _finish(self) -> None:
        if self._tqdm is not None:
            self._tqdm.close()
            self._tqdm = None
        elif self._start and self._printed != self._done:
            self._line(self._done, self._total, time.monotonic())
        self._done, self._total, self._start, self._printed = 0, None, 0.0, -1

    def close(self) -> None:
        self._finish()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def progress(label: str, unit: str = "rows") -> Progress:
    """A :class:`Progress` for ``label`` (e.g. ``progress("export", "leads")``)."""
    return Progress(label, unit)


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


