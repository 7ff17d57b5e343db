"""Every literal message in the package has its Chinese translation, with the same placeholders.

One scan of every module of ``app/consentbooth`` (``ast``, no hand-kept list of modules) finds the
English msgids people can be shown:

- ``_("…")``, ``N_("…")`` (marked, translated where shown), ``translate("…")``, ``both("…")``,
  ``Message("…")``;
- an argument given to a parameter named ``msgid`` (``Texts.bind``, a kiosk step's ``nav``…);
- the English sentence of every ``UserFacingError`` subclass, wherever it sits in the call: a
  class's own template (``super().__init__("…")``), the argument a class puts in its template
  (``BundleRejected("it comes from …")`` is the prefix + the argument) or hands on as a parameter
  that is translated too (``BundleDamaged("…")`` is its ``{reason}``), worked out from each class's
  ``__init__``, and inherited by subclasses;
- the label vocabulary (:mod:`consentbooth.domain.vocabulary`) and the settings' descriptions.

It fails on a msgid the zh-CN catalogue lacks and on a translation whose ``{placeholders}`` differ.
"""

from __future__ import annotations

import ast
import string
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from consentbooth.core.i18n import _catalogue

APP = Path(__file__).resolve().parents[2] / "app" / "consentbooth"
BASE_ERROR = "UserFacingError"
TRANSLATING_CALLS = {"_": 0, "N_": 0, "translate": 0, "both": 0, "Message": 0}


@dataclass
class Shape:
    """Where an error class's callers put English: positions/keywords and how each becomes a msgid."""

    template: int | None = None  # positional index of the template (or of its argument part)
    keyword: str | None = None  # the same argument by keyword
    prefix: str = ""  # the class's own start of the template, before the caller's part
    params: dict[int, str] = field(default_factory=dict)  # position -> keyword of a translated param


@dataclass
class Found:
    msgid: str
    where: str  # module:line, for the failure message


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _literal(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _parameters(fn: ast.FunctionDef) -> list[str]:
    names = [a.arg for a in (*fn.args.posonlyargs, *fn.args.args)]
    return names[1:] if names and names[0] in ("self", "cls") else names


def _arg(node: ast.Call, position: int | None, keyword: str | None = None) -> str | None:
    """The literal string a call passes at ``position`` (or by ``keyword``), if any."""
    if position is not None and len(node.args) > position:
        return _literal(node.args[position])
    return next((_literal(k.value) for k in node.keywords if k.arg == keyword), None)


def _super_init(fn: ast.FunctionDef) -> ast.Call | None:
    for node in ast.walk(fn):
        if isinstance(node, ast.Call) and _name(node.func) == "__init__":
            return node
    return None


class Package:
    def __init__(self, root: Path = APP) -> None:
        self.trees = {p: ast.parse(p.read_text(encoding="utf-8")) for p in sorted(root.rglob("*.py"))}
        self.classes: dict[str, ast.ClassDef] = {}
        self.msgid_params: dict[str, int] = {}  # function name -> position of its msgid parameter
        for tree in self.trees.values():
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef):
                    self.classes.setdefault(node.name, node)
                elif isinstance(node, ast.FunctionDef):
                    params = _parameters(node)
                    if "msgid" in params:
                        self.msgid_params[node.name] = params.index("msgid")
        self.shapes: dict[str, Shape] = {BASE_ERROR: Shape(template=0, keyword="message")}
        self.own: list[Found] = []  # templates the classes themselves write
        for name in self.classes:
            self._shape(name)

    def _shape(self, name: str, seen: frozenset[str] = frozenset()) -> Shape | None:
        """How class ``name`` takes its message, if it is a UserFacingError (None otherwise)."""
        if name in self.shapes:
            return self.shapes[name]
        cls = self.classes.get(name)
        if cls is None or name in seen:
            return None
        base = next((s for b in cls.bases if (s := self._shape(_name(b) or "", seen | {name}))), None)
        if base is None:
            return None
        init = next((n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None)
        call = _super_init(init) if init is not None else None
        if init is None or call is None:
            shape = base
        else:
            shape = self._own_shape(name, init, call, base)
        self.shapes[name] = shape
        return shape

    def _own_shape(self, name: str, init: ast.FunctionDef, call: ast.Call, base: Shape) -> Shape:
        params = _parameters(init)
        where = f"{name}.__init__:{init.lineno}"
        shape = Shape(prefix=base.prefix)
        template = call.args[base.template] if base.template is not None and len(call.args) > base.template else None
        if template is None and base.keyword:
            template = next((k.value for k in call.keywords if k.arg == base.keyword), None)
        text = _literal(template)
        if text is not None:
            self.own.append(Found(base.prefix + text, where))
        elif isinstance(template, ast.Name) and template.id in params:
            shape.template, shape.keyword = params.index(template.id), template.id
        elif isinstance(template, ast.BinOp) and isinstance(template.op, ast.Add):
            prefix, rest = _literal(template.left), template.right
            if prefix is not None and isinstance(rest, ast.Name) and rest.id in params:
                shape.template, shape.keyword = params.index(rest.id), rest.id
                shape.prefix = base.prefix + prefix
        for keyword in call.keywords:  # parameters of the template, rendered through the catalogue
            values = keyword.value.values if isinstance(keyword.value, ast.BoolOp) else [keyword.value]
            for value in values:
                if (text := _literal(value)) is not None:
                    self.own.append(Found(text, where))
                elif isinstance(value, ast.Name) and value.id in params:
                    shape.params[params.index(value.id)] = value.id
        for position in base.params:  # the base's translated params, if passed on
            arg = call.args[position] if len(call.args) > position else None
            if isinstance(arg, ast.Name) and arg.id in params:
                shape.params[params.index(arg.id)] = arg.id
        return shape

    def messages(self) -> Iterator[Found]:
        yield from self.own
        for path, tree in self.trees.items():
            module = str(path.relative_to(APP))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                name = _name(node.func) or ""
                where = f"{module}:{node.lineno}"
                if name in TRANSLATING_CALLS:
                    text = _arg(node, TRANSLATING_CALLS[name])
                    if text is not None:
                        yield Found(text, where)
                if name in self.msgid_params:
                    text = _arg(node, self.msgid_params[name], "msgid")
                    if text is not None:
                        yield Found(text, where)
                shape = self.shapes.get(name)
                if shape is not None and name != "__init__":
                    text = _arg(node, shape.template, shape.keyword)
                    if text is not None:
                        yield Found(shape.prefix + text, where)
                    for position, keyword in shape.params.items():
                        text = _arg(node, position, keyword)
                        if text is not None:
                            yield Found(text, where)


def declared() -> Iterator[Found]:
    """Tables of English words declared for people: the label vocabulary, the settings."""
    from consentbooth.core.config import ALL_VARS
    from consentbooth.domain import vocabulary

    for msgid in vocabulary.msgids():
        yield Found(msgid, "domain/vocabulary.py")
    for var in ALL_VARS:
        yield Found(var.description, f"core/config.py:{var.key}")


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}


