"""A person's record: every field, the consent per purpose, and the ledger history as a timeline.

It follows the session: after any write to the leads (``Session.changed``) the record shown is
read again, whichever screen made the change.
"""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from consentbooth.core.i18n import _
from consentbooth.domain.models import CONTACT_FIELDS
from consentbooth.domain.vocabulary import ACTIONS, CHANNELS, LANGUAGES, METHODS, SOURCES, STATUSES
from consentbooth.services import PersonRecord
from consentbooth.ui import operations, style
from consentbooth.ui.console.dialogs import CorrectDialog, WithdrawDialog
from consentbooth.ui.console.requestops import OUTCOMES, TYPES, write_copy
from consentbooth.ui.errors import show_exception
from consentbooth.ui.session import Session
from consentbooth.ui.widgets.common import Texts, button, card, label
from consentbooth.ui.widgets.labels import field_label, purpose_title

STATE_COLOUR = {"granted": style.OK, "not_granted": style.MUTED, "withdrawn": style.DANGER,
                "expired": style.MUTED}
ACTION_COLOUR = {"consent": style.ACCENT, "withdrawal": style.DANGER, "erasure": style.DANGER}


def _local(value: str | datetime) -> str:
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    return when.astimezone().strftime("%Y-%m-%d %H:%M")


