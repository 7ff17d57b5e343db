"""Taps from "Next attendee" to "saved" on the shortest consenting path, counted (issue 11, point 9).

Every tap goes through the window as a touch screen delivers it (``tap``) and an application-wide
filter counts the presses the windows receive; typing is not a tap. The README reports these
figures: 4 taps for the staff-assisted capture (one staff page, then the screen turned to the
visitor), 9 in the kiosk (notice, purposes, separate consents, age, details, signature, review).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QWindow
from PySide6.QtWidgets import QAbstractButton, QApplication

from tests.gui.gui_helpers import idle, leaks, on_duty, tap, taps_allowed, type_text
from tests.gui.test_kiosk import start_kiosk

ASSISTED_TAPS = 4
KIOSK_TAPS = 9
NAME, EMAIL = "周杰", "zhou.jie@example.cn"


class TapCounter(QObject):
    """Counts the presses that reach a window (one per tap, wherever it lands)."""

    def __init__(self) -> None:
        super().__init__()
        self.taps = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.MouseButtonPress and isinstance(watched, QWindow):
            self.taps += 1
        return False

    def __enter__(self) -> TapCounter:
        QApplication.instance().installEventFilter(self)
        return self

    def __exit__(self, *_exc: object) -> None:
        QApplication.instance().removeEventFilter(self)


def press(qtbot, root, name: str) -> None:
    button = root.findChild(QAbstractButton, name)
    assert button is not None and button.isVisible(), name
    taps_allowed(qtbot, button)  # a person's next tap comes after the guard anyway
    tap(button)


def test_staff_assisted_capture_takes_four_taps_plus_typing(console_shell, qtbot):
    shell, _ids = console_shell
    console = shell.window.console
    press(qtbot, console, "assistedButton")
    on_duty(qtbot, console, "WF")
    qtbot.waitUntil(lambda: console.assisted is not None and console.assisted.isVisible(), timeout=5_000)
    flow = console.assisted.flow

    def one_visitor(name: str, email: str) -> object:
        assert flow.current() == "details"  # the staff's one page
        type_text(qtbot, flow.rows["name"].edit, name)
        type_text(qtbot, flow.rows["email"].edit, email)
        type_text(qtbot, flow.rows["interest"].edit, "Spectrometers")
        flow.details.rating.setCurrentText("5")
        type_text(qtbot, flow.details.notes, "Wants a demo")
        press(qtbot, flow, "detailsContinue")  # turn the screen to the visitor
        assert flow.current() == "consent"
        consent = flow.steps["consent"]
        taps_allowed(qtbot, flow)
        consent.area.ensureWidgetVisible(consent.cards["product_info"])
        tap(consent.cards["product_info"])  # the visitor ticks it themselves
        assert flow.ticked() == ["product_info"]
        with qtbot.waitSignal(flow.saved, timeout=10_000) as saved:
            press(qtbot, flow, "consentSave")
        assert flow.current() == "thanks"
        return saved.args[0]

    one_visitor("Jonas Jensen", "jonas@globex.example")
    with TapCounter() as counter:
        press(qtbot, flow, "nextAttendee")
        result = one_visitor(NAME, EMAIL)
    assert counter.taps == ASSISTED_TAPS <= 6
    idle(shell, qtbot)
    record = shell.session.booth.record(result.lead_id)
    assert record.granted() == ("product_info",) and record.lead.fields["name"] == NAME
    assert record.lead.fields["rating"] == "5" and record.lead.fields["interest"] == "Spectrometers"
    assert record.lead.collection_method.value == "staff" and record.history[0].operator == "WF"
    assert leaks(console.assisted, [NAME, EMAIL]) == []  # the thank-you screen shows none of it


def test_kiosk_capture_takes_nine_taps_plus_typing(console_shell, qtbot):
    shell, _ids = console_shell
    kiosk = start_kiosk(shell, qtbot)
    flow = kiosk.flow
    flow.go("thanks")  # as after the previous attendee: the count starts at "Next attendee"
    with TapCounter() as counter:
        press(qtbot, flow, "nextAttendee")
        press(qtbot, flow, "noticeContinue")
        taps_allowed(qtbot, flow)
        tap(flow.steps["purposes"].cards["product_info"])
        press(qtbot, flow, "purposesContinue")
        press(qtbot, flow, "separateContinue")
        press(qtbot, flow, "age14plus")
        type_text(qtbot, flow.rows["name"].edit, NAME)
        type_text(qtbot, flow.rows["email"].edit, EMAIL)
        press(qtbot, flow, "detailsContinue")
        press(qtbot, flow, "signatureContinue")
        with qtbot.waitSignal(flow.saved, timeout=10_000) as saved:
            press(qtbot, flow, "saveButton")
    assert counter.taps == KIOSK_TAPS
    idle(shell, qtbot)
    assert shell.session.booth.record(saved.args[0].lead_id).granted() == ("product_info",)


def test_staff_assisted_capture_of_a_child_asks_the_guardian(console_shell, qtbot):
    shell, _ids = console_shell
    console = shell.window.console
    press(qtbot, console, "assistedButton")
    on_duty(qtbot, console, "AM")
    qtbot.waitUntil(lambda: console.assisted is not None and console.assisted.isVisible(), timeout=5_000)
    flow = console.assisted.flow
    type_text(qtbot, flow.rows["name"].edit, "李小明")
    press(qtbot, flow, "detailsContinue")
    press(qtbot, flow, "consentUnder14")  # nothing ticked yet: the guardian is asked first all the same
    assert flow.current() == "guardian" and flow.under_14
    type_text(qtbot, flow.guardian.name_row.edit, "李娜")
    type_text(qtbot, flow.guardian.relationship_row.edit, "母亲")
    flow.guardian.consent.setChecked(True)
    press(qtbot, flow, "guardianContinue")
    assert flow.confirm_decline.isVisible()  # nothing ticked: asked, never saved as a consent
    taps_allowed(qtbot, flow.confirm_decline)
    press(qtbot, flow.confirm_decline, "declineBack")
    flow.go("consent")
    flow.boxes["event_followup"].setChecked(True)
    press(qtbot, flow, "consentUnder14")
    press(qtbot, flow, "guardianContinue")  # the guardian's answers are still there
    qtbot.waitUntil(lambda: flow.current() == "thanks", timeout=10_000)
    idle(shell, qtbot)
    lead_id = shell.session.booth.search("李小明")[0].id
    record = shell.session.booth.record(lead_id)
    assert record.lead.guardian.name == "李娜" and record.granted() == ("event_followup",)
