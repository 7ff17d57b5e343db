"""The organisation's root of trust as staff and ops see it: the fingerprints to compare, the root
certificate to publish, enrolling a laptop (the organisation's vault only) and the devices a hub
holds chains of, with who vouches for each."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from consentbooth.core.i18n import _
from consentbooth.crypto.pki import format_fingerprint
from consentbooth.ui import operations
from consentbooth.ui.console.taskdialog import PathField, ToolDialog
from consentbooth.ui.session import Session
from consentbooth.ui.widgets.common import N_, button, label

TRUSTED_BY = {"root": N_("Enrolled by the organisation's root"), "approved": N_("Approved by fingerprint"),
              "": N_("Not trusted")}


def _value(text: str, name: str) -> QLabel:
    shown = label(text, name=name)
    shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    shown.setWordWrap(True)
    return shown


class TrustDialog(ToolDialog):
    """Root of trust: fingerprints, export of the root, enrolment, known devices."""

    COLUMNS = (N_("Device"), N_("Key fingerprint"), N_("Role"), N_("Trusted"), N_("Ledger events"))

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, name="trustDialog", title=_("Root of trust"), parent=parent)
        layout = QVBoxLayout(self)
        layout.addWidget(label(_(
            "Every certificate names the organisation's root fingerprint. Publish the root certificate "
            "(or its fingerprint) so anyone can tell a genuine certificate from a forgery."), name="muted"))
        form = QFormLayout()
        self.root = _value("", "rootFingerprint")
        self.subject = _value("", "rootSubject")
        self.device = _value("", "deviceFingerprint")
        self.kind = _value("", "vaultKind")
        form.addRow(_("Root fingerprint (SHA-256)"), self.root)
        form.addRow(_("Root"), self.subject)
        form.addRow(_("This vault"), self.kind)
        form.addRow(_("This device's key"), self.device)
        layout.addLayout(form)
        row = QHBoxLayout()
        self.target = PathField(mode="save", caption=_("Export the root certificate"),
                                file_filter="PEM (*.pem);;All files (*)", suggested="organisation-root.pem",
                                name="rootTarget")
        row.addWidget(self.target, 1)
        export = button(_("Export root certificate"), slot=self.export_root)
        export.setObjectName("exportRoot")
        row.addWidget(export)
        layout.addLayout(row)
        self.enrol_row = QWidget()
        enrol = QHBoxLayout(self.enrol_row)
        enrol.setContentsMargins(0, 0, 0, 0)
        self.enrol_target = PathField(mode="save", caption=_("Enrol a laptop"),
                                      file_filter="ConsentBooth enrolment (*.cbenrol);;All files (*)",
                                      suggested="laptop.cbenrol", name="enrolTarget")
        enrol.addWidget(self.enrol_target, 1)
        make = button(_("Make enrolment file"), slot=self.enrol)
        make.setObjectName("enrolRun")
        enrol.addWidget(make)
        self.enrol_row.hide()
        layout.addWidget(self.enrol_row)
        self.code = _value("", "enrolCode")
        self.code.hide()
        layout.addWidget(self.code)
        layout.addWidget(label(_("Devices whose ledger this vault holds"), name="sectionHeading"))
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setObjectName("devices")
        self.table.setHorizontalHeaderLabels([_(c) for c in self.COLUMNS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        self.add_run_buttons(layout, _("Refresh"), "trustRefresh")
        self.resize(860, 560)
        self.info = None
        self.submit()

    def submit(self) -> None:
        self.run(operations.root_of_trust(), self._show)

    def _show(self, result) -> None:
        info, devices = result
        self.info = info
        self.root.setText(info.display_fingerprint)
        self.subject.setText(f"{info.subject} · " + _("valid until {date}").format(date=info.not_after))
        self.kind.setText(_("The organisation (holds the root key; can enrol laptops)") if info.holds_key
                          else _("Enrolled by the organisation"))
        self.device.setText(format_fingerprint(info.device_fingerprint))
        self.enrol_row.setVisible(info.holds_key)
        self.table.setRowCount(len(devices))
        for r, d in enumerate(devices):
            for c, value in enumerate((d.device_id, format_fingerprint(d.fingerprint), d.role,
                                       _(TRUSTED_BY.get(d.trust.how, TRUSTED_BY[""])), str(d.events))):
                self.table.setItem(r, c, QTableWidgetItem(value))

    def export_root(self) -> None:
        target = self.target.path()
        if target is None:
            self.set_status(_("Choose where to save the file."), error=True)
            return
        self.run(operations.export_root(target), lambda _info: self.set_status(
            _("Root certificate saved to {file}.").format(file=Path(target).name), ok=True))

    def enrol(self) -> None:
        target = self.enrol_target.path()
        if target is None:
            self.set_status(_("Choose where to save the file."), error=True)
            return

        def done(enrolment) -> None:
            self.code.setText(
                "<b>" + html.escape(_("Enrolment code (tell it to the person at the laptop; it is not stored):"))
                + f"</b><br><span style='font-size:20px;font-family:monospace'>{html.escape(enrolment.code)}</span>"
            )
            self.code.show()
            self.set_status(_("Enrolment file saved to {file}.").format(file=Path(target).name), ok=True)

        self.run(operations.enrol_laptop(target), done)

    def wipe(self) -> None:
        super().wipe()
        self.code.setText("")
        self.code.hide()
        self.target.wipe()
        self.enrol_target.wipe()
