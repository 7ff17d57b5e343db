"""The first step: the privacy notice (PIPL Art. 17), before anything can be typed.

It opens at its top for every attendee, and a finger drag scrolls it (it does not select text).
"""

from __future__ import annotations

import html

from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QTextBrowser

from consentbooth.core.i18n import _, current_language
from consentbooth.domain.notice import ART17_KEYS, Notice, heading
from consentbooth.ui import style
from consentbooth.ui.kiosk.steps.base import Flow, Step
from consentbooth.ui.widgets.common import N_
from consentbooth.ui.widgets.touch import kinetic


def notice_html(notice: Notice | None, language: str) -> str:
    """The notice's Art. 17 items in ``language``, headed, with its version and hash at the end."""
    if notice is None:
        return ""
    body = notice.sections.get(language, {})
    parts = []
    for i, key in enumerate(ART17_KEYS):
        text = html.escape(body.get(key, "").strip()).replace("\n", "<br>")
        top = "0" if i == 0 else "14px"
        parts.append(f"<h3 style='color:{style.ACCENT_DARK};margin-top:{top};margin-bottom:4px'>"
                     f"{html.escape(heading(key, language))}</h3><p style='margin-top:0'>{text}</p>")
    version = _("Notice version {version}").format(version=notice.version)
    parts.append(f"<p style='color:{style.MUTED};font-size:small'>{html.escape(version)} · "
                 f"SHA-256 {notice.sha256(language)[:16]}…</p>")
    return "".join(parts)


class NoticeStep(Step):
    def __init__(self, flow: Flow) -> None:
        super().__init__(
            flow, "notice", scroll=False,
            title=N_("Before you share anything: our privacy notice"),
            subtitle=N_("Please read how we would use your details. You decide what you agree to on the "
                     "next screen, and saying no costs you nothing."),
        )
        self.view = QTextBrowser()
        self.view.setObjectName("noticeText")
        self.view.setOpenLinks(False)
        kinetic(self.view)
        self.body.addWidget(self.view, 1)
        self.refresh()
        self.decline_button = self.nav("No thanks", flow.decline, name="declineButton")
        self.continue_button = self.nav("I have read it — continue", lambda: flow.go("purposes"),
                                        name="noticeContinue", role="primary", last=True)

    def refresh(self) -> None:
        self.view.setHtml(notice_html(self.flow.snapshot.notice, current_language()))
        self.view.setAccessibleName(_("Privacy notice"))
        self.to_top()

    def to_top(self) -> None:
        self.view.moveCursor(QTextCursor.MoveOperation.Start)
        self.view.verticalScrollBar().setValue(0)

    def on_enter(self) -> None:
        self.to_top()

    def wipe(self, *, everything: bool = False) -> None:
        if everything:  # the next attendee starts reading at the top
            self.to_top()
