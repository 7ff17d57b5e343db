"""The staff PIN, typed or tapped: a masked field and a keypad of large keys, with the lockout said.

The PIN is checked on the worker behind a lockout (:mod:`consentbooth.services.staffing`): the
caller runs the try and hands the outcome to :meth:`PinPad.show_check`, which says what it means
(wrong, how many tries are left, how long to wait) and blocks the keys while a wait runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QGridLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from consentbooth.ui.widgets.common import MessageLabel, Texts, button

if TYPE_CHECKING:
    from consentbooth.services.staffing import PinCheck

KEY_SIZE = 64


class PinPad(QWidget):
    submitted = Signal(str)  # the PIN typed, when OK or Enter is pressed

    def __init__(self, *, last_tries: str, parent: QWidget | None = None) -> None:
        """``last_tries``: the msgid said after a wrong PIN when few tries are left, with ``{n}``
        and what happens once they are used up (the vault closes, or a wait begins)."""
        super().__init__(parent)
        self.texts = Texts()
        self.last_tries = last_tries
        self.edit = QLineEdit()
        self.edit.setObjectName("pinEdit")
        self.texts.bind(self.edit.setAccessibleName, "Staff PIN")
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setMaxLength(12)
        self.edit.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.edit.setValidator(QRegularExpressionValidator(r"\d{0,12}", self.edit))
        self.edit.setMinimumHeight(KEY_SIZE - 8)
        self.edit.returnPressed.connect(self.submit)
        self.message = MessageLabel(reserve=1)
        self.message.setObjectName("pinPadMessage")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.keys: list[QPushButton] = []
        grid = QGridLayout()
        grid.setSpacing(10)
        for i, digit in enumerate("123456789"):
            grid.addWidget(self._key(digit), i // 3, i % 3)
        back = button("⌫", slot=self.edit.backspace)
        back.setObjectName("pinBack")
        self.texts.bind(back.setAccessibleName, "Delete the last digit")
        self._size(back)
        grid.addWidget(back, 3, 0)
        grid.addWidget(self._key("0"), 3, 1)
        self.ok = button(role="primary", slot=self.submit)
        self.ok.setObjectName("pinOk")
        self.texts.bind(self.ok.setText, "OK")
        self._size(self.ok)
        grid.addWidget(self.ok, 3, 2)
        self.keys += [back, self.ok]
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.edit)
        layout.addWidget(self.message)
        layout.addLayout(grid)
        self._wait = 0
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._tick)

    def _size(self, key: QPushButton) -> None:
        key.setMinimumSize(KEY_SIZE, KEY_SIZE)
        key.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the field keeps the focus for typing

    def _key(self, digit: str) -> QPushButton:
        key = button(digit, role="key", slot=lambda: self.edit.insert(digit))
        key.setObjectName(f"pinKey_{digit}")
        self._size(key)
        self.keys.append(key)
        return key

    @property
    def waiting(self) -> bool:
        return self._wait > 0

    def submit(self) -> None:
        pin = self.edit.text()
        if self.waiting or not self.ok.isEnabled():
            return
        if not pin:
            self.message.say("Enter the staff PIN.")
            return
        self.edit.setText("")
        self.set_busy(True)
        self.submitted.emit(pin)

    def set_busy(self, busy: bool) -> None:
        for key in self.keys:
            key.setEnabled(not busy)
        self.edit.setEnabled(not busy)

    def show_check(self, check: PinCheck) -> None:
        """Say what a refused try means; a running wait blocks the keys until it is over."""
        self.set_busy(False)
        if check.ok:
            self.message.clear_message()
            return
        if check.wait_s > 0:
            self._start_wait(check.wait_s)
        elif check.tries_left <= 2:
            self.message.say(self.last_tries, n=check.tries_left)
        else:
            self.message.say("That PIN is not correct.")
        if not self.waiting:
            self.edit.setFocus()

    def _start_wait(self, seconds: int) -> None:
        self._wait = seconds
        self.set_busy(True)
        self._countdown.start()
        self._say_wait()

    def _say_wait(self) -> None:
        self.message.say("Too many wrong PINs. Try again in {seconds} s.", seconds=self._wait)

    def _tick(self) -> None:
        self._wait -= 1
        if self._wait > 0:
            self._say_wait()
            return
        self._countdown.stop()
        self._wait = 0
        self.set_busy(False)
        self.message.say("You can try again now.")
        self.edit.setFocus()

    def retranslate(self) -> None:
        self.texts.apply()
        self.message.retranslate()

    def wipe(self) -> None:
        self.edit.setText("")
        if not self.waiting:
            self.message.clear_message()

