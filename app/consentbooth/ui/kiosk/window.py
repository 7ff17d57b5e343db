"""The kiosk window: full screen, one attendee at a time, leaving it needs the staff PIN.

An attendee who walks away is asked "Are you still there?" and then forgotten
(:mod:`~consentbooth.ui.kiosk.timeout`); a booth that staff leave alone pauses behind the neutral
screen (:class:`~consentbooth.ui.paused.PausedScreen`) shown here, over the whole kiosk.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QPaintEvent, QShortcut
from PySide6.QtWidgets import QFrame, QHBoxLayout, QStackedWidget, QVBoxLayout, QWidget

from consentbooth.core.config import KIOSK_IDLE_SECONDS
from consentbooth.core.i18n import LANGUAGE_NAMES
from consentbooth.core.logging import get_logger
from consentbooth.ui.kiosk.a11y import LargerText, describe_languages
from consentbooth.ui.kiosk.flow import AttendeeFlow
from consentbooth.ui.kiosk.pin import PinDialog
from consentbooth.ui.kiosk.timeout import AttendeeTimeout
from consentbooth.ui.session import Session
from consentbooth.ui.widgets.common import LanguageSwitch, Texts, button, label

if TYPE_CHECKING:
    from consentbooth.ui.paused import PausedScreen

log = get_logger(__name__)

KIOSK_LANGUAGE = "zh-CN"  # each new attendee starts in Chinese and may switch
QUIET_STEPS = frozenset({"notice", "thanks", "declined", "refused"})  # no attendee timeout there

__all__ = ["KIOSK_LANGUAGE", "KioskWindow", "PinDialog", "offered_languages"]


def offered_languages(session: Session) -> tuple[str, ...]:
    """The languages an attendee may choose: those the published notice is complete in (zh-CN
    and en always are; zh-Hant, ja, ko once the organisation wrote every Art. 17 item)."""
    notice = session.snapshot.notice if session.snapshot else None
    return notice.languages() if notice is not None else (KIOSK_LANGUAGE,)


class KioskWindow(QWidget):
    left = Signal()  # staff left kiosk mode with the PIN

    def __init__(self, session: Session, *, idle_ms: Callable[[], float],
                 parent: QWidget | None = None) -> None:
        """``idle_ms``: time since the last input anywhere in the app (the inactivity pause's)."""
        super().__init__(parent)
        self.setObjectName("kioskWindow")
        self.setWindowTitle("ConsentBooth")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.session = session
        self.texts = Texts()
        self._may_close = False
        self._painted = False
        self.flow: AttendeeFlow | None = None
        self.attendees = 0
        self.timeouts = 0  # attendees forgotten after walking away (a count, nothing else)
        self.pin_dialog: PinDialog | None = None
        self._paused: PausedScreen | None = None

        bar = QFrame()
        bar.setObjectName("topBar")
        bar_layout = QHBoxLayout(bar)
        bar_layout.setContentsMargins(24, 10, 24, 10)
        org = session.snapshot.organisation if session.snapshot else None
        self.brand = label(name="brand", wrap=False)
        self._org = org
        self.larger = LargerText(self, self.texts)  # "A+ Larger text", next to the languages
        self.language = LanguageSwitch(languages=offered_languages(session), names=LANGUAGE_NAMES)
        self.language.setObjectName("kioskLanguage")
        self.language.language_selected.connect(self._switch_language)
        self.staff_button = button(role="staff", slot=self.ask_pin)
        self.staff_button.setObjectName("staffExit")
        self.texts.bind(self.staff_button.setText, "Staff")
        self.texts.bind(self.staff_button.setAccessibleDescription, "For staff: leave kiosk mode with the staff PIN.")
        bar_layout.addWidget(self.brand)
        bar_layout.addStretch(1)
        bar_layout.addWidget(self.larger.button)
        bar_layout.addSpacing(12)
        bar_layout.addWidget(self.language)
        bar_layout.addSpacing(12)
        bar_layout.addWidget(self.staff_button)

        self.main = QWidget()
        self.body = QVBoxLayout()
        self.body.setContentsMargins(0, 0, 0, 0)
        main = QVBoxLayout(self.main)
        main.setContentsMargins(0, 0, 0, 0)
        main.setSpacing(0)
        main.addWidget(bar)
        main.addLayout(self.body, 1)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.main)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        self.timeout = AttendeeTimeout(self, idle_ms=idle_ms, watching=self._attendee_mid_way,
                                       seconds=session.config.get(KIOSK_IDLE_SECONDS))
        self.timeout.expired.connect(self.attendee_gone)
        QShortcut(QKeySequence("Ctrl+Shift+Q"), self, activated=self.ask_pin)
        session.language_changed.connect(self._language_changed)
        self.new_attendee()

    def _switch_language(self, language: str) -> None:
        self.session.set_language(language)

    def _language_changed(self, language: str) -> None:
        self.language.sync(language)
        describe_languages(self.language.buttons)
        self.texts.apply()
        self._update_brand()
        self.timeout.retranslate()
        if self.flow is not None:
            self.flow.retranslate()

    def _update_brand(self) -> None:
        from consentbooth.core.i18n import current_language

        self.brand.setText(self._org.display_name(current_language()) if self._org else "ConsentBooth")

    def new_attendee(self) -> None:
        """A blank flow for the next person: every value, choice, undo history and signature of
        the previous attendee is wiped (the flow is reused: rebuilding ~150 widgets per attendee
        would keep the next visitor waiting)."""
        self.session.set_language(KIOSK_LANGUAGE)
        self.language.sync(KIOSK_LANGUAGE)
        describe_languages(self.language.buttons)
        self.larger.reset()  # and at the normal size
        self._update_brand()
        if self.flow is None:
            # Only the notice is built now; the other steps right after the first paint.
            self.flow = AttendeeFlow(self.session, lazy=True, parent=self)
            self.flow.finished.connect(self._next)
            self.body.addWidget(self.flow)
            self.flow.show()
        else:
            self.flow.reset()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self, self._build_steps)

    def _build_steps(self) -> None:
        if self.flow is not None:
            self.flow.build_steps()
            self.flow.step(self.flow.current()).focus_first()  # now that the window is up
        self.timeout.start()  # after the first paint: nothing to time before

    def _next(self) -> None:
        self.attendees += 1
        self.new_attendee()

    def _attendee_mid_way(self) -> bool:
        flow = self.flow
        return (flow is not None and self.pages.currentWidget() is self.main and not flow.busy
                and flow.current() not in QUIET_STEPS)

    def attendee_gone(self) -> None:
        """The attendee walked away: forget everything they entered; the welcome screen again."""
        self.timeouts += 1
        log.info("an attendee left mid-way; their entries were discarded")
        if self.flow is not None:
            self.flow.reset()
        self.new_attendee()

    def ask_pin(self) -> None:
        if self.session.is_paused:  # the paused screen asks for the PIN already
            return
        if self.pin_dialog is not None and self.pin_dialog.isVisible():
            self.pin_dialog.raise_()
            return
        dialog = PinDialog(self.session, self)
        dialog.accepted_pin.connect(self.leave)
        dialog.finished.connect(lambda _r, d=dialog: self._pin_closed(d))
        dialog.open()
        self.pin_dialog = dialog

    def _pin_closed(self, dialog: PinDialog) -> None:
        if self.pin_dialog is dialog:
            self.pin_dialog = None

    def leave(self) -> None:
        self.wipe()
        self.timeout.stop()
        self._may_close = True
        self.close()
        self.left.emit()

    # -- a paused booth -----------------------------------------------------------------------

    @property
    def paused_screen(self) -> PausedScreen:
        if self._paused is None:
            from consentbooth.ui.paused import PausedScreen

            self._paused = PausedScreen(self.session)
            self.pages.addWidget(self._paused)
        return self._paused

    def pause(self) -> None:
        """Staff were away: the attendee's entries go, the neutral screen asks for the PIN."""
        self.timeout.stop()
        if self.flow is not None:
            self.flow.reset()
        screen = self.paused_screen
        self.pages.setCurrentWidget(screen)
        screen.start()

    def resume(self) -> None:
        self.new_attendee()
        self.pages.setCurrentWidget(self.main)
        self.timeout.start()

    def wipe(self) -> None:
        if self.flow is not None:
            self.flow.wipe(everything=True)

    def force_close(self) -> None:
        """On lock: wipe and close without the PIN."""
        self.wipe()
        self.timeout.stop()
        self._may_close = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._may_close:
            event.accept()
        else:
            event.ignore()
            self.ask_pin()

    def keyPressEvent(self, event) -> None:  # Esc must not leave the kiosk
        if event.key() == Qt.Key.Key_Escape:
            event.accept()
            return
        super().keyPressEvent(event)
