"""An accessible kiosk (issue #17, point 3; WCAG 2.2 AA as the yardstick), on the real kiosk window.

- Names and roles: every interactive widget of every kiosk step, overlay and the staff PIN has a
  name and a sensible role through Qt's accessibility (what a screen reader reads), in each
  language the kiosk offers.
- Contrast: every text colour of the style sheet on every background it can be drawn on (parsed
  from ``ui.style``, see :mod:`tests.gui.a11y_style`) and every colour set inline in the kiosk's
  code: at least 4.5:1. The focus ring: at least 3:1 (non-text contrast).
- Larger text: the "A+" toggle scales the whole kiosk; no step clips or scrolls sideways at
  1280×720; the next attendee starts at the normal size. (The screen-size check of
  ``tests/gui/fit_child.py`` runs every kiosk step with larger text too, at each screen size.)

The keyboard (one whole attendee with keys only, Tab in reading order, the focus ring drawn) is
in ``test_kiosk_keyboard.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QCheckBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTextBrowser,
    QWidget,
)

from consentbooth.core import i18n
from consentbooth.ui import style
from tests.gui.a11y_style import contrast, inline_colours, parse, surfaces, text_pairs
from tests.gui.test_kiosk import start_kiosk

APP = Path(__file__).resolve().parents[2] / "app" / "consentbooth" / "ui"
KIOSK_SIZE = (1280, 720)
TEXT_CONTRAST = 4.5  # WCAG 1.4.3
NON_TEXT_CONTRAST = 3.0  # WCAG 1.4.11 (the focus ring)
HAN = r"\u3400-\u9fff\uf900-\ufaff"
KANA = r"\u3040-\u30ff"
HANGUL = r"\uac00-\ud7af\u1100-\u11ff"
SCRIPT = {"zh-CN": HAN, "zh-Hant": HAN, "ja": HAN + KANA, "ko": HANGUL}
ANY_CJK = re.compile(f"[{HAN}{KANA}{HANGUL}]")


# -- what a screen reader is told ---------------------------------------------------------------


def is_interactive(widget: QWidget) -> bool:
    """Takes the keyboard focus, or a tap or a pen (a button, a field, the signature pad)."""
    from consentbooth.ui.widgets.signature import SignaturePad

    if isinstance(widget, QAbstractScrollArea) and widget.focusPolicy() == Qt.FocusPolicy.NoFocus:
        return False
    return bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus) or isinstance(
        widget, (QAbstractButton, QLineEdit, SignaturePad))


def shown(window: QWidget) -> list[QWidget]:
    return [w for w in window.findChildren(QWidget) if w.isVisible() and not w.visibleRegion().isEmpty()]


def expected_roles(widget: QWidget) -> set[QAccessible.Role]:
    from consentbooth.ui.widgets.signature import SignaturePad

    role = QAccessible.Role
    if isinstance(widget, QCheckBox):
        return {role.CheckBox}
    if isinstance(widget, QAbstractButton):
        return {role.CheckBox} if widget.isCheckable() else {role.Button}
    if isinstance(widget, QLineEdit):
        return {role.EditableText}
    if isinstance(widget, QTextBrowser):
        return {role.StaticText, role.Document}
    if isinstance(widget, (QScrollArea, SignaturePad)):
        return {role.Client}
    return set()


def translated(language: str) -> bool:
    """The catalogue has this language (zh-Hant, ja and ko fall back to English until it does)."""
    return language in SCRIPT and i18n.translate("Continue", language) != "Continue"


def speaks(text: str, language: str) -> bool:
    """``text`` is written in ``language``'s script (a text without letters, such as a PIN key's
    digit, is neutral)."""
    if not any(c.isalpha() for c in text):
        return True
    if language == "en":  # English, which may quote a Chinese term or name: "Separate consent (单独同意)"
        return sum(c.isascii() and c.isalpha() for c in text) > len(ANY_CJK.findall(text))
    return bool(re.search(f"[{SCRIPT[language]}]", text)) if translated(language) else True


def accessibility_problems(window: QWidget, language: str, languages: dict[str, QPushButton]) -> tuple[int, list[str]]:
    """Every interactive widget on show in ``window``: (how many, what is wrong with them)."""
    problems: list[str] = []
    count = 0
    for widget in shown(window):
        if not is_interactive(widget):
            continue
        count += 1
        what = f"{type(widget).__name__}#{widget.objectName()}"
        iface = QAccessible.queryAccessibleInterface(widget)
        if iface is None or not iface.isValid():
            problems.append(f"{what}: no accessible interface")
            continue
        name = iface.text(QAccessible.Text.Name).strip()
        description = widget.accessibleDescription().strip()  # ours (Qt would offer a placeholder)
        roles = expected_roles(widget)
        if roles and iface.role() not in roles:
            problems.append(f"{what}: role {iface.role()}")
        if not name:
            problems.append(f"{what}: no accessible name")
            continue
        code = next((c for c, b in languages.items() if b is widget), None)
        if code is not None:  # a language button: the language's own name, its purpose in ours
            if name != i18n.LANGUAGE_NAMES[code]:
                problems.append(f"{what}: named {name!r}")
            if not description or not speaks(description.replace(i18n.LANGUAGE_NAMES[code], ""), language):
                problems.append(f"{what}: description {description!r} in {language}")
            continue
        if not speaks(name, language):
            problems.append(f"{what}: name {name!r} is not in {language}")
        if description and not speaks(description, language):
            problems.append(f"{what}: description {description!r} is not in {language}")
        if isinstance(widget, QLineEdit):
            palette = widget.palette()
            placeholder = palette.color(QPalette.ColorRole.PlaceholderText)
            ratio = contrast(placeholder.name(), palette.color(QPalette.ColorRole.Base).name())
            if placeholder.alpha() != 255 or ratio < TEXT_CONTRAST:
                problems.append(f"{what}: placeholder {placeholder.name()}/{placeholder.alpha()} {ratio:.2f}:1")
    return count, problems


def test_every_kiosk_control_has_a_name_and_a_role_in_each_language(unlocked, qtbot):
    from consentbooth.ui.widgets.signature import SignaturePad

    kiosk = start_kiosk(unlocked, qtbot)
    flow = kiosk.flow
    languages = dict(kiosk.language.buttons)
    offered = [code for code in i18n.ATTENDEE_LANGUAGES if code in languages]
    assert {"zh-CN", "en"} <= set(offered)
    walked: dict[str, int] = {}
    problems: list[str] = []

    def check(where: str, window: QWidget, language: str) -> None:
        QApplication.processEvents()
        count, found = accessibility_problems(window, language, languages)
        walked[language] = walked.get(language, 0) + count
        problems.extend(f"[{language}] {where}: {p}" for p in found)

    for language in offered:
        languages[language].click()
        assert i18n.current_language() == language
        for name in list(flow.steps):
            flow.go(name)
            check(name, kiosk, language)
        flow.go("purposes")
        flow.confirm_decline.open()
        check("continue without sharing?", kiosk, language)
        flow.confirm_decline.close_overlay()
        kiosk.timeout.ask()
        check("are you still there?", kiosk, language)
        kiosk.timeout.still_here()
        kiosk.ask_pin()
        qtbot.waitUntil(lambda: kiosk.pin_dialog is not None and kiosk.pin_dialog.isVisible(), timeout=5_000)
        check("staff PIN", kiosk.pin_dialog, language)
        kiosk.pin_dialog.reject()
    print(f"\nkiosk widgets walked per language: {walked}")
    assert problems == [], "\n".join(problems)
    # every step's controls were seen: the signature pad, the notice, each purpose's box, the PIN
    assert flow.signature.pad.accessibleName() and isinstance(flow.signature.pad, SignaturePad)
    assert all(count >= 60 for count in walked.values()), walked


def test_the_names_follow_a_language_switch(unlocked, qtbot):
    kiosk = start_kiosk(unlocked, qtbot)
    flow = kiosk.flow
    flow.boxes["sales_contact"].setChecked(True)  # the name is needed for it
    flow.go("details")
    edit = flow.rows["name"].edit
    before = QAccessible.queryAccessibleInterface(edit).text(QAccessible.Text.Name)
    kiosk.language.buttons["en"].click()
    after = QAccessible.queryAccessibleInterface(edit).text(QAccessible.Text.Name)
    assert ANY_CJK.search(before) and not ANY_CJK.search(after) and after.startswith("Name"), (before, after)
    # the label is the field's buddy, and a refusal is read out with the field
    assert flow.rows["name"].caption.buddy() is edit
    flow.details.check()
    assert edit.accessibleDescription() == flow.rows["name"].error.text() != ""
    kiosk.language.buttons["zh-CN"].click()
    assert ANY_CJK.search(edit.accessibleDescription())


# -- contrast -------------------------------------------------------------------------------------


def failing(pairs, minimum: float) -> list[str]:
    return [f"{p.selector}: {p.fg} on {p.bg} = {p.ratio:.2f}:1" for p in pairs if p.ratio < minimum]


@pytest.mark.parametrize("scale", [1.0, 1.3])
def test_every_text_colour_of_the_style_sheet_has_at_least_4_5_to_1(scale):
    sheet = style.STYLESHEET + (style.kiosk_rules(scale) if scale != 1.0 else "")
    pairs = text_pairs(sheet, default_text=style.INK)
    assert len(pairs) >= 200  # every rule that draws text, in each state, in the app and the kiosk
    assert failing(pairs, TEXT_CONTRAST) == []
    lowest = min(pairs, key=lambda p: p.ratio)
    print(f"\n{len(pairs)} pairs; lowest {lowest.ratio:.2f}:1, {lowest.selector} ({lowest.fg} on {lowest.bg})")
    # the states are there: disabled, checked, placeholder, selected text, the kiosk's own rules
    for part in (":disabled", ":checked", "(placeholder)", "(selected text)", "#kioskWindow QLabel#tag"):
        assert any(part in p.selector for p in pairs), part


def test_the_contrast_check_names_a_failing_selector():
    """The check itself, checked: yesterday's greys are found, with their selector."""
    sheet = style.STYLESHEET + ("QPushButton:disabled { color: #9aa5b1; background: #eef1f3; }\n"
                                "#kioskWindow QLabel#hint { color: #9aa5b1; }")
    bad = failing(text_pairs(sheet, default_text=style.INK), TEXT_CONTRAST)
    assert any(b.startswith("QPushButton:disabled: #9aa5b1 on #eef1f3 = 2.21") for b in bad), bad
    assert any(b.startswith("#kioskWindow QLabel#hint on QFrame#card") for b in bad), bad