class LeadDetail(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("leadDetail")
        self.session = session
        self.texts = Texts()
        self.record: PersonRecord | None = None
        self.dialog: QWidget | None = None

        self.heading = label(name="title")
        self.heading.setObjectName("detailName")
        self.subheading = label(name="subtitle")
        self.placeholder = label(name="muted")
        self.texts.bind(self.placeholder.setText, "Choose a lead on the left to see everything held about them.")

        self.fields_box, fields_layout = card()
        self.fields_form = QFormLayout()
        self.fields_form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        fields_layout.addWidget(self._heading("Details"))
        fields_layout.addLayout(self.fields_form)

        self.states_box, states_layout = card()
        states_layout.addWidget(self._heading("Consent per purpose"))
        self.states_layout = QVBoxLayout()
        states_layout.addLayout(self.states_layout)

        self.timeline_box, timeline_layout = card()
        timeline_layout.addWidget(self._heading("History (from the signed ledger)"))
        self.timeline = QVBoxLayout()
        self.timeline.setSpacing(10)
        timeline_layout.addLayout(self.timeline)

        actions = QHBoxLayout()
        self.withdraw_button = button(role="primary", slot=self.open_withdraw)
        self.withdraw_button.setObjectName("withdrawButton")
        self.correct_button = button(slot=self.open_correct)
        self.correct_button.setObjectName("correctButton")
        self.export_button = button(slot=self.export_certificate)
        self.export_button.setObjectName("exportButton")
        self.copy_button = button(slot=self.export_copy)
        self.copy_button.setObjectName("personCopyButton")
        self.erase_button = button(role="danger", slot=self.confirm_erase)
        self.erase_button.setObjectName("eraseButton")
        self.texts.bind(self.withdraw_button.setText, "Withdraw…")
        self.texts.bind(self.correct_button.setText, "Correct…")
        self.texts.bind(self.export_button.setText, "Certificate…")
        self.texts.bind(self.copy_button.setText, "Copy for the person…")
        self.texts.bind(self.copy_button.setToolTip, "Everything held about this person (PIPL Art. 45)")
        self.texts.bind(self.erase_button.setText, "Erase…")
        self.texts.bind(self.withdraw_button.setToolTip, "Record a withdrawal")
        self.texts.bind(self.correct_button.setToolTip, "Correct details")
        self.texts.bind(self.export_button.setToolTip, "Save certificate")
        self.texts.bind(self.erase_button.setToolTip, "Erase person")
        for b in (self.withdraw_button, self.correct_button, self.export_button, self.copy_button, self.erase_button):
            actions.addWidget(b)
        actions.addStretch(1)

        content = QWidget()
        inner = QVBoxLayout(content)
        inner.setContentsMargins(4, 4, 12, 4)
        inner.setSpacing(12)
        inner.addWidget(self.heading)
        inner.addWidget(self.subheading)
        inner.addLayout(actions)
        inner.addWidget(self.fields_box)
        inner.addWidget(self.states_box)
        inner.addWidget(self.timeline_box)
        inner.addStretch(1)
        self.content = content
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.placeholder)
        layout.addWidget(scroll, 1)
        self.scroll = scroll
        self.wipe()
        session.changed.connect(self._changed)

    def _heading(self, msgid: str) -> QLabel:
        widget = label(name="sectionHeading")
        self.texts.bind(widget.setText, msgid)
        return widget

    # -- loading -----------------------------------------------------------------------------

    def show_lead(self, lead_id: str | None) -> None:
        if not lead_id:
            self.wipe()
            return
        self.session.run(operations.lead_record(lead_id), self._show)

    def reload(self) -> None:
        if self.record is not None:
            self.show_lead(self.record.lead.id)

    def _changed(self, kind: str) -> None:
        if kind == operations.LEADS:
            self.reload()

    @staticmethod
    def _clear_layout(layout) -> None:
        while layout.count():
            item = layout.takeAt(0)
            widget = item.widget()
            if widget is not None:
                if isinstance(widget, QLabel):
                    widget.setText("")
                widget.setParent(None)
                widget.deleteLater()
            elif item.layout() is not None:
                LeadDetail._clear_layout(item.layout())

    def wipe(self) -> None:
        """Forget the person shown (on lock and when nothing is selected)."""
        self.record = None
        self.heading.setText("")
        self.subheading.setText("")
        while self.fields_form.rowCount():
            row = self.fields_form.takeRow(0)
            for item in (row.labelItem, row.fieldItem):
                if item is not None and item.widget() is not None:
                    w = item.widget()
                    if isinstance(w, QLabel):
                        w.setText("")
                    w.setParent(None)
                    w.deleteLater()
        self._clear_layout(self.states_layout)
        self._clear_layout(self.timeline)
        self.scroll.hide()
        self.placeholder.show()
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            try:
                if isinstance(dialog, (WithdrawDialog, CorrectDialog)):
                    dialog.wipe()
                dialog.close()
            except RuntimeError:  # already deleted
                pass

    def _show(self, record: PersonRecord) -> None:
        self.wipe()
        self.record = record
        lead = record.lead
        snapshot = self.session.snapshot
        erased = lead.erased_at is not None
        self.placeholder.hide()
        self.scroll.show()
        self.heading.setText(_("(erased)") if erased else (lead.fields.get("name") or _("(no name)")))
        event_name = record.event.name if record.event else ""
        method = METHODS.text(lead.collection_method.value)
        source = next((str(e.extra["source"]) for e in record.history if e.extra.get("source")), "typed")
        if source != "typed":  # the details came from a badge or a card (issue #13)
            method = f"{method} · {SOURCES.text(source)}"
        self.subheading.setText(
            _("Captured {when} · {event} · {method} · operator {operator}").format(
                when=_local(lead.captured_at), event=event_name, method=method, operator=lead.operator
            )
        )
        questions = record.event.questions if record.event else ()
        keys = list(CONTACT_FIELDS) + [k for k in lead.fields if k not in CONTACT_FIELDS]
        for key in keys:
            value = lead.fields.get(key, "")
            if not value and key not in CONTACT_FIELDS:
                continue
            text = label(value or "—")
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields_form.addRow(label(field_label(key, questions), name="muted"), text)
        if lead.guardian:
            self.fields_form.addRow(label(_("Guardian"), name="muted"),
                                    label(f"{lead.guardian.name} ({lead.guardian.relationship})"))
        self.fields_form.addRow(label(_("Notice language"), name="muted"), label(LANGUAGES.text(lead.language)))
        if lead.signature_png:
            self.fields_form.addRow(label(_("Signature"), name="muted"), label(_("Signed by hand")))
        for state in record.states:
            title = purpose_title(snapshot, state.code)
            colour = STATE_COLOUR.get(state.state, style.MUTED)
            extra = ""
            if state.expires_at:
                extra = " · " + _("until {date}").format(date=state.expires_at[:10])
            row = label(
                f"<span style='color:{colour};font-weight:600'>● {html.escape(STATUSES.text(state.state))}</span>"
                f"&nbsp;&nbsp;{html.escape(title)}<span style='color:{style.MUTED}'>{html.escape(extra)}</span>"
            )
            row.setObjectName(f"state_{state.code}")
            self.states_layout.addWidget(row)
        for entry in reversed(record.history):
            self.timeline.addWidget(self._timeline_item(entry))
        self.withdraw_button.setEnabled(any(s.state == "granted" for s in record.states))
        self.correct_button.setEnabled(not erased)
        self.erase_button.setEnabled(not erased)

    def _timeline_item(self, entry) -> QWidget:
        snapshot = self.session.snapshot

        def title(code: str) -> str:
            return purpose_title(snapshot, code)

        granted = [title(c) for c, d in entry.decisions.items() if d.value == "granted"]
        refused = [title(c) for c, d in entry.decisions.items() if d.value == "not_granted"]
        withdrawn = [title(c) for c, d in entry.decisions.items() if d.value == "withdrawn"]
        action = entry.action.value
        colour = ACTION_COLOUR.get(action, style.MUTED)
        lines = [
            f"<span style='color:{colour};font-weight:600'>● {html.escape(ACTIONS.text(action))}</span>"
            f"&nbsp;&nbsp;<span style='color:{style.MUTED}'>{_local(entry.occurred_at)} · "
            f"{html.escape(CHANNELS.text(entry.channel))} · "
            f"{html.escape(_('handled by {who}').format(who=entry.operator))}</span>"
        ]
        if granted:
            lines.append(html.escape(_("Granted: {items}").format(items=", ".join(granted))))
        if refused:
            not_granted = _("Not granted: {items}").format(items=", ".join(refused))
            lines.append(f"<span style='color:{style.MUTED}'>{html.escape(not_granted)}</span>")
        if withdrawn:
            lines.append(html.escape(_("Withdrawn: {items}").format(items=", ".join(withdrawn))))
        if entry.request_date:
            lines.append(html.escape(_("Requested on {date}").format(date=entry.request_date.isoformat())))
        request = entry.extra.get("request") if entry.extra else None
        if isinstance(request, dict):
            lines.append(html.escape(_(TYPES.get(str(request.get("type")), str(request.get("type"))))))
            if request.get("outcome"):
                lines.append(html.escape(_(OUTCOMES.get(str(request["outcome"]), str(request["outcome"])))))
        if entry.note:
            lines.append(f"<i>{html.escape(entry.note)}</i>")
        notice = _("Notice v{version} · {sha}…").format(version=entry.notice_version, sha=entry.notice_sha256[:12])
        lines.append(f"<span style='color:{style.MUTED};font-size:11px'>{html.escape(notice)}</span>")
        item = label("<br>".join(lines))
        item.setObjectName("timelineItem")
        item.setStyleSheet(f"QLabel#timelineItem {{ border-left: 3px solid {colour}; padding-left: 10px; }}")
        return item

    # -- actions -----------------------------------------------------------------------------

    def _track(self, dialog) -> None:
        def forget(_result: int = 0) -> None:
            if self.dialog is dialog:
                self.dialog = None

        dialog.finished.connect(forget)

    def open_withdraw(self) -> None:
        if self.record is None:
            return
        dialog = WithdrawDialog(self.session, self.record, self)
        self._track(dialog)
        self.dialog = dialog
        dialog.open()

    def open_correct(self) -> None:
        if self.record is None:
            return
        dialog = CorrectDialog(self.session, self.record, self)
        self._track(dialog)
        self.dialog = dialog
        dialog.open()

    def confirm_erase(self) -> None:
        if self.record is None:
            return
        lead_id = self.record.lead.id
        box = QMessageBox(self)
        box.setObjectName("eraseConfirm")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(_("Erase person"))
        box.setText(
            _("Erase this person's details? Their contact details are deleted for good; a "
              "pseudonymous evidence record of their consents and withdrawals remains.")
        )
        erase = box.addButton(_("Erase"), QMessageBox.ButtonRole.DestructiveRole)
        erase.setObjectName("eraseYes")
        box.addButton(QMessageBox.StandardButton.Cancel)

        def chosen(_result: int) -> None:
            if box.clickedButton() is erase:
                operator = self.session.operator or None
                self.session.run(operations.erase(lead_id=lead_id, operator=operator))

        box.finished.connect(chosen)
        self._track(box)
        self.dialog = box
        box.open()

    def export_certificate(self) -> None:
        if self.record is None:
            return
        lead_id = self.record.lead.id
        path, _f = QFileDialog.getSaveFileName(self, _("Save certificate"), "consent-certificate.pdf", "PDF (*.pdf)")
        if not path:
            return

        self.session.run(operations.export_certificate(lead_id, Path(path)), None, show_exception)

    def export_copy(self) -> None:
        """The person's copy (Art. 45) into a folder: the signed bilingual PDF and the JSON."""
        if self.record is None:
            return
        lead_id = self.record.lead.id
        folder = QFileDialog.getExistingDirectory(self, _("Folder for the person's copy"), str(Path.home()))
        if not folder:
            return
        self.session.run(write_copy(lead_id, Path(folder)), self._copied, show_exception)

    def _copied(self, files) -> None:
        box = QMessageBox(self)
        box.setObjectName("personCopyDone")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setWindowTitle(_("Copy for the person"))
        box.setText(_("Written: {pdf} and {json}").format(pdf=files.pdf.name, json=files.json.name))
        self._track(box)
        self.dialog = box
        box.open()
