"""Find every English msgid of the package by reading its source (``ast``), not by a hand-kept list.

What people can be shown:

- ``_("…")``, ``N_("…")`` (marked, translated where shown), ``translate("…")``, ``both("…")``,
  ``Message("…")``; plurals ``ngettext("…", "…", n)`` / ``nmessage("…", "…", n, …)``; message
  contexts ``pgettext("ctx", "…")`` / ``pmessage("ctx", "…", …)`` / ``npgettext("ctx", "…", "…", n)``;
- an argument given to a parameter named ``msgid`` (``Texts.bind``, a kiosk step's ``nav``…);
- the English sentence of every ``UserFacingError`` subclass, wherever it sits in the call: a
  class's own template (``super().__init__("…")``), the argument a class puts in its template
  (``BundleRejected("it comes from …")`` is the prefix + the argument) or hands on as a parameter
  that is translated too (``BundleDamaged("…")`` is its ``{reason}``), worked out from each class's
  ``__init__``, and inherited by subclasses;
- the label vocabulary (:mod:`consentbooth.domain.vocabulary`) and the settings' descriptions
  (:func:`declared`, which imports the package).

A comment block right above a call that starts with ``# Translators:`` travels with the msgid into
the catalogue (see docs/translations.md).
"""

from __future__ import annotations

import ast
import io
import tokenize
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app" / "consentbooth"
BASE_ERROR = "UserFacingError"
COMMENT_TAG = "Translators:"

# call name -> what its positional arguments are: "m" msgid, "p" plural, "c" context
TRANSLATING_CALLS = {
    "_": "m", "N_": "m", "translate": "m", "both": "m", "Message": "m",
    "ngettext": "mp", "nmessage": "mp",
    "pgettext": "cm", "pmessage": "cm", "npgettext": "cmp",
}


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
    path: str  # relative to the package root, with "/"
    lineno: int
    plural: str | None = None
    context: str | None = None
    comments: list[str] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{self.path}:{self.lineno}"


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


def translator_comments(source: str) -> dict[int, list[str]]:
    """Line -> the ``# Translators:`` comment block that ends on the line above it."""
    comments: dict[int, str] = {}
    code_lines: set[int] = set()
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                comments[tok.start[0]] = tok.string.lstrip("#").strip()
            elif tok.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):
                code_lines.update(range(tok.start[0], tok.end[0] + 1))
    except (tokenize.TokenError, SyntaxError):
        return {}
    blocks: dict[int, list[str]] = {}
    for line in comments:
        if line in code_lines or line + 1 in comments and line + 1 not in code_lines:
            continue  # a trailing comment, or not the last line of its block
        block = [line]
        while block[0] - 1 in comments and block[0] - 1 not in code_lines:
            block.insert(0, block[0] - 1)
        texts = [comments[n] for n in block]
        start = next((i for i, t in enumerate(texts) if t.startswith(COMMENT_TAG)), None)
        if start is not None:
            blocks[line + 1] = texts[start:]
    return blocks


class Package:
    """The parsed modules of a package, and what its error classes do with English."""

    def __init__(self, root: Path = APP) -> None:
        self.root = root
        self.sources = {p: p.read_text(encoding="utf-8") for p in sorted(root.rglob("*.py"))}
        self.trees = {p: ast.parse(s, filename=str(p)) for p, s in self.sources.items()}
        self.classes: dict[str, ast.ClassDef] = {}
        self.class_paths: dict[str, Path] = {}
        self.msgid_params: dict[str, int] = {}  # function name -> position of its msgid parameter
        for path, tree in self.trees.items():
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef):
                    self.classes.setdefault(node.name, node)
                    self.class_paths.setdefault(node.name, path)
                elif isinstance(node, ast.FunctionDef):
                    params = _parameters(node)
                    if "msgid" in params:
                        self.msgid_params[node.name] = params.index("msgid")
        self.shapes: dict[str, Shape] = {BASE_ERROR: Shape(template=0, keyword="message")}
        self.own: list[Found] = []  # templates the classes themselves write
        self._literals: dict[str, tuple[str, int]] | None = None
        for name in self.classes:
            self._shape(name)

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

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
        path = self.relative(self.class_paths[name])
        shape = Shape(prefix=base.prefix)
        template = call.args[base.template] if base.template is not None and len(call.args) > base.template else None
        if template is None and base.keyword:
            template = next((k.value for k in call.keywords if k.arg == base.keyword), None)
        text = _literal(template)
        if text is not None:
            self.own.append(Found(base.prefix + text, path, template.lineno))
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
                    self.own.append(Found(text, path, value.lineno))
                elif isinstance(value, ast.Name) and value.id in params:
                    shape.params[params.index(value.id)] = value.id
        for position in base.params:  # the base's translated params, if passed on
            arg = call.args[position] if len(call.args) > position else None
            if isinstance(arg, ast.Name) and arg.id in params:
                shape.params[params.index(arg.id)] = arg.id
        return shape

    def messages_in(self, path: Path) -> list[Found]:
        """Every msgid written in module ``path`` (with its translator comments), in line order."""
        module = self.relative(path)
        found = [f for f in self.own if f.path == module]
        for node in ast.walk(self.trees[path]):
            if isinstance(node, ast.Call):
                found.extend(self._call(node, module))
        comments = translator_comments(self.sources[path])
        for item in found:
            item.comments = comments.get(item.lineno, [])
        return sorted(found, key=lambda f: f.lineno)

    def _call(self, node: ast.Call, module: str) -> Iterator[Found]:
        name = _name(node.func) or ""
        line = node.lineno
        kinds = TRANSLATING_CALLS.get(name)
        if kinds is not None:
            texts = [_literal(a) for a in node.args[: len(kinds)]]
            if len(texts) == len(kinds) and all(t is not None for t in texts):
                parts = dict(zip(kinds, texts, strict=True))
                yield Found(parts["m"], module, line, plural=parts.get("p"), context=parts.get("c"))
        elif name in self.msgid_params:  # (pgettext's own parameter is named msgid too)
            text = _arg(node, self.msgid_params[name], "msgid")
            if text is not None:
                yield Found(text, module, line)
        shape = self.shapes.get(name)
        if shape is not None and name != "__init__":
            text = _arg(node, shape.template, shape.keyword)
            if text is not None:
                yield Found(shape.prefix + text, module, line)
            for position, keyword in shape.params.items():
                text = _arg(node, position, keyword)
                if text is not None:
                    yield Found(text, module, line)

    def messages(self) -> Iterator[Found]:
        for path in self.trees:
            yield from self.messages_in(path)

    def line_of(self, text: str) -> tuple[str, int] | None:
        """Where the string literal ``text`` is first written in the package, if anywhere."""
        if self._literals is None:
            self._literals = {}
            for path, tree in self.trees.items():
                for node in ast.walk(tree):
                    if isinstance(node, ast.Constant) and isinstance(node.value, str):
                        self._literals.setdefault(node.value, (self.relative(path), node.lineno))
        return self._literals.get(text)


def declared(package: Package) -> Iterator[Found]:
    """Tables of English words declared for people: the label vocabulary, the settings.

    Imports the package (only the real one has them); each is placed where its literal is written.
    """
    from consentbooth.core.config import ALL_VARS
    from consentbooth.domain import vocabulary

    tables: Iterable[tuple[str, str]] = [
        *((m, "domain/vocabulary.py") for m in vocabulary.msgids()),
        *((v.description, "core/config.py") for v in ALL_VARS),
    ]
    for msgid, home in tables:
        path, line = package.line_of(msgid) or (home, 1)
        yield Found(msgid, path, line)