def test_colours_set_inline_by_the_kiosk_have_at_least_4_5_to_1_on_every_surface():
    """Rich text and widget style sheets in the kiosk's code (the notice's headings, the review's
    captions, the "needed" tag) on every background of the sheet."""
    behind = surfaces(parse(style.STYLESHEET))
    found = []
    for path in sorted([*(APP / "kiosk").rglob("*.py"), *(APP / "widgets").glob("*.py")]):
        for expression in inline_colours(path.read_text(encoding="utf-8")):
            value = getattr(style, expression[7:-1]) if expression.startswith("{style.") else expression
            found.append(expression)
            for bg, where in behind.items():
                ratio = contrast(value, bg)
                assert ratio >= TEXT_CONTRAST, f"{path.name}: {expression} on {where} = {ratio:.2f}:1"
    assert {"{style.ACCENT_DARK}", "{style.MUTED}", "{style.DANGER}"} <= set(found), found


def test_the_focus_ring_stands_out_from_every_background():
    rules = parse(style.STYLESHEET + style.kiosk_rules(1.3))
    rings = {r.decls["border"].split()[-1] for r in rules if "focus" in r.selector.last.states and "border" in r.decls}
    assert rings == {style.FOCUS}
    for bg, where in surfaces(rules).items():
        assert contrast(style.FOCUS, bg) >= NON_TEXT_CONTRAST, where
    # every kind of widget that takes the focus in the kiosk has a :focus rule of its own
    focused = {r.selector.last.type for r in rules if "focus" in r.selector.last.states}
    assert {"QPushButton", "QCheckBox", "QLineEdit", "QTextBrowser", "QScrollArea"} <= focused


