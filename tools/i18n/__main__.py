"""``python -m tools.i18n extract|update|compile|check|all`` (see the package docstring)."""

from __future__ import annotations

import argparse
import sys

from babel.messages.catalog import Catalog

from tools.i18n import catalog as files
from tools.i18n.extract import extract_template


def _extract() -> Catalog:
    template = extract_template()
    if files.write_if_changed(files.TEMPLATE, files.render_po(template)):
        print(f"wrote {files.TEMPLATE.relative_to(files.ROOT)}")
    print(f"{sum(1 for m in template if m.id)} msgids extracted")
    return template


def _update(template: Catalog) -> None:
    for path in files.update(template):
        print(f"updated {path.relative_to(files.ROOT)}")


def _compile() -> None:
    for path in files.compile_all():
        print(f"compiled {path.relative_to(files.ROOT)}")


def _check(template: Catalog, verbose: bool) -> int:
    failed = 0
    for locale in files.LOCALES.values():
        failures, pending = files.check_locale(template, locale)
        failures += files.check_compiled(locale)
        scope = [m for m in template if m.id and files.in_scope(m, files.SCOPES[locale])]
        strict = "strict" if locale in files.STRICT_LANGUAGES else "not strict yet"
        print(f"{locale}: {len(scope) - len(pending) - sum(p.kind in ('missing', 'fuzzy') for p in failures)}"
              f"/{len(scope)} msgids in scope translated ({strict}); {len(failures)} problems")
        for problem in failures:
            print(f"  FAIL {problem}")
        for problem in pending if verbose else pending[:5]:
            print(f"  todo {problem}")
        if len(pending) > 5 and not verbose:
            print(f"  … {len(pending) - 5} more to translate (--verbose lists them)")
        failed += len(failures)
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.i18n", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("extract", "update", "compile", "all"):
        sub.add_parser(name)
    check = sub.add_parser("check")
    check.add_argument("--verbose", action="store_true", help="list every msgid still to translate")
    args = parser.parse_args(argv)

    if args.command == "compile":
        _compile()
        return 0
    template = _extract()
    if args.command in ("update", "all"):
        _update(template)
    if args.command == "all":
        _compile()
    if args.command == "check":
        return _check(template, args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
