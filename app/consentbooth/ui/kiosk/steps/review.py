"""What will be recorded, to check before saving: the purposes agreed to and the details."""

from __future__ import annotations

import html
from typing import cast

from PySide6.QtCore import Qt

from consentbooth.core.i18n import _, current_language
from consentbooth.domain.models import localized
from consentbooth.ui import style
from consentbooth.ui.kiosk.steps.base import Flow, Step
from consentbooth.ui.kiosk.steps.details import DetailsStep
from consentbooth.ui.kiosk.steps.guardian import GuardianStep
from consentbooth.ui.kiosk.steps.signature import SignatureStep
from consentbooth.ui.widgets.common import N_, MessageLabel, card, label
from consentbooth.ui.widgets.labels import field_label


def _row(caption: str, value: str) -> str:
    return (f"<tr><td style='padding-right:18px;color:{style.MUTED}'>{html.escape(caption)}</td>"
            f"<td>{html.escape(value)}</td></tr>")


class ReviewStep(Step):
    def __init__(self, flow: Flow) -> None:
        super().__init__(
            flow, "review", title=N_("Please check"),
            subtitle=N_("This is what we will record. You can go back and change anything."),
        )
        frame, inner = card()
        self.purposes = label()
        self.purposes.setObjectName("reviewPurposes")
        self.details = label()
        self.details.setObjectName("reviewDetails")
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.purposes.setTextFormat(Qt.TextFormat.RichText)
        inner.addWidget(self.purposes)
        inner.addWidget(self.details)
        self.body.addWidget(frame)
        self.error = MessageLabel()
        self.body.addWidget(self.error)
        self.body.addStretch(1)
        self.nav("Back", lambda: flow.go("signature"), name="reviewBack")
        self.save_button = self.nav("Confirm and save", flow.save, name="saveButton", role="primary",
                                    last=True)

    def on_enter(self) -> None:
        self.fill()

    def refresh(self) -> None:
        self.error.retranslate()
        if self.flow.current() == self.name:
            self.fill()

    def fill(self) -> None:
        flow = self.flow
        language = current_language()
        ticked = flow.ticked()
        titles = [localized(p.title, language) for p in flow.snapshot.offered if p.code in ticked]
        items = "".join(f"<li>{html.escape(t)}</li>" for t in titles)
        self.purposes.setText(f"<b>{html.escape(_('You agree to'))}</b><ul>{items}</ul>")
        details = cast(DetailsStep, flow.step("details"))
        rows = [_row(field_label(key, flow.questions), value.strip())
                for key, value in details.values().items() if value.strip()]
        if flow.under_14:
            guardian = cast(GuardianStep, flow.step("guardian")).guardian()
            rows.append(_row(_("Guardian"), f"{guardian.name} ({guardian.relationship})"))
        signed = _("Signed") if cast(SignatureStep, flow.step("signature")).signed() else _("Not signed")
        rows.append(_row(_("Signature"), signed))
        self.details.setText(f"<table>{''.join(rows)}</table>")

    def show_error(self, exc: BaseException) -> None:
        self.error.refuse(exc)

    def wipe(self, *, everything: bool = False) -> None:
        self.purposes.setText("")
        self.details.setText("")
        self.error.clear_message()