# -- larger text ----------------------------------------------------------------------------------


def in_scrolled_content(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent.parentWidget(), QWidget) and isinstance(parent.parentWidget().parentWidget(),
                                                                         QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def clipping(window: QWidget) -> list[str]:
    """What on show does not fit: a widget outside its parent (other than a scroll area's content),
    a label or button smaller than its text, a page that scrolls sideways, a layout larger than the
    window."""
    problems = []
    for widget in shown(window):
        if widget.isWindow() or widget.objectName() == "tapGuard":  # an invisible shield, not content
            continue
        what = f"{type(widget).__name__}#{widget.objectName()}"
        parent = widget.parentWidget()
        viewport = isinstance(parent, QWidget) and isinstance(parent.parentWidget(), QAbstractScrollArea)
        if parent is not None and not viewport and not parent.rect().contains(widget.geometry()):
            problems.append(f"{what} {widget.geometry().getRect()} outside its parent {parent.rect().getRect()}")
        if isinstance(widget, QLabel) and widget.text():
            if widget.wordWrap():
                need = widget.heightForWidth(widget.width())
                if widget.height() < need - 1:
                    problems.append(f"{what}: {widget.height()} px high, its text needs {need}")
            elif widget.width() < widget.sizeHint().width() - 1 or widget.height() < widget.sizeHint().height() - 1:
                problems.append(f"{what}: {widget.size().toTuple()} < its text {widget.sizeHint().toTuple()}")
        elif isinstance(widget, QAbstractButton) and widget.text():
            hint = widget.sizeHint()
            if widget.width() < hint.width() - 1 or widget.height() < hint.height() - 1:
                problems.append(f"{what}: {widget.size().toTuple()} < its text {hint.toTuple()}")
        if isinstance(widget, QScrollArea) and widget.horizontalScrollBar().isVisible():
            problems.append(f"{what} scrolls sideways")
    need = window.minimumSizeHint()
    if need.width() > window.width() or need.height() > window.height():
        problems.append(f"the window needs {need.toTuple()}, has {window.size().toTuple()}")
    return problems


def title_px(flow) -> int:
    return flow.step(flow.current()).title.font().pixelSize()


def test_larger_text_scales_every_step_without_clipping_and_resets_for_the_next_attendee(unlocked, qtbot):
    from consentbooth.ui.kiosk.a11y import LARGER

    kiosk = start_kiosk(unlocked, qtbot)
    kiosk.resize(*KIOSK_SIZE)
    flow = kiosk.flow
    normal = title_px(flow)
    button = kiosk.larger.button
    assert button.isVisible() and button.isCheckable() and button.focusPolicy() & Qt.FocusPolicy.TabFocus
    button.setFocus()
    QTest.keyClick(button, Qt.Key.Key_Space)  # the keyboard reaches it
    assert kiosk.larger.on and title_px(flow) == round(normal * LARGER)
    problems = []
    offered = [code for code in i18n.ATTENDEE_LANGUAGES if code in kiosk.language.buttons]
    assert {"zh-CN", "en"} <= set(offered)
    for language in offered:
        kiosk.language.buttons[language].click()
        for name in list(flow.steps):
            flow.go(name)
            QApplication.processEvents()
            assert title_px(flow) == round(normal * LARGER), name  # every step, not only the first
            problems += [f"[{language}] {name}: {p}" for p in clipping(kiosk)]
        flow.go("details")
        flow.details.check()  # every refusal at once
        QApplication.processEvents()
        problems += [f"[{language}] details with every error: {p}" for p in clipping(kiosk)]
        flow.confirm_decline.open()
        QApplication.processEvents()
        problems += [f"[{language}] continue without sharing?: {p}" for p in clipping(kiosk)]
        flow.confirm_decline.close_overlay()
    assert problems == [], "\n".join(problems)
    # the page is the same page, larger: nothing was taken away
    flow.finish()  # the next attendee
    assert not kiosk.larger.on and not button.isChecked() and title_px(flow) == normal
    assert i18n.current_language() == "zh-CN"


def test_a_refusal_is_announced_to_a_screen_reader(unlocked, qtbot, monkeypatch):
    """A sentence that appears without the focus moving (the guardian's step refusing, a failed
    save) is sent to the screen reader as an alert (WCAG 4.1.3), once, in the language of the moment."""
    kiosk = start_kiosk(unlocked, qtbot)
    flow = kiosk.flow
    alerts = []
    monkeypatch.setattr(QAccessible, "isActive", lambda: True)
    monkeypatch.setattr(QAccessible, "updateAccessibility",
                        lambda event: alerts.append((event.type(), event.object().text())))
    flow.go("guardian")
    flow.step("guardian").findChild(QPushButton, "guardianContinue").click()
    assert flow.guardian.error.isVisible()
    assert alerts == [(QAccessible.Event.Alert, flow.guardian.error.text())]
    assert ANY_CJK.search(alerts[0][1])
    flow.step("guardian").findChild(QPushButton, "guardianContinue").click()  # the same sentence: said once
    assert len(alerts) == 1
    assert flow.step("guardian").accessibleName() == flow.guardian.title.text()  # the page is named
