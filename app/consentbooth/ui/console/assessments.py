"""More… → Impact assessments: the personal-information impact assessments recorded (PIPL Arts.
55-56) and a form to record one, with the headings of GB/T 39335-2020.

A purpose that gives personal information to others, sends it abroad or publishes it can be
offered (Booth setup…) only once an assessment covering it is recorded here. Assessments are
signed, never changed nor deleted, and kept at least three years.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from consentbooth.core.i18n import _, current_language
from consentbooth.domain.assessment import HEADINGS, RISK_LEVELS
from consentbooth.domain.models import localized
from consentbooth.ui import errors
from consentbooth.ui.changes import SETUP
from consentbooth.ui.console.taskdialog import ToolDialog
from consentbooth.ui.operations import Job, operation
from consentbooth.ui.session import Session
from consentbooth.ui.widgets.common import N_, label

RISK_LABELS = {"low": N_("Low"), "medium": N_("Medium"), "high": N_("High")}
COLUMNS = (N_("Approved on"), N_("Purposes covered"), N_("Residual risk"), N_("Approver"),
           N_("Kept until"), N_("Assessment id"))


@operation()
def list_assessments(booth, _job: Job) -> list:
    return booth.list_assessments()


@operation(SETUP)
def record_assessment(booth, _job: Job, **given) -> object:
    return booth.record_assessment(**given)


class AssessmentsDialog(ToolDialog):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, name="assessmentsDialog", title=_("Impact assessments"), parent=parent)
        self.resize(960, 660)
        intro = label(_("Sharing with others, transfer abroad and publication are offered only after a "
                        "personal-information impact assessment covering them is recorded here (PIPL Arts. "
                        "55–56, headings of GB/T 39335-2020). Each is signed and kept at least three years."))
        intro.setObjectName("muted")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("assessmentsTable")
        self.table.setHorizontalHeaderLabels([_(c) for c in COLUMNS])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMaximumHeight(150)

        form = QWidget()
        grid = QFormLayout(form)
        language = current_language()
        self.purposes: dict[str, QCheckBox] = {}
        row = QVBoxLayout()
        snapshot = session.snapshot
        for purpose in (snapshot.purposes if snapshot else ()):
            if purpose.assessment_reasons():
                box = QCheckBox(localized(purpose.title, language))
                box.setObjectName(f"assess_{purpose.code}")
                self.purposes[purpose.code] = box
                row.addWidget(box)
        grid.addRow(_("Purposes covered"), row)
        self.answers: dict[str, QPlainTextEdit] = {}
        for key, zh, en in HEADINGS:
            edit = QPlainTextEdit()
            edit.setObjectName(f"answer_{key}")
            edit.setFixedHeight(52)
            self.answers[key] = edit
            heading = label(zh if language == "zh-CN" else en, wrap=True)
            grid.addRow(heading, edit)
        self.risk = QComboBox()
        self.risk.setObjectName("riskLevel")
        for level in RISK_LEVELS:
            self.risk.addItem(_(RISK_LABELS[level]), level)
        grid.addRow(_("Residual risk"), self.risk)
        self.approver = QLineEdit()
        self.approver.setObjectName("approver")
        grid.addRow(_("Approved by"), self.approver)
        self.approved_on = QDateEdit(QDate.currentDate())
        self.approved_on.setObjectName("approvedOn")
        self.approved_on.setCalendarPopup(True)
        self.approved_on.setDisplayFormat("yyyy-MM-dd")
        grid.addRow(_("Approved on"), self.approved_on)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(form)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.progress)
        self.record_button = self.add_run_buttons(layout, _("Record assessment"), "recordAssessment")
        self.refresh()

    def refresh(self) -> None:
        self.run(list_assessments(), self.show_assessments)

    def show_assessments(self, assessments: list) -> None:
        self.table.setRowCount(len(assessments))
        for r, a in enumerate(assessments):
            cells = (a.approved_on.isoformat(), ", ".join(a.purposes), _(RISK_LABELS.get(a.risk_level, a.risk_level)),
                     a.approver, a.keep_until.isoformat(), a.id)
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()

    def submit(self) -> None:
        qdate = self.approved_on.date()
        given = dict(
            purposes=[code for code, box in self.purposes.items() if box.isChecked()],
            answers={key: edit.toPlainText() for key, edit in self.answers.items()},
            risk_level=self.risk.currentData(),
            approver=self.approver.text(),
            approved_on=date(qdate.year(), qdate.month(), qdate.day()),
            operator=self.session.operator or None,
        )
        self.run(record_assessment(**given), self.recorded, self.refused)

    def refused(self, exc: BaseException) -> None:
        self.set_status(errors.message_for(exc), error=True)

    def recorded(self, assessment) -> None:
        self.wipe_form()

        def listed(assessments: list) -> None:
            self.show_assessments(assessments)
            self.set_status(_("Recorded and signed: assessment {id}. The purposes it covers can now be "
                              "offered (Booth setup…).").format(id=assessment.id), ok=True)

        self.run(list_assessments(), listed)

    def set_running(self, running: bool) -> None:
        self.record_button.setEnabled(not running)

    def wipe_form(self) -> None:
        for box in self.purposes.values():
            box.setChecked(False)
        for edit in self.answers.values():
            edit.setPlainText("")
        self.approver.setText("")

    def wipe(self) -> None:
        super().wipe()
        self.wipe_form()
        self.table.setRowCount(0)
