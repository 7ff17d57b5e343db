"""The Babel extraction method for ConsentBooth's sources, and the template it builds.

Babel's stock ``python`` extractor sees calls of known names only; ours also finds the sentences of
error classes, arguments to ``msgid`` parameters, the vocabulary and the settings' descriptions
(:mod:`tools.i18n.scan`). It is a regular Babel method, usable in a mapping file as
``tools.i18n.extract:extract_consentbooth``; :func:`extract_template` runs it over the package.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir

from tools.i18n.scan import APP, COMMENT_TAG, Found, Package, declared

METHOD = "tools.i18n.extract:extract_consentbooth"
PROJECT = "ConsentBooth"
BUGS_ADDRESS = "https://github.com/consentbooth/consentbooth/issues"


@cache
def _package(root: str) -> Package:
    return Package(Path(root))


@cache
def _declared(root: str) -> dict[str, list[Found]]:
    by_path: dict[str, list[Found]] = {}
    for item in declared(_package(root)):
        by_path.setdefault(item.path, []).append(item)
    return by_path


def forget() -> None:
    """Drop the parsed package (a later extraction reads the sources again)."""
    _package.cache_clear()
    _declared.cache_clear()


def extract_consentbooth(
    fileobj: Any, keywords: Collection[str], comment_tags: Collection[str], options: Mapping[str, Any]
) -> Iterator[tuple[int, str, list[str | None], list[str]]]:
    """Babel extraction method: ``(lineno, funcname, messages, comments)`` for one module.

    Options: ``root`` (the package folder, default ``app/consentbooth``), ``declared`` ("false" to
    leave out the vocabulary and settings, which come from importing the real package).
    """
    root = str(Path(options.get("root") or APP).resolve())
    package = _package(root)
    path = Path(fileobj.name).resolve()
    if path not in package.trees:  # a file the parsed package does not have (added since)
        forget()
        package = _package(root)
    found = package.messages_in(path)
    if str(options.get("declared", "true")).lower() != "false":
        found += _declared(root).get(package.relative(path), [])
    for item in found:
        if not item.msgid.strip():
            continue  # "" is the catalogue's header, not a message
        comments = item.comments if any(COMMENT_TAG.startswith(t) for t in comment_tags) else []
        if item.context is not None and item.plural is not None:
            yield item.lineno, "npgettext", [item.context, item.msgid, item.plural, None], comments
        elif item.context is not None:
            yield item.lineno, "pgettext", [item.context, item.msgid], comments
        elif item.plural is not None:
            yield item.lineno, "ngettext", [item.msgid, item.plural, None], comments
        else:
            yield item.lineno, "_", [item.msgid], comments


def extract_template(root: Path = APP, *, with_declared: bool = True, version: str = "") -> Catalog:
    """The catalogue template: every msgid of the package at ``root``, with where it is written."""
    forget()
    catalog = Catalog(project=PROJECT, version=version, msgid_bugs_address=BUGS_ADDRESS,
                      copyright_holder="ConsentBooth contributors", fuzzy=False)
    options = {"root": str(root), "declared": "true" if with_declared else "false"}
    results = extract_from_dir(
        str(root), method_map=[("**.py", METHOD)], options_map={"**.py": options},
        comment_tags=(COMMENT_TAG,), strip_comment_tags=False,
    )
    for filename, lineno, message, comments, context in results:
        if (message[0] if isinstance(message, tuple) else message).strip():
            catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog
