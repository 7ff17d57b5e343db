"""The unlock screen: passphrase, a clear message when wrong, a growing delay after repeated tries.

"Open another vault…" and "Create a new vault…" are staff choices: shown on the unlock screen of a
fresh start (or when staff asked for them from the console), hidden once the booth has been
locked, since a locked booth may face the public.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from consentbooth.core.errors import UserFacingError, WrongPassphrase
from consentbooth.core.i18n import _
from consentbooth.ui.errors import message_for
from consentbooth.ui.session import Session
from consentbooth.ui.widgets.common import N_, LanguageSwitch, Texts, button, card, label

FREE_TRIES = 3
MAX_DELAY_S = 60
LOCK_REASONS = {  # why the vault closed, as the unlock screen says it
    "idle": N_("Locked after inactivity. Enter the passphrase to continue."),
    "pin": N_("Closed after too many wrong staff PINs. Enter the passphrase to continue."),
    "pause_limit": N_("Closed after a long pause. Enter the passphrase to continue."),
    "suspend": N_("Closed when the computer went to sleep. Enter the passphrase to continue."),
    "screen_lock": N_("Closed when the screen was locked. Enter the passphrase to continue."),
    "damaged": N_("Closed: the vault is damaged or was tampered with. Restore it from a backup."),
}


def delay_after(failures: int) -> int:
    """Seconds to wait after ``failures`` wrong passphrases: 0, 0, 0, 2, 4, 8 ... capped."""
    if failures < FREE_TRIES:
        return 0
    return min(MAX_DELAY_S, 2 ** (failures - FREE_TRIES + 1))


class UnlockPage(QWidget):
    setup_requested = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        from PySide6.QtCore import Qt  # not at import: a first start imports this module (ui/__init__.py)

        super().__init__(parent)
        self.setObjectName("unlockPage")
        self.session = session
        self.texts = Texts()
        self.failures = 0
        self._wait_left = 0
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._tick)

        box, inner = card()
        box.setFixedWidth(460)
        inner.setContentsMargins(28, 22, 28, 24)
        inner.setSpacing(10)
        brand = label("ConsentBooth", name="brand", wrap=False)
        self.title = label(name="title")
        self.subtitle = label(name="subtitle")
        self.vault_label = label(name="muted")
        self.vault_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.passphrase = QLineEdit()
        self.passphrase.setObjectName("passphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.returnPressed.connect(self.submit)
        self.error = label(name="error")
        self.error.hide()
        self.unlock_button = button(role="primary", slot=self.submit)
        self.unlock_button.setObjectName("unlockButton")
        self.choose_button = button(slot=self._choose_vault)
        self.new_button = button(slot=self.setup_requested.emit)
        self.new_button.setObjectName("newVaultButton")
        self.language = LanguageSwitch()
        self.language.language_selected.connect(lambda c: session.set_language(c, remember=True))
        session.language_changed.connect(self._language_changed)

        inner.addWidget(brand)
        inner.addWidget(self.title)
        inner.addWidget(self.subtitle)
        inner.addSpacing(6)
        inner.addWidget(self.vault_label)
        inner.addWidget(self.passphrase)
        inner.addWidget(self.error)
        inner.addWidget(self.unlock_button)
        self.links = QWidget()
        links = QHBoxLayout(self.links)
        links.setContentsMargins(0, 0, 0, 0)
        links.addWidget(self.choose_button)
        links.addWidget(self.new_button)
        inner.addWidget(self.links)

        top = QHBoxLayout()
        top.addStretch(1)
        top.addWidget(self.language)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 16, 24, 24)
        outer.addLayout(top)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

        self.texts.bind(self.title.setText, "Unlock the booth")
        self.texts.bind(self.subtitle.setText, "Enter the vault passphrase to start capturing leads.")
        self.texts.bind(self.passphrase.setPlaceholderText, "Passphrase")
        self.texts.bind(self.unlock_button.setText, "Unlock")
        self.texts.bind(self.choose_button.setText, "Open another vault…")
        self.texts.bind(self.new_button.setText, "Create a new vault…")
        self.refresh()

    def _language_changed(self, language: str) -> None:
        self.language.sync(language)
        self.texts.apply()
        self.refresh()

    def refresh(self) -> None:
        self.vault_label.setText(_("Vault: {path}").format(path=self.session.location))

    def reset(self) -> None:
        self.passphrase.setText("")
        self._show_error("")
        self.passphrase.setFocus()

    def set_vault_choices(self, visible: bool) -> None:
        """Show or hide "Open another vault…" and "Create a new vault…"."""
        self.links.setVisible(visible)

    def show_locked(self, reason: str) -> None:
        self.reset()
        self.set_vault_choices(False)
        msgid = LOCK_REASONS.get(reason)
        self._show_error(_(msgid) if msgid else _("Locked. Enter the passphrase to continue."), ok=True)

    def _show_error(self, text: str, *, ok: bool = False) -> None:
        self.error.setObjectName("muted" if ok else "error")
        self.error.style().unpolish(self.error)
        self.error.style().polish(self.error)
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def _choose_vault(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Open a vault"), str(self.session.vault_path.parent), _("Vaults (*.cbvault)")
        )
        if path:
            self.session.vault_path = Path(path)
            self.session.hub = None
            self.refresh()

    def submit(self) -> None:
        if self._wait_left > 0 or not self.unlock_button.isEnabled():
            return
        passphrase = self.passphrase.text()
        if not passphrase and not (self.session.hub is not None and self.session.hub.key_file_text):
            self._show_error(_("Please enter the passphrase."))
            return
        if not self.session.vault_exists():
            self._show_error(_("No vault was found at {path}.").format(path=str(self.session.vault_path)))
            return
        self.passphrase.setText("")
        self.unlock_button.setEnabled(False)
        self.passphrase.setEnabled(False)
        self._show_error(_("Unlocking…"), ok=True)
        self.session.unlock(passphrase, on_error=self._failed)

    def unlocked(self) -> None:
        self.failures = 0
        self.unlock_button.setEnabled(True)
        self.passphrase.setEnabled(True)
        self._show_error("")

    def _failed(self, exc: BaseException) -> None:
        self.passphrase.setEnabled(True)
        self.unlock_button.setEnabled(True)
        if isinstance(exc, WrongPassphrase):
            self.failures += 1
            wait = delay_after(self.failures)
            message = exc.localized()
            if wait:
                self._wait_left = wait
                self.unlock_button.setEnabled(False)
                self.passphrase.setEnabled(False)
                self._countdown.start()
                message += " " + _("Please wait {seconds} s before the next try.").format(seconds=wait)
            self._show_error(message)
        elif isinstance(exc, UserFacingError):
            self._show_error(exc.localized())
        else:
            self._show_error(message_for(exc))
        self.passphrase.setFocus()

    def _tick(self) -> None:
        self._wait_left -= 1
        if self._wait_left <= 0:
            self._countdown.stop()
            self._wait_left = 0
            self.unlock_button.setEnabled(True)
            self.passphrase.setEnabled(True)
            self.passphrase.setFocus()
            self._show_error(_("You can try again now."), ok=True)
        else:
            self.unlock_button.setText(_("Wait {seconds} s").format(seconds=self._wait_left))
            return
        self.unlock_button.setText(_("Unlock"))
