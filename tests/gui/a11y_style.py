"""Reading the app's Qt style sheet as a browser's cascade would, to measure its text contrast.

:func:`text_pairs` parses ``consentbooth.ui.style.STYLESHEET`` (no hand-kept list of pairs): every
rule whose selector draws text (a colour, or a background under text) becomes a *target*, also in
each state the sheet styles for its widget type (``:disabled``, ``:checked``, ``:hover``…) and
inside the kiosk window (whose rules override the app's). For each target the cascade (the rules
that match it, by specificity then order) gives its text colour and its background. A target with
no background of its own is transparent: its text is measured on every *surface* of the sheet (the
background of anything a label or a checkbox can sit on: windows, cards, frames, the page).
Selection colours and alternate row backgrounds give pairs too.

WCAG 2.2's relative luminance and contrast ratio (https://www.w3.org/TR/WCAG22/#dfn-contrast-ratio).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

# Widgets that draw their own text on their own background (their background is no surface).
TEXT_CONTROLS = {"QPushButton", "QLineEdit", "QPlainTextEdit", "QTextEdit", "QTextBrowser", "QComboBox",
                 "QDateEdit", "QSpinBox", "QTableView", "QListWidget", "QHeaderView", "QTabBar",
                 "QProgressBar", "QScrollBar"}
# Sub-controls that draw no text.
NO_TEXT = {"chunk", "handle", "indicator", "add-line", "sub-line", "pane"}
# Qt's class hierarchy where the sheet relies on it (a rule for the base class matches the subclass).
BASES = {"QTextBrowser": "QTextEdit", "QMainWindow": "QWidget", "QDialog": "QWidget", "QWizard": "QDialog",
         "QFrame": "QWidget"}
NAMED = {"white": "#ffffff", "black": "#000000", "transparent": None}
HIGHLIGHTED_TEXT = "#ffffff"  # Qt's palette default for selected text where the sheet sets none


@dataclass(frozen=True)
class Compound:
    type: str | None = None
    ids: frozenset[str] = frozenset()
    attrs: frozenset[tuple[str, str]] = frozenset()
    states: frozenset[str] = frozenset()
    sub: str | None = None

    def text(self) -> str:
        attrs = "".join(f'[{k}="{v}"]' for k, v in sorted(self.attrs))
        return (f"{self.type or ''}{''.join('#' + i for i in sorted(self.ids))}{attrs}"
                f"{'::' + self.sub if self.sub else ''}{''.join(':' + s for s in sorted(self.states))}")


@dataclass(frozen=True)
class Selector:
    chain: tuple[Compound, ...]

    @property
    def last(self) -> Compound:
        return self.chain[-1]

    def specificity(self) -> tuple[int, int, int]:
        ids = sum(len(c.ids) for c in self.chain)
        classes = sum(len(c.attrs) + len(c.states) + (c.sub is not None) for c in self.chain)
        types = sum(c.type is not None for c in self.chain)
        return ids, classes, types

    def text(self) -> str:
        return " ".join(c.text() for c in self.chain)


@dataclass
class Rule:
    selector: Selector
    decls: dict[str, str]
    order: int


@dataclass
class Pair:
    selector: str
    fg: str
    bg: str
    ratio: float = field(init=False)

    def __post_init__(self) -> None:
        self.ratio = contrast(self.fg, self.bg)


PIECE = re.compile(r"#([\w-]+)|\[([\w-]+)=\"?([^\"\]]*)\"?\]|::([\w-]+)|:([\w-]+)")


def parse_compound(text: str) -> Compound:
    m = re.match(r"[A-Za-z]\w*", text)
    type_ = m.group(0) if m else None
    ids, attrs, states, sub = set(), set(), set(), None
    for piece in PIECE.finditer(text[m.end() if m else 0:]):
        ident, attr, value, subcontrol, state = piece.groups()
        if ident:
            ids.add(ident)
        elif attr:
            attrs.add((attr, value))
        elif subcontrol:
            sub = subcontrol
        elif state:
            states.add(state)
    return Compound(type_, frozenset(ids), frozenset(attrs), frozenset(states), sub)


def parse(sheet: str) -> list[Rule]:
    sheet = re.sub(r"/\*.*?\*/", "", sheet, flags=re.S)
    rules = []
    for order, m in enumerate(re.finditer(r"([^{}]+)\{([^{}]*)\}", sheet)):
        decls = {}
        for decl in m.group(2).split(";"):
            if ":" in decl:
                key, value = decl.split(":", 1)
                decls[key.strip().lower()] = value.strip()
        for text in m.group(1).split(","):
            chain = tuple(parse_compound(part) for part in text.split())
            if chain:
                rules.append(Rule(Selector(chain), decls, order))
    return rules


def _is_a(type_: str | None, base: str | None) -> bool:
    if base is None or base == "QWidget":
        return True
    while type_ is not None:
        if type_ == base:
            return True
        type_ = BASES.get(type_)
    return False


def _covers(rule: Compound, target: Compound) -> bool:
    return (_is_a(target.type, rule.type) and rule.ids <= target.ids and rule.attrs <= target.attrs
            and rule.states <= target.states and rule.sub == target.sub)


def matches(rule: Selector, target: Selector) -> bool:
    """``rule`` applies to the widget ``target`` describes (descendant combinators only)."""
    if not _covers(rule.last, target.last):
        return False
    ancestors = list(target.chain[:-1])
    for compound in rule.chain[:-1]:  # each in order, somewhere among the target's ancestors
        while ancestors and not _covers(compound, ancestors[0]):
            ancestors.pop(0)
        if not ancestors:
            return False
        ancestors.pop(0)
    return True


def colour(value: str | None) -> str | None:
    """A declared colour as #rrggbb (None for none or transparent); the value's first colour."""
    if value is None:
        return None
    for word in value.split():
        if word.lower() in NAMED:
            return NAMED[word.lower()]
        m = re.fullmatch(r"#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})", word)
        if m:
            h = m.group(1)
            return "#" + (h if len(h) == 6 else "".join(c * 2 for c in h)).lower()
    return None


