"""Entry point: no sub-command starts the GUI, otherwise the CLI."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in {"--gui"} or (args[0] == "--vault" and len(args) == 2):
        from consentbooth.ui.app import run_gui

        vault = args[1] if args and args[0] == "--vault" else None
        return run_gui(vault=vault)
    from consentbooth.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    sys.exit(main())
