"""After the capture: thank you, a QR code with the receipt reference, how to withdraw."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout

from consentbooth.core.i18n import _, current_language
from consentbooth.ui.kiosk.steps.base import Flow, Step
from consentbooth.ui.widgets.common import N_, label
from consentbooth.ui.widgets.qr import QrWidget

if TYPE_CHECKING:
    from consentbooth.services import CaptureResult


class ThanksStep(Step):
    def __init__(self, flow: Flow) -> None:
        super().__init__(
            flow, "thanks", scroll=False, title=N_("Thank you!"),
            subtitle=N_("Your choices are recorded. You can withdraw any of them at any time, as easily "
                     "as you gave them."),
        )
        row = QHBoxLayout()
        self.qr = QrWidget(side=240)
        self.qr.setObjectName("receiptQr")
        row.addWidget(self.qr)
        info = QVBoxLayout()
        self.qr_hint = label()
        self.texts.bind(self.qr_hint.setText, "Scan to keep the privacy notice and your receipt reference.")
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
        """The receipt reference and the notice read, as a QR code and in words."""
        notice = self.flow.snapshot.notice
        reference = result.ledger_id or ""
        # Compact, so the code stays small and quick to scan: the receipt reference, the notice
        # version and the start of its SHA-256 (the full notice text is on the certificate).
        digest = notice.sha256(current_language())[:16] if notice is not None else ""
        version = notice.version if notice is not None else 0
        self.qr.set_data(f"CBRECEIPT:{reference};NOTICE:{version}:{current_language()}:{digest}")
        self.receipt_label.setText(_("Receipt reference: {ref}").format(ref=reference[:8].upper()))

    def wipe(self, *, everything: bool = False) -> None:
        if everything:
            self.qr.wipe()
            self.receipt_label.setText("")