def luminance(hex_colour: str) -> float:
    r, g, b = (int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _background(decls: dict[str, str]) -> str | None:
    value = decls.get("background-color", decls.get("background"))
    return colour(value)


def cascade(rules: list[Rule], target: Selector) -> dict[str, str]:
    """The declarations that win for ``target`` (by specificity, then by order)."""
    winning: dict[str, str] = {}
    for rule in sorted((r for r in rules if matches(r.selector, target)),
                       key=lambda r: (r.selector.specificity(), r.order)):
        declared = dict(rule.decls)
        if "background" in declared:  # the shorthand resets the colour
            declared["background-color"] = declared.pop("background")
        winning.update(declared)
    return winning


def surfaces(rules: list[Rule], *, kiosk: str = "kioskWindow") -> dict[str, str]:
    """Every background text can sit on without its own: {colour: the rule that paints it}."""
    found: dict[str, str] = {}
    for rule in rules:
        last = rule.selector.last
        bg = _background(rule.decls)
        if bg is None or last.sub in NO_TEXT or _is_text_control(last.type):
            continue
        found.setdefault(bg, rule.selector.text())
    return found


def _is_text_control(type_: str | None) -> bool:
    return any(_is_a(type_, control) for control in TEXT_CONTROLS) if type_ else False


def targets(rules: list[Rule], *, kiosk: str = "kioskWindow") -> list[Selector]:
    """Every selector that draws text, in each state the sheet styles for its type, in the app and
    inside the kiosk window."""
    states_by_type: dict[str | None, set[str]] = {}
    for rule in rules:
        states_by_type.setdefault(rule.selector.last.type, set()).update(rule.selector.last.states)
    found: dict[str, Selector] = {}
    context = Compound(ids=frozenset({kiosk}))
    for rule in rules:
        last = rule.selector.last
        if last.sub in NO_TEXT or not ({"color", "background", "background-color"} & rule.decls.keys()):
            continue
        states = set(states_by_type.get(last.type, set())) | set(states_by_type.get(None, set()))
        for extra in itertools.chain([()], itertools.combinations(sorted(states - {"focus"}), 1),
                                     itertools.combinations(sorted(states - {"focus"}), 2)):
            compound = Compound(last.type, last.ids, last.attrs, last.states | frozenset(extra), last.sub)
            inside = any(kiosk in c.ids for c in rule.selector.chain)
            for chain in (rule.selector.chain[:-1] + (compound,),
                          *(() if inside else ((context, *rule.selector.chain[:-1], compound),))):
                selector = Selector(chain)
                found.setdefault(selector.text(), selector)
    return list(found.values())


def text_pairs(sheet: str, *, default_text: str) -> list[Pair]:
    """Every text colour on every background it can be drawn on, from the style sheet alone."""
    rules = parse(sheet)
    behind = surfaces(rules)
    pairs: list[Pair] = []
    for target in targets(rules):
        decls = cascade(rules, target)
        fg = colour(decls.get("color")) or default_text
        bg = colour(decls.get("background-color"))
        name = target.text()
        if bg is not None:
            pairs.append(Pair(name, fg, bg))
        else:  # transparent: on whatever it sits on
            pairs.extend(Pair(f"{name} on {where}", fg, surface) for surface, where in behind.items())
        placeholder = colour(decls.get("placeholder-text-color"))
        if placeholder:
            for under in [bg] if bg else list(behind):
                pairs.append(Pair(f"{name} (placeholder)", placeholder, under))
        alternate = colour(decls.get("alternate-background-color"))
        if alternate:
            pairs.append(Pair(f"{name} (alternate rows)", fg, alternate))
        selected_bg = colour(decls.get("selection-background-color"))
        if selected_bg:
            selected_fg = colour(decls.get("selection-color")) or HIGHLIGHTED_TEXT
            pairs.append(Pair(f"{name} (selected text)", selected_fg, selected_bg))
    return pairs


def inline_colours(source: str) -> list[str]:
    """Colours set inline in a module's rich text or widget style sheets (``color:{style.X}`` or a
    literal ``color:#rrggbb``), as expressions to resolve."""
    return re.findall(r"(?<![-\w])color:\s*(\{style\.[A-Z_]+\}|#[0-9a-fA-F]{3,6})", source)
