"""After the capture: thank you, a receipt QR code a phone shows as text, how to withdraw.

The receipt (:func:`consentbooth.services.receipts.receipt_text`) names the organisation, the
date, the purposes agreed, the certificate's id and how to withdraw. The certificate is issued in
the background right after the save; the code appears when its id is known, or after
``RECEIPT_WAIT_MS`` with the consent record's id instead.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout

from consentbooth.core.i18n import _, current_language
from consentbooth.domain.models import localized
from consentbooth.ui.kiosk.steps.base import Flow, Step
from consentbooth.ui.widgets.common import N_, label
from consentbooth.ui.widgets.qr import QrWidget

if TYPE_CHECKING:
    from consentbooth.services import CaptureResult

QR_SIDE = 360  # about 5 px a module for a receipt of ~350 bytes: easy for a phone held at arm's length
RECEIPT_WAIT_MS = 4_000


class ThanksStep(Step):
    def __init__(self, flow: Flow) -> None:
        super().__init__(
            flow, "thanks", scroll=False, title=N_("Thank you!"),
            subtitle=N_("Your choices are recorded. You can withdraw any of them at any time, as easily "
                     "as you gave them."),
        )
        row = QHBoxLayout()
        self.qr = QrWidget(side=QR_SIDE)
        self.qr.setObjectName("receiptQr")
        self.texts.bind(self.qr.setAccessibleName, "Receipt QR code")
        row.addWidget(self.qr, 0, Qt.AlignmentFlag.AlignTop)
        info = QVBoxLayout()
        self.qr_hint = label()
        self.texts.bind(self.qr.setAccessibleDescription, "Scan the code with your phone to keep your receipt: "
                        "what you agreed to, the certificate number and how to withdraw.")
        self.texts.bind(self.qr_hint.setText, "Scan the code with your phone to keep your receipt: what you "
                                              "agreed to, the certificate number and how to withdraw.")
        self._result: CaptureResult | None = None
        self._at: datetime | None = None
        self._language = ""
        self.fallback = QTimer(self)
        self.fallback.setSingleShot(True)
        self.fallback.setInterval(RECEIPT_WAIT_MS)
        self.fallback.timeout.connect(lambda: self._draw(None))
        self.receipt_label = label(name="subtitle")
        self.receipt_label.setObjectName("receiptRef")
        self.receipt_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.countdown = label(name="muted")
        self.rights_label = label()
        self.rights_label.setObjectName("rightsContact")
        org = flow.snapshot.organisation
        if org is not None:
            self.texts.bind(self.rights_label.setText,
                            "To withdraw a consent or ask about your data, contact: {contact}",
                            contact=org.rights_contact)
        info.addWidget(self.qr_hint)
        info.addWidget(self.receipt_label)
        info.addSpacing(12)
        info.addWidget(self.rights_label)
        info.addStretch(1)
        info.addWidget(self.countdown)
        row.addSpacing(24)
        row.addLayout(info, 1)
        self.body.addLayout(row)
        self.body.addStretch(1)
        self.nav("Next attendee", flow.finish, name="nextAttendee", role="primary", last=True)

    def show_receipt(self, result: CaptureResult) -> None:
        """The QR code and its number once the certificate's id is known (a moment later)."""
        self._result = result
        self._at = datetime.now().astimezone()
        self._language = current_language()
        self.qr.wipe()
        self.receipt_label.setText("")
        self.fallback.start()

    def certificate_issued(self, ledger_id: str, certificate_id: str | None) -> None:
        """The certificate of ``ledger_id`` exists (or could not be issued: None)."""
        result = self._result
        if result is not None and result.ledger_id == ledger_id and (certificate_id or not self.qr.data()):
            self._draw(certificate_id)

    def _draw(self, certificate_id: str | None) -> None:
        from consentbooth.services.receipts import receipt_text

        result, org = self._result, self.flow.snapshot.organisation
        if result is None or self._at is None:
            return
        self.fallback.stop()
        language = self._language
        titles = [localized(p.title, language) for p in self.flow.snapshot.offered if p.code in result.granted]
        self.qr.set_data(receipt_text(
            organisation=org.display_name(language) if org else "", at=self._at, purposes=titles,
            certificate_id=certificate_id, record_id=result.ledger_id or "",
            contact=org.rights_contact if org else "", language=language,
        ))
        # the same number in words, as the code and the certificate print it
        self.receipt_label.setText(_("Certificate: {id}").format(id=certificate_id) if certificate_id
                                   else _("Consent record: {id}").format(id=result.ledger_id or ""))

    def wipe(self, *, everything: bool = False) -> None:
        if everything:
            self.fallback.stop()
            self._result = None
            self._at = None
            self.qr.wipe()
            self.receipt_label.setText("")
