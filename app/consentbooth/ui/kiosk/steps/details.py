"""The attendee's details: the fields the purposes ticked need, the rest optional.

In a staff-assisted capture, staff also ask the event's qualifying questions and may add a rating
and notes.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QGridLayout, QPlainTextEdit

from consentbooth.core.errors import ValidationError
from consentbooth.core.i18n import _
from consentbooth.domain.models import CONTACT_FIELDS
from consentbooth.domain.validation import validate_fields
from consentbooth.ui import style
from consentbooth.ui.kiosk.steps.base import Flow, Step
from consentbooth.ui.widgets.common import N_, FieldRow, label
from consentbooth.ui.widgets.labels import field_label

PLACEHOLDERS = {
    "name": N_("e.g. 张伟 or Anna Schmidt"),
    "phone": N_("e.g. 138 0013 8000 or +44 7911 123456"),
    "email": N_("name@example.com"),
}


class DetailsStep(Step):
    def __init__(self, flow: Flow) -> None:
        super().__init__(
            flow, "details", title=N_("Your details"),
            subtitle=N_("Only the fields marked “needed” are required for what you chose; everything "
                     "else is up to you."),
        )
        self.questions = flow.questions
        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(10)
        self.rows: dict[str, FieldRow] = {}
        for i, key in enumerate(CONTACT_FIELDS):
            row = FieldRow(key)
            self.rows[key] = row
            grid.addWidget(row, i // 2, i % 2)
        self.body.addLayout(grid)
        if self.questions:
            heading = label(name="sectionHeading")
            self.texts.bind(heading.setText, "Qualifying questions (staff)")
            self.body.addWidget(heading)
            questions = QGridLayout()
            questions.setHorizontalSpacing(24)
            questions.setVerticalSpacing(10)
            for i, question in enumerate(self.questions):
                row = FieldRow(question.key)
                self.rows[question.key] = row
                questions.addWidget(row, i // 2, i % 2)
            questions.setColumnStretch(0, 1)
            questions.setColumnStretch(1, 1)
            self.body.addLayout(questions)
        self.rating: QComboBox | None = None
        self.notes: QPlainTextEdit | None = None
        if flow.staff_mode:
            self._add_staff_fields()
        self.error = label(name="error")
        self.error.hide()
        self.body.addWidget(self.error)
        self.body.addStretch(1)
        self.refresh()
        self.nav("Back", lambda: flow.go("age"), name="detailsBack")
        self.nav("Continue", self._continue, name="detailsContinue", role="primary", last=True)

    def _add_staff_fields(self) -> None:
        extra = QGridLayout()
        rating_label = label(name="fieldLabel")
        self.texts.bind(rating_label.setText, "Rating (staff)")
        self.rating = QComboBox()
        self.rating.setObjectName("field_rating")
        self.rating.addItems(["", "1", "2", "3", "4", "5"])
        notes_label = label(name="fieldLabel")
        self.texts.bind(notes_label.setText, "Notes (staff)")
        self.notes = QPlainTextEdit()
        self.notes.setObjectName("field_notes")
        self.notes.setFixedHeight(80)
        extra.addWidget(rating_label, 0, 0)
        extra.addWidget(self.rating, 1, 0)
        extra.addWidget(notes_label, 0, 1)
        extra.addWidget(self.notes, 1, 1)
        extra.setColumnStretch(1, 3)
        self.body.addLayout(extra)

    def on_enter(self) -> None:
        self.refresh()
        first = next((r for r in self.rows.values() if r.isVisible()), None)
        if first:
            first.edit.setFocus()

    def refresh(self) -> None:
        """Labels, and which fields the purposes ticked so far make needed."""
        needed = set(self.flow.required())
        for key, row in self.rows.items():
            row.caption.setText(field_label(key, self.questions))
            row.tag.setText(_("needed") if key in needed else _("optional"))
            row.tag.setStyleSheet(f"color:{style.DANGER};font-weight:600" if key in needed else "")
            placeholder = PLACEHOLDERS.get(key)
            row.edit.setPlaceholderText(_(placeholder) if placeholder else "")

    def values(self) -> dict[str, str]:
        """Every field as typed (blank ones too), the staff fields last."""
        values = {k: r.value() for k, r in self.rows.items()}
        if self.rating is not None:
            values["rating"] = self.rating.currentText()
        if self.notes is not None:
            values["notes"] = self.notes.toPlainText()
        return values

    def show_field_error(self, exc: ValidationError) -> bool:
        """Say a refusal next to its field (going back to this step); False if no field has it."""
        row = self.rows.get(exc.field)
        if row is None:
            return False
        self.flow.go("details")
        row.set_error(exc.localized())
        row.edit.setFocus()
        return True

    def _continue(self) -> None:
        for row in self.rows.values():
            row.set_error("")
        self.error.hide()
        try:
            validate_fields(self.values(), self.flow.required())
        except ValidationError as exc:
            if not self.show_field_error(exc):
                self.error.setText(exc.localized())
                self.error.show()
            return
        self.flow.go("signature")

    def wipe(self, *, everything: bool = False) -> None:
        for row in self.rows.values():
            row.wipe()
        if self.rating is not None:
            self.rating.setCurrentIndex(0)
        if self.notes is not None:
            self.notes.setPlainText("")
        self.error.setText("")
