"""The attendee's details: the fields the purposes ticked need, the rest optional.

In a staff-assisted capture this is the staff's one page: the details, the event's qualifying
questions, a rating and notes, and (when a consent to publication is offered) the material the
visitor would agree to see published; then the screen is turned to the attendee (``consent``).

Every field is checked at once and each refusal is said under its own field (room for it is kept,
so nothing moves), in the language of the moment: a language switch says them again.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QGridLayout, QLineEdit, QPlainTextEdit

from consentbooth.core.errors import ValidationError
from consentbooth.core.i18n import _
from consentbooth.domain.models import CONTACT_FIELDS
from consentbooth.domain.publication import check_material, publishes
from consentbooth.domain.validation import validate_fields
from consentbooth.ui import style
from consentbooth.ui.kiosk.steps.base import Flow, Step
from consentbooth.ui.widgets.common import N_, FieldRow, MessageLabel, label
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
            row = FieldRow(key, reserve=1 if flow.staff_mode else 2)
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
                row = FieldRow(question.key, reserve=1)
                self.rows[question.key] = row
                questions.addWidget(row, i // 2, i % 2)
            questions.setColumnStretch(0, 1)
            questions.setColumnStretch(1, 1)
            self.body.addLayout(questions)
        self.rating: QComboBox | None = None
        self.notes: QPlainTextEdit | None = None
        self.material_title: QLineEdit | None = None
        self.material_description: QLineEdit | None = None
        if flow.staff_mode:
            self._add_staff_fields()
        self.error = MessageLabel()
        self.body.addWidget(self.error)
        self.body.addStretch(1)
        self.refresh()
        if flow.staff_mode:
            self.texts.bind(self.title.setText, "New lead: details (staff)")
            self.texts.bind(self.subtitle.setText, "Type what the visitor tells you, then turn the screen "
                                                   "to them: they read the notice and tick their own choices.")
            self.nav("Turn the screen to the visitor", self._continue, name="detailsContinue",
                     role="primary", last=True)
        else:
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
        rating_label.setBuddy(self.rating)
        notes_label.setBuddy(self.notes)
        extra.addWidget(rating_label, 0, 0)
        extra.addWidget(self.rating, 1, 0)
        extra.addWidget(notes_label, 0, 1)
        extra.addWidget(self.notes, 1, 1)
        extra.setColumnStretch(1, 3)
        self.body.addLayout(extra)
        if any(publishes(p) for p in self.flow.separate):
            # a consent to publish names its material (the case study, the photos): on the
            # certificate if the visitor agrees, nowhere if they do not
            heading = label(name="sectionHeading")
            self.texts.bind(heading.setText, "Material to publish (staff)")
            self.body.addWidget(heading)
            material = QGridLayout()
            material.setHorizontalSpacing(24)
            self.material_title = QLineEdit()
            self.material_title.setObjectName("field_material_title")
            self.material_description = QLineEdit()
            self.material_description.setObjectName("field_material_description")
            for column, (msgid, edit) in enumerate(((N_("Title"), self.material_title),
                                                    (N_("What it shows"), self.material_description))):
                caption = label(name="fieldLabel")
                self.texts.bind(caption.setText, msgid)
                caption.setBuddy(edit)
                material.addWidget(caption, 0, column)
                material.addWidget(edit, 1, column)
                material.setColumnStretch(column, 1)
            self.body.addLayout(material)

    def material(self) -> dict[str, str] | None:
        """The material to publish as staff named it, or None when they named none."""
        if self.material_title is None or self.material_description is None:
            return None
        title, description = self.material_title.text().strip(), self.material_description.text().strip()
        if not title and not description:
            return None
        return {"title": title, "description": description} if description else {"title": title}

    def on_enter(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Labels, which fields the purposes ticked so far make needed, the refusals shown."""
        needed = set(self.flow.required())
        self.error.retranslate()
        for key, row in self.rows.items():
            row.retranslate()
            row.caption.setText(field_label(key, self.questions))
            row.tag.setText(_("needed") if key in needed else _("optional"))
            # a screen reader says the label and whether it is needed (the tag is a label of its own)
            row.edit.setAccessibleName(_("{label}, {state}").format(label=row.caption.text(), state=row.tag.text()))
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
        row.set_error(exc)
        self._reveal(row)
        return True

    def _reveal(self, row: FieldRow) -> None:
        row.edit.setFocus()
        if self.area is not None:
            self.area.ensureWidgetVisible(row)

    def check(self) -> bool:
        """Check every field at once, each refusal under its field; True if all are fine."""
        values = self.values()
        needed = set(self.flow.required())
        first: FieldRow | None = None
        for key, row in self.rows.items():
            try:
                validate_fields({key: values[key]}, [key] if key in needed else [])
            except ValidationError as exc:
                row.set_error(exc)
                first = first or row
            else:
                row.set_error("")
        self.error.clear_message()
        extras = {k: values[k] for k in ("rating", "notes") if k in values}
        try:
            validate_fields(extras, [])
            material = self.material()
            if material is not None:
                check_material(material)
        except ValidationError as exc:
            self.error.refuse(exc)
        if first is not None:
            self._reveal(first)
        return first is None and not self.error.isVisible()

    def _continue(self) -> None:
        if self.check():
            self.flow.go("consent" if self.flow.staff_mode else "signature")

    def wipe(self, *, everything: bool = False) -> None:
        for row in self.rows.values():
            row.wipe()
        if self.rating is not None:
            self.rating.setCurrentIndex(0)
        if self.notes is not None:
            self.notes.setPlainText("")
        for edit in (self.material_title, self.material_description):
            if edit is not None:
                edit.clear()
        self.error.clear_message()
