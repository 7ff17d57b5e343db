"""Booth setup, staff tab: add, deactivate (never delete: records name the operator), the PIN."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from consentbooth.core.errors import UserFacingError, ValidationError
from consentbooth.core.i18n import _
from consentbooth.services import configuration
from consentbooth.services.configuration import SetupState
from consentbooth.ui import errors, operations, style
from consentbooth.ui.console.boothsetup.section import Owner, Section
from consentbooth.ui.setup.forms import line_edit as _line
from consentbooth.ui.widgets.common import button, card, label


class StaffSection(Section):
    """Add, deactivate (never delete: records name the operator) and the shared staff PIN."""

    def __init__(self, owner: Owner) -> None:
        super().__init__(owner, "staffTab", _("Staff"))
        self.members: list[configuration.StaffMember] = []
        frame, inner = card()
        inner.addWidget(label(_("Booth staff"), name="sectionHeading"))
        inner.addWidget(label(_("Every capture and withdrawal records who handled it, by initials. Staff "
                                "who leave are deactivated, never deleted, so old records still name them."),
                              name="muted"))
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("staffTable")
        self.table.setHorizontalHeaderLabels([_("Name"), _("Initials"), _("Status")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(150)
        self.table.itemSelectionChanged.connect(self._update_toggle)
        inner.addWidget(self.table, 1)
        self.toggle_button = button(_("Deactivate"), slot=self.toggle)
        self.toggle_button.setObjectName("staffToggle")
        self.new_name = _line("staffNewName", _("Name"))
        self.new_initials = _line("staffNewInitials", _("Initials"))
        self.new_initials.setMaxLength(6)
        self.new_initials.setFixedWidth(100)
        self.add_button = button(_("Add"), slot=self.add)
        self.add_button.setObjectName("staffAdd")
        for edit in (self.new_name, self.new_initials):
            edit.textEdited.connect(lambda _t: self.mark_dirty())
        toggle_row = QHBoxLayout()
        toggle_row.addWidget(self.toggle_button)
        toggle_row.addStretch(1)
        inner.addLayout(toggle_row)
        inner.addSpacing(6)
        inner.addWidget(label(_("Add a staff member"), name="sectionHeading"))
        add_row = QHBoxLayout()
        add_row.addWidget(self.new_name, 1)
        add_row.addWidget(self.new_initials)
        add_row.addWidget(self.add_button)
        inner.addLayout(add_row)

        pin_frame, pin_inner = card()
        pin_inner.addWidget(label(_("Staff PIN"), name="sectionHeading"))
        pin_inner.addWidget(label(_("Needed to leave kiosk mode. Changing it needs the current PIN."), name="muted"))
        self.pin_current = _line("pinCurrent")
        self.pin_new = _line("pinNew")
        self.pin_repeat = _line("pinRepeat")
        for edit in (self.pin_current, self.pin_new, self.pin_repeat):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.setMaxLength(12)
            edit.setFixedWidth(180)
            edit.textEdited.connect(lambda _t: self.pin_message.setText(""))
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.addRow(_("Current PIN"), self.pin_current)
        form.addRow(_("New PIN (4–12 digits)"), self.pin_new)
        form.addRow(_("Repeat the PIN"), self.pin_repeat)
        self.pin_button = button(_("Change PIN"), slot=self.change_pin)
        self.pin_button.setObjectName("pinChange")
        self.pin_message = label()
        self.pin_message.setObjectName("pinMessage")
        pin_buttons = QHBoxLayout()
        pin_buttons.addWidget(self.pin_button)
        pin_buttons.addWidget(self.pin_message, 1)
        form.addRow("", pin_buttons)
        pin_inner.addLayout(form)

        layout = QVBoxLayout(self)
        layout.addWidget(frame, 1)
        layout.addWidget(pin_frame)
        layout.addLayout(self.footer)
        self._update_toggle()

    def show_state(self, state: SetupState) -> None:
        selected = self._selected()
        self.members = sorted(state.staff, key=lambda s: (not s.active, s.name.casefold()))
        self.table.setRowCount(0)
        for member in self.members:
            row = self.table.rowCount()
            self.table.insertRow(row)
            status = _("Active") if member.active else _("Deactivated")
            for column, text in enumerate((member.name, member.initials, status)):
                item = QTableWidgetItem(text)
                if not member.active:
                    item.setForeground(Qt.GlobalColor.gray)
                self.table.setItem(row, column, item)
        self.table.resizeColumnToContents(1)
        ids = [m.id for m in self.members]
        if selected is not None and selected.id in ids:
            self.table.selectRow(ids.index(selected.id))
        self._update_toggle()

    def _selected(self) -> configuration.StaffMember | None:
        """The member whose row is selected (highlighted), never just the focused cell."""
        rows = self.table.selectionModel().selectedRows()
        row = rows[0].row() if rows else -1
        return self.members[row] if 0 <= row < len(self.members) else None

    def select(self, initials: str) -> None:
        for row, member in enumerate(self.members):
            if member.initials == initials:
                self.table.selectRow(row)

    def _update_toggle(self) -> None:
        member = self._selected()
        self.toggle_button.setText(_("Reactivate") if member is not None and not member.active else _("Deactivate"))
        self.toggle_button.setProperty("allowed", member is not None)
        self.toggle_button.setEnabled(member is not None and not self.owner.running)

    def error_widget(self, exc: ValidationError) -> QWidget | None:
        return {"name": self.new_name, "initials": self.new_initials}.get(exc.field)

    def add(self) -> None:
        name, initials = self.new_name.text(), self.new_initials.text()

        def message(member: Any) -> str:
            self.new_name.setText("")
            self.new_initials.setText("")
            return _("{name} ({initials}) can now be chosen as operator.").format(
                name=member.name, initials=member.initials)

        self.owner.save(self, operations.add_staff(name=name, initials=initials), message)

    def toggle(self) -> None:
        member = self._selected()
        if member is None:
            return
        active = not member.active

        def message(changed: Any) -> str:
            if changed.active:
                return _("{name} is active again.").format(name=changed.name)
            return _("{name} is deactivated: no longer an operator; their records still name them.").format(
                name=changed.name)

        self.owner.save(self, operations.set_staff_active(member.id, active), message)

    def change_pin(self) -> None:
        current, new = self.pin_current.text(), self.pin_new.text()
        self.pin_current.setText("")
        if new != self.pin_repeat.text():
            self._pin_said(_("The two PINs differ; please type them again."), error=True)
            return

        def done(_r: object) -> None:
            self.pin_new.setText("")
            self.pin_repeat.setText("")
            self._pin_said(_("The staff PIN is changed."), ok=True)

        def failed(exc: BaseException) -> None:
            if not isinstance(exc, UserFacingError):
                self.owner.fail(exc)
                return
            self._pin_said(errors.message_for(exc), error=True)
            field = getattr(exc, "field", "")
            (self.pin_current if field == "current_pin" else self.pin_new).setFocus()

        self.owner.run(operations.change_staff_pin(current=current, new=new), done, failed)

    def _pin_said(self, text: str, *, ok: bool = False, error: bool = False) -> None:
        colour = style.OK if ok else style.DANGER if error else style.MUTED
        self.pin_message.setStyleSheet(f"color: {colour}; font-weight: 600;")
        self.pin_message.setText(text)

    def wipe(self) -> None:
        super().wipe()
        self.members = []
        self.table.setRowCount(0)  # staff names are personal data
        for edit in (self.new_name, self.new_initials, self.pin_current, self.pin_new, self.pin_repeat):
            edit.setText("")
        self.pin_message.setText("")
