"""Every sentence of the setup editor (dialog, shared forms, rules, services) has its Chinese text."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from consentbooth.core.i18n import translate

APP = Path(__file__).resolve().parents[2] / "app" / "consentbooth"
MODULES = (
    "ui/console/boothsetup.py",
    "ui/setup/forms.py",
    "domain/configuration.py",
    "services/configuration.py",
)
ERRORS = {"ValidationError": 1, "UserFacingError": 0, "NotFound": 0}  # position of the English sentence


def msgids(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        index = 0 if name == "_" else ERRORS.get(name or "")
        if index is not None and len(node.args) > index:
            arg = node.args[index]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.add(arg.value)
    return found


@pytest.mark.parametrize("module", MODULES)
def test_setup_sentences_are_translated(module: str) -> None:
    found = msgids(APP / module)
    assert found, module
    missing = sorted(m for m in found if translate(m, "zh-CN") == m)
    assert missing == []


def test_menu_entry_and_rule_words_are_translated() -> None:
    from consentbooth.ui.console.more import ENTRIES

    entry = next(e for e in ENTRIES if e is not None and e[0] == "setup")
    assert translate(entry[1], "zh-CN") == "展位设置…"
    for what in ("the organisation's name", "the address", "the contact email", "the contact for rights requests"):
        assert translate(what, "zh-CN") != what
