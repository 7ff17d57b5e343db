"""The bilingual privacy notice's editor, shared by the first-run wizard and the booth setup dialog."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtWidgets import QPlainTextEdit, QScrollArea, QTabWidget, QVBoxLayout, QWidget

from consentbooth.core.i18n import LANGUAGE_NAMES
from consentbooth.domain.notice import ART17_KEYS, NOTICE_LANGUAGES, heading
from consentbooth.ui.widgets.common import label


class NoticeEditor(QWidget):
    """The notice's Art. 17 items per language, one tab per language."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("noticeTabs")
        self.edits: dict[str, dict[str, QPlainTextEdit]] = {}
        for language in NOTICE_LANGUAGES:
            content = QWidget()
            layout = QVBoxLayout(content)
            self.edits[language] = {}
            for key in ART17_KEYS:  # zh-Hant/ja/ko optional: the kiosk offers a language once complete
                layout.addWidget(label(heading(key, language), name="sectionHeading"))
                edit = QPlainTextEdit()
                edit.setObjectName(f"notice_{language}_{key}")
                edit.setFixedHeight(84)
                layout.addWidget(edit)
                self.edits[language][key] = edit
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setWidget(content)
            self.tabs.addTab(scroll, LANGUAGE_NAMES[language])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)

    def sections(self) -> dict[str, dict[str, str]]:
        return {lang: {k: e.toPlainText() for k, e in body.items()} for lang, body in self.edits.items()}

    def set_sections(self, sections: Mapping[str, Mapping[str, str]]) -> None:
        for language, body in self.edits.items():
            for key, edit in body.items():
                edit.setPlainText(sections.get(language, {}).get(key, ""))

    def wipe(self) -> None:
        self.set_sections({})
