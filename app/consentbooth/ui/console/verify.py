"""Verify a consent certificate (open or drop a PDF); export an event's certificates as a ZIP."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from consentbooth.core.i18n import _, ngettext
from consentbooth.crypto.pki import format_fingerprint
from consentbooth.domain.models import Event
from consentbooth.services.certificates import CertificateVerdict
from consentbooth.ui import operations, style
from consentbooth.ui.console.taskdialog import PathField, ToolDialog
from consentbooth.ui.session import Session
from consentbooth.ui.widgets.common import N_, button, label

CHECK_TEXT = {
    "pdf_readable": N_("Readable PDF"),
    "pdf_signature": N_("PDF signature"),
    "signature_coverage": N_("Signature covers the whole file"),
    "signer_key": N_("Organisation key"),
    "embedded_record": N_("Embedded record"),
    "record_consistency": N_("Record consistency"),
    "qr_payload": N_("QR code payload"),
    "qr_signature": N_("QR code signature"),
    "ledger": N_("In this vault's ledger"),
    "current_consent": N_("Consent today"),
    "signer_trust": N_("Signer chains to the organisation's root"),
    "root_fingerprint": N_("Root fingerprint printed on the page"),
    "printed_qr": N_("Printed QR code"),
    "timestamp": N_("Trusted time (RFC 3161)"),
    "document_timestamp": N_("Document time-stamp"),
    "chain_head": N_("Ledger chain at issue"),
    "verification": N_("Verification"),
}

# Whose trust a check starts from: the vault's (its root, its devices' keys and its ledger), none
# but the roots imported on this computer (as a stranger with the file alone), or a root file.
ANCHORS = (
    (N_("This vault (its organisation root and ledger)"), "vault"),
    (N_("The file alone, as anyone would"), "file"),
    (N_("A root certificate file…"), "root_file"),
)

# What is known of a certificate (services/certificates.py CertificateVerdict.outcome).
OUTCOMES = {
    "valid": ("✓", N_("VALID"), style.OK),
    "untrusted": ("⚠", N_("INTACT — SIGNER NOT ESTABLISHED"), style.WARN),
    "invalid": ("✗", N_("NOT VALID"), style.DANGER),
}


def _pdf_in(event: QDragEnterEvent | QDropEvent) -> Path | None:
    mime = event.mimeData()
    if mime is None or not mime.hasUrls():
        return None
    for url in mime.urls():
        if url.isLocalFile() and url.toLocalFile().lower().endswith(".pdf"):
            return Path(url.toLocalFile())
    return None


class VerifyDialog(ToolDialog):
    """Drop a certificate PDF (or open one): the verdict in one line, then every check."""

    verified = Signal(bool)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, name="verifyDialog", title=_("Verify a certificate"), parent=parent)
        self.setAcceptDrops(True)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        self.drop_zone = label(_("Drop a certificate PDF here, or open one."))
        self.drop_zone.setObjectName("dropZone")
        self.drop_zone.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.drop_zone.setMinimumHeight(70)
        self._zone_style(False)
        layout.addWidget(self.drop_zone)
        row = QHBoxLayout()
        self.path = PathField(mode="open", caption=_("Verify a certificate"), file_filter="PDF (*.pdf)",
                              name="verifyPath")
        self.path.browse.setText(_("Open…"))
        self.path.chosen.connect(lambda _p: self.submit())
        self.path.edit.returnPressed.connect(self.submit)
        self.verify_button = button(_("Verify"), role="primary", slot=self.submit)
        self.verify_button.setObjectName("verifyRun")
        row.addWidget(self.path, 1)
        row.addWidget(self.verify_button)
        layout.addLayout(row)
        against = QFormLayout()
        self.anchor = QComboBox()
        self.anchor.setObjectName("verifyAnchor")
        for text, key in ANCHORS:
            self.anchor.addItem(_(text), key)
        self.root_file = PathField(mode="open", caption=_("The organisation's root certificate"),
                                   file_filter="Certificate (*.pem *.crt *.cer *.der);;All files (*)",
                                   name="verifyRoot")
        self.root_file.setVisible(False)
        self.anchor.currentIndexChanged.connect(
            lambda _i: self.root_file.setVisible(self.anchor.currentData() == "root_file"))
        against.addRow(_("Check against"), self.anchor)
        against.addRow("", self.root_file)
        layout.addLayout(against)
        layout.addWidget(self.progress)
        self.verdict = label()
        self.verdict.setObjectName("verdict")
        self.verdict.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.verdict.hide()
        layout.addWidget(self.verdict)
        self.checks_frame = QFrame()
        self.checks_frame.setObjectName("card")
        self.checks_layout = QVBoxLayout(self.checks_frame)
        self.checks_layout.setContentsMargins(16, 12, 16, 12)
        self.checks_layout.setSpacing(6)
        self.checks_frame.hide()
        layout.addWidget(self.checks_frame)
        layout.addWidget(self.status)
        layout.addStretch(1)
        buttons = QDialogButtonBox()
        close = button(_("Close"), slot=self.reject)
        buttons.addButton(close, QDialogButtonBox.ButtonRole.RejectRole)
        layout.addWidget(buttons)
        self.resize(760, 600)
        self.result: CertificateVerdict | None = None

    def _zone_style(self, active: bool) -> None:
        border = style.ACCENT if active else style.BORDER
        background = style.ACCENT_SOFT if active else style.CARD
        self.drop_zone.setStyleSheet(
            f"QLabel#dropZone {{ border: 2px dashed {border}; border-radius: 10px; background: {background};"
            f" color: {style.MUTED}; padding: 12px; }}"
        )

    # -- drag and drop ---------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _pdf_in(event) is not None and not self.running:
            self._zone_style(True)
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        if _pdf_in(event) is not None and not self.running:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragLeaveEvent(self, event) -> None:
        self._zone_style(False)
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self._zone_style(False)
        path = _pdf_in(event)
        if path is None or self.running:
            event.ignore()
            return
        event.acceptProposedAction()
        self.path.edit.setText(str(path))
        self.submit()

    # -- verifying -------------------------------------------------------------------------

    def submit(self) -> None:
        path = self.path.path()
        if path is None:
            self.set_status(_("Choose a certificate PDF first."), error=True)
            return
        anchor = self.anchor.currentData()
        root = self.root_file.path() if anchor == "root_file" else None
        if anchor == "root_file" and root is None:
            self.set_status(_("Choose the organisation's root certificate file."), error=True)
            return
        self._clear_result()
        self.run(operations.verify_certificate(path, with_vault=anchor == "vault", root=root), self._show)

    def set_running(self, running: bool) -> None:
        self.verify_button.setEnabled(not running)

    def _clear_result(self) -> None:
        self.result = None
        self.verdict.setText("")
        self.verdict.hide()
        while self.checks_layout.count():
            item = self.checks_layout.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.setParent(None)
                widget.deleteLater()
        self.checks_frame.hide()

    def _show(self, result: CertificateVerdict) -> None:
        self.result = result
        mark, head, colour = OUTCOMES.get(result.outcome, OUTCOMES["invalid"])
        text = (f"<span style='font-size:18px;font-weight:700;color:{colour}'>{mark} {html.escape(_(head))}</span>"
                f"<br><span style='color:{colour}'>{html.escape(_(result.verdict))}</span>")
        if result.outcome == "untrusted" and result.root_fingerprint:
            text += "<br><span style='color:{muted}'>{hint}</span>".format(
                muted=style.MUTED,
                hint=html.escape(_("Compare this root fingerprint with the one the organisation publishes: "
                                   "{fingerprint}").format(fingerprint=format_fingerprint(result.root_fingerprint))),
            )
        self.verdict.setText(text)
        self.verdict.setStyleSheet(
            f"QLabel#verdict {{ border-left: 4px solid {colour}; padding: 6px 10px; background: {style.CARD}; }}"
        )
        self.verdict.show()
        for check in result.checks:
            tick = "✓" if check.ok else "✗"
            tint = style.OK if check.ok else style.DANGER
            line = QLabel(
                f"<span style='color:{tint};font-weight:700'>{tick}</span>&nbsp; "
                f"<b>{html.escape(_(CHECK_TEXT.get(check.name, check.name)))}</b>"
                f"<br><span style='color:{style.MUTED}'>{html.escape(_(check.detail))}</span>"
            )
            line.setObjectName("checkOk" if check.ok else "checkFailed")
            line.setWordWrap(True)
            line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.checks_layout.addWidget(line)
        self.checks_frame.show()
        self.set_status("")
        self.verified.emit(result.ok)

    def check_lines(self) -> list[QLabel]:
        return [w for w in self.checks_frame.findChildren(QLabel) if w.objectName() in ("checkOk", "checkFailed")]

    def wipe(self) -> None:
        super().wipe()
        self._clear_result()
        self.path.wipe()


class EventCertificatesDialog(ToolDialog):
    """A ZIP of every certificate of one event, issuing missing ones first, with progress."""

    exported = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, name="eventCertificatesDialog", title=_("Certificates of this event (ZIP)"),
                         parent=parent)
        layout = QVBoxLayout(self)
        layout.addWidget(label(
            _("Every consent and withdrawal certificate of the event in one ZIP file. The certificates "
              "contain personal data: keep the file safe."), name="muted"))
        form = QFormLayout()
        self.event = QComboBox()
        self.event.setObjectName("certificatesEvent")
        self.target = PathField(mode="save", caption=_("Certificates of this event (ZIP)"),
                                file_filter="ZIP (*.zip)", suggested="certificates.zip", name="certificatesTarget")
        form.addRow(_("Event"), self.event)
        form.addRow(_("Save as"), self.target)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        self.run_button = self.add_run_buttons(layout, _("Export"), "certificatesRun")
        self.setMinimumWidth(600)
        self.session.run(operations.events(), self._events_loaded)

    def _events_loaded(self, events: list[Event]) -> None:
        if self.closed:
            return
        snapshot = self.session.snapshot
        current = snapshot.event.id if snapshot and snapshot.event else None
        for event in events:
            self.event.addItem(f"{event.name} · {event.starts_on.isoformat()}", event.id)
        index = self.event.findData(current)
        if index >= 0:
            self.event.setCurrentIndex(index)

    def set_running(self, running: bool) -> None:
        self.run_button.setEnabled(not running)
        self.event.setEnabled(not running)

    def show_progress(self, job) -> None:
        super().show_progress(job)
        if job.total:
            self.set_status(_("{done} of {total} certificates issued…").format(done=job.done, total=job.total))

    def submit(self) -> None:
        event_id = self.event.currentData()
        target = self.target.path()
        if not event_id:
            self.set_status(_("There is no event to export."), error=True)
            return
        if target is None:
            self.set_status(_("Choose where to save the file."), error=True)
            return

        def done(count: int) -> None:
            self.set_status(ngettext("Saved {n} certificate to {file}.", "Saved {n} certificates to {file}.",
                                     count).format(n=count, file=target.name), ok=True)
            self.exported.emit(count)

        self.run(operations.export_event_certificates(event_id=event_id, target=target), done)

    def wipe(self) -> None:
        super().wipe()
        self.target.wipe()
