"""An optional handwritten signature (finger, pen or mouse)."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout

from consentbooth.ui.kiosk.steps.base import Flow, Step
from consentbooth.ui.widgets.common import N_, button
from consentbooth.ui.widgets.signature import SignaturePad


class SignatureStep(Step):
    def __init__(self, flow: Flow) -> None:
        super().__init__(
            flow, "signature", scroll=False, title=N_("Sign here (optional)"),
            subtitle=N_("Sign with your finger, a pen or the mouse if you like. You can also skip this."),
        )
        self.pad = SignaturePad()
        self.pad.setObjectName("signaturePad")
        self.texts.bind(self.pad.setAccessibleName, "Signature pad")
        self.texts.bind(self.pad.setAccessibleDescription, "Draw your signature here with a finger, a pen or "
                                                           "the mouse. Signing is optional.")
        self.body.addWidget(self.pad, 1)
        clear = button(slot=self.pad.wipe)
        clear.setObjectName("signatureClear")
        self.texts.bind(clear.setText, "Clear the signature")
        row = QHBoxLayout()
        row.addWidget(clear)
        row.addStretch(1)
        self.body.addLayout(row)
        self.nav("Back", lambda: flow.go("details"), name="signatureBack")
        self.nav("Continue", lambda: flow.go("review"), name="signatureContinue", role="primary", last=True)

    def signed(self) -> bool:
        return not self.pad.is_empty()

    def wipe(self, *, everything: bool = False) -> None:
        self.pad.wipe()
