"""A thin command-line front over the services. JSON on stdout where noted; errors: one line.

One module per concept: ``people`` (a vault, captures, a person's rights), ``maintenance``
(passphrase, backup, restore), ``ops`` (exports, bundles, merge, devices) and ``evidence``
(certificates, verification, the ledger, the root of trust, trusted time), ``attendees``
(organiser attendee lists, badge codes, business cards).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from consentbooth.cli import attendees, evidence, hub, lifecycle, maintenance, ops, people, requests
from consentbooth.cli.common import PASS_ENV, Command
from consentbooth.core.errors import AppError, UserFacingError
from consentbooth.core.logging import get_logger, log_unexpected, setup_logging

log = get_logger(__name__)

COMMANDS: dict[str, Command] = {}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="consentbooth",
        description="ConsentBooth command line. The passphrase comes from a prompt or "
        f"${PASS_ENV}; it is never taken from the command line.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, func: Command, help_: str, *, vault: bool = True) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_)
        if vault:
            p.add_argument("--vault", help="vault file (default: the per-user data folder)")
        if name in hub.HUB_COMMANDS:
            hub.add_options(p)
        COMMANDS[name] = func
        return p

    for module in (people, maintenance, ops, evidence, attendees, hub, requests, lifecycle):
        module.register(add)
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
