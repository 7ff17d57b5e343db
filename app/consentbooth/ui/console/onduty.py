"""Who is on duty: asked before kiosk mode or a staff-assisted capture, never guessed.

Every capture records the staff member who handled it; nobody is on duty until staff say who is
(one large button per active staff member). The service checks the choice
(:func:`consentbooth.services.staffing.on_duty`).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QGridLayout, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from consentbooth.ui.session import Session
from consentbooth.ui.widgets.common import MessageLabel, Texts, button, label
from consentbooth.ui.widgets.screen import fit

COLUMNS = 3


class OnDutyDialog(QDialog):
    chosen = Signal(str)  # the initials now on duty

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("onDutyDialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.session = session
        self.texts = Texts()
        self.texts.bind(self.setWindowTitle, "Who is on duty?")
        title = label(name="title")
        self.texts.bind(title.setText, "Who is on duty?")
        hint = label(name="muted")
        self.texts.bind(hint.setText, "Each capture records the staff member who handled it.")
        grid = QGridLayout()
        grid.setSpacing(10)
        self.buttons: dict[str, QPushButton] = {}
        snapshot = session.snapshot
        for i, member in enumerate(snapshot.staff if snapshot else ()):
            b = button(member.label(), slot=lambda m=member.initials: self.choose(m))
            b.setObjectName(f"duty_{member.initials}")
            b.setMinimumHeight(56)
            if member.initials == session.operator:
                b.setProperty("role", "primary")
            grid.addWidget(b, i // COLUMNS, i % COLUMNS)
            self.buttons[member.initials] = b
        self.error = MessageLabel()
        cancel = button(slot=self.reject)
        cancel.setObjectName("dutyCancel")
        self.texts.bind(cancel.setText, "Cancel")
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(12)
        layout.addWidget(title)
        layout.addWidget(hint)
        layout.addLayout(grid)
        layout.addWidget(self.error)
        layout.addLayout(row)
        self.setMinimumWidth(520)
        fit(self)

    def choose(self, initials: str) -> None:
        for b in self.buttons.values():
            b.setEnabled(False)

        def done() -> None:
            self.chosen.emit(initials)
            self.accept()

        def failed(exc: BaseException) -> None:
            for b in self.buttons.values():
                b.setEnabled(True)
            self.error.refuse(exc)

        if not self.session.put_on_duty(initials, done, failed):
            self.reject()
