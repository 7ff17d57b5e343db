"""The first step: the privacy notice (PIPL Art. 17), before anything can be typed."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QTextBrowser

from consentbooth.core.i18n import _, current_language
from consentbooth.domain.notice import ART17_ITEMS
from consentbooth.ui import style
from consentbooth.ui.kiosk.steps.base import Flow, Step
from consentbooth.ui.widgets.common import N_


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
        self.body.addWidget(self.view, 1)
        self.refresh()
        self.decline_button = self.nav("No thanks", flow.decline, name="declineButton")
        self.continue_button = self.nav("I have read it — continue", lambda: flow.go("purposes"),
                                        name="noticeContinue", role="primary", last=True)

    def refresh(self) -> None:
        notice = self.flow.snapshot.notice
        language = current_language()
        if notice is None:
            self.view.setHtml("")
            return
        body = notice.sections.get(language, {})
        parts = []
        for key, heading_en, heading_zh in ART17_ITEMS:
            heading = heading_zh if language == "zh-CN" else heading_en
            text = html.escape(body.get(key, "").strip()).replace("\n", "<br>")
            parts.append(f"<h3 style='color:{style.ACCENT_DARK};margin-bottom:4px'>{html.escape(heading)}</h3>"
                         f"<p style='margin-top:0'>{text}</p>")
        version = _("Notice version {version}").format(version=notice.version)
        parts.append(f"<p style='color:{style.MUTED};font-size:small'>{html.escape(version)} · "
                     f"SHA-256 {notice.sha256(language)[:16]}…</p>")
        self.view.setHtml("".join(parts))

    def wipe(self, *, everything: bool = False) -> None:
        if everything:  # the next attendee starts reading at the top
            self.view.verticalScrollBar().setValue(0)