def all_messages() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for item in (*Package().messages(), *declared()):
        if item.msgid.strip():
            found.setdefault(item.msgid, []).append(item.where)
    return found


def test_every_literal_message_has_a_chinese_translation_with_the_same_placeholders() -> None:
    catalogue = _catalogue("zh-CN")
    messages = all_messages()
    missing = {m: w[0] for m, w in messages.items() if not catalogue.get(m)}
    assert not missing, f"{len(missing)} msgids have no zh-CN translation: " + "".join(
        f"\n  {where}: {msgid!r}" for msgid, where in sorted(missing.items(), key=lambda i: i[1])
    )
    mismatched = {m: w[0] for m, w in messages.items() if _fields(catalogue[m]) != _fields(m)}
    assert not mismatched, "placeholders differ in the zh-CN translation of: " + "".join(
        f"\n  {where}: {msgid!r} -> {catalogue[msgid]!r}" for msgid, where in mismatched.items()
    )


def test_the_scan_sees_every_kind_of_message() -> None:
    """Were the scan to lose a kind of message, the test above would pass on nothing."""
    messages = all_messages()
    assert len(messages) > 500, len(messages)
    kinds = {
        "_()": "Choose where to save the file.",
        "N_()": "Leads export (generic)",
        "Texts.bind": "Start kiosk mode",
        "a kiosk step's nav": "I have read it — continue",
        "a step's title (N_)": "Before you share anything: our privacy notice",
        "Message()": "NOT VALID: certificate {certificate_id}: {reason}.",
        "ValidationError": "{label} is too long (at most {limit} characters).",
        "an error class's own template": "The passphrase is not correct. Nothing was changed; please try again.",
        "a default parameter of an error": "integrity check failed",
        "prefix + argument (BundleRejected)":
            "The bundle was rejected and nothing of it was merged: it comes from this very vault.",
        "an argument that is a parameter (BundleDamaged)": "the encrypted data does not check out ({detail}).",
        "vocabulary": "Mobile phone",
        "a setting's description": "Close the vault when the booth has been paused this many minutes",
    }
    missed = {kind: msgid for kind, msgid in kinds.items() if msgid not in messages}
    assert not missed, missed


def test_the_menu_entry_and_the_rule_words_are_translated() -> None:
    from consentbooth.core.i18n import translate
    from consentbooth.ui.console.more import ENTRIES

    entry = next(e for e in ENTRIES if e is not None and e[0] == "setup")
    assert translate(entry[1], "zh-CN") == "展位设置…"
    for what in ("the organisation's name", "the address", "the contact email", "the contact for rights requests"):
        assert translate(what, "zh-CN") != what
