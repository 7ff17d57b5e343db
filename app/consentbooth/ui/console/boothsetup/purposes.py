"""Booth setup, purposes tab: offered or not, texts per language, a separate consent's recipients."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from consentbooth.core.errors import ValidationError
from consentbooth.core.i18n import _, current_language
from consentbooth.domain.models import Purpose, localized
from consentbooth.services.configuration import SetupState
from consentbooth.ui import operations
from consentbooth.ui.console.boothsetup.section import LANGUAGES, Owner, Section
from consentbooth.ui.setup.forms import LANGUAGE_NAMES, RecipientsEditor, set_text
from consentbooth.ui.setup.forms import line_edit as _line
from consentbooth.ui.widgets.common import button, label


class PurposeCard(QFrame):
    """One purpose: offered or not, its texts per language, a separate consent's recipients."""

    def __init__(self, purpose: Purpose, on_change: Callable[[], None]) -> None:
        super().__init__()
        self.setObjectName("card")
        self.purpose = purpose
        inner = QVBoxLayout(self)
        inner.setContentsMargins(18, 14, 18, 14)
        inner.setSpacing(8)
        top = QHBoxLayout()
        self.heading = label(name="sectionHeading")
        self.box = QCheckBox(_("Offered to attendees"))
        self.box.setObjectName(f"offer_{purpose.code}")
        self.box.setChecked(purpose.enabled)
        top.addWidget(self.heading, 1)
        top.addWidget(self.box)
        inner.addLayout(top)
        facts = [_("Code: {code}").format(code=purpose.code), purpose.dpv_category]
        if purpose.separate_consent:
            facts.append(_("Separate consent (单独同意)"))
        inner.addWidget(label(" · ".join(facts), name="muted"))
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        self.titles: dict[str, QLineEdit] = {}
        self.descriptions: dict[str, QPlainTextEdit] = {}
        for column, language in enumerate(LANGUAGES, start=1):
            grid.addWidget(label(LANGUAGE_NAMES[language], name="muted", wrap=False), 0, column)
            title = _line(f"purposeTitle_{purpose.code}_{language}")
            set_text(title, purpose.title.get(language, ""))
            description = QPlainTextEdit(purpose.description.get(language, ""))
            description.setObjectName(f"purposeDescription_{purpose.code}_{language}")
            description.setFixedHeight(62)
            grid.addWidget(title, 1, column)
            grid.addWidget(description, 2, column)
            self.titles[language] = title
            self.descriptions[language] = description
            title.textChanged.connect(lambda _t: (self._retitle(), on_change()))
            description.textChanged.connect(on_change)
        grid.addWidget(label(_("Title"), name="muted", wrap=False), 1, 0)
        caption = label(_("Description"), name="muted", wrap=False)
        grid.addWidget(caption, 2, 0, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        inner.addLayout(grid)
        self.recipients: RecipientsEditor | None = None
        if purpose.separate_consent:
            self.recipients = RecipientsEditor(purpose)
            self.recipients.set_recipients(purpose.recipients)
            self.recipients.govern(self.box)  # the wizard's rule: offered only with named recipients
            self.recipients.edited.connect(on_change)
            inner.addWidget(self.recipients)
        self.box.toggled.connect(lambda _c: on_change())
        self._retitle()

    def _retitle(self) -> None:
        titles = {lang: e.text().strip() for lang, e in self.titles.items()}
        self.heading.setText(localized({k: v for k, v in titles.items() if v}, current_language()) or
                             self.purpose.code)

    def built(self) -> Purpose:
        recipients = self.purpose.recipients
        if self.recipients is not None:
            recipients = tuple(r for r in self.recipients.recipients() if r.name or r.contact)
        return replace(
            self.purpose,
            # the console edits zh-CN and en; the other attendee languages' texts are kept
            title={**self.purpose.title, **{lang: e.text().strip() for lang, e in self.titles.items()}},
            description={**self.purpose.description,
                         **{lang: e.toPlainText().strip() for lang, e in self.descriptions.items()}},
            recipients=recipients,
            enabled=self.box.isChecked(),
        )


class PurposesSection(Section):
    def __init__(self, owner: Owner) -> None:
        super().__init__(owner, "purposesTab", _("Purposes"))
        self.cards: dict[str, PurposeCard] = {}
        intro = label(_("Each purpose is a separate, unticked checkbox for the attendee. A purpose that "
                        "was offered stays in the records: stop offering it instead of deleting it. "
                        "Separate consents need their recipient named first."), name="muted")
        self.content = QWidget()
        self.cards_layout = QVBoxLayout(self.content)
        self.cards_layout.setContentsMargins(0, 0, 8, 0)
        self.cards_layout.setSpacing(10)
        self.cards_layout.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(self.content)
        self.save_button = button(_("Save purposes"), role="primary", slot=self.save)
        self.save_button.setObjectName("purposesSave")
        self.footer.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.scroll, 1)
        layout.addLayout(self.footer)

    def show_state(self, state: SetupState) -> None:
        loading, self.owner.loading = self.owner.loading, True
        try:
            self._clear()
            for purpose in state.purposes:
                card_ = PurposeCard(purpose, self.mark_dirty)
                self.cards[purpose.code] = card_
                self.cards_layout.insertWidget(self.cards_layout.count() - 1, card_)
        finally:
            self.owner.loading = loading
        self.dirty = False

    def _clear(self) -> None:
        for card_ in self.cards.values():
            card_.setParent(None)
            card_.deleteLater()
        self.cards = {}

    def error_widget(self, exc: ValidationError) -> QWidget | None:
        card_ = self.cards.get(str(exc.params.get("code", "")))
        if card_ is None:
            return None
        self.scroll.ensureWidgetVisible(card_)
        if exc.field == "recipients" and card_.recipients is not None:
            incomplete = [e for e in card_.recipients.rows if not e.recipient().is_complete()]
            return (incomplete or card_.recipients.rows)[0].fields["name"]
        return card_.titles["zh-CN"]

    def save(self) -> None:
        purposes = [c.built() for c in self.cards.values()]
        stored = self.owner.state.purposes if self.owner.state else ()
        # The notice lists the offered purposes (and a separate consent's recipients).
        affected = [p for p in purposes if p.can_be_offered()] != [p for p in stored if p.can_be_offered()]
        self.owner.save(self, operations.update_purposes(purposes),
                        lambda r: _("Saved. {n} purposes are offered.").format(
                            n=sum(p.can_be_offered() for p in r)),
                        notice_affected=affected)

    def wipe(self) -> None:
        super().wipe()
        self._clear()
