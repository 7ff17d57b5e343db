"""Dashboard: leads per hour today and the consent rate per purpose, drawn with QPainter.

Read again when its tab is opened, and while it is on screen after every write to the leads.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QVBoxLayout, QWidget

from consentbooth.core.i18n import N_, _, current_language
from consentbooth.domain.models import localized
from consentbooth.services.booth import DashboardStats
from consentbooth.ui import operations, style
from consentbooth.ui.console import requestops
from consentbooth.ui.session import Session
from consentbooth.ui.widgets.charts import BarChart, RateChart
from consentbooth.ui.widgets.common import Texts, button, card, label


class Dashboard(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dashboard")
        self.session = session
        self.texts = Texts()
        self.stats: DashboardStats | None = None
        self.loads = 0

        kpis = QHBoxLayout()
        kpis.setSpacing(12)
        self.kpi: dict[str, tuple] = {}
        for key, msgid in (
            ("today", N_("Leads today")),
            ("total", N_("Leads in the vault")),
            ("declined", N_("Declined (anonymous)")),
            ("minors", N_("Under 14, not recorded")),
            ("requests_open", N_("Open rights requests")),
            ("requests_overdue", N_("Overdue rights requests")),
        ):
            frame, inner = card()
            value = label("—", name="title")
            caption = label(name="muted")
            self.texts.bind(caption.setText, msgid)
            inner.addWidget(value)
            inner.addWidget(caption)
            kpis.addWidget(frame)
            self.kpi[key] = (value, caption)

        hours_box, hours_layout = card()
        self.hours_title = label(name="sectionHeading")
        self.texts.bind(self.hours_title.setText, "Leads per hour today")
        self.hours = BarChart()
        self.hours.setObjectName("hoursChart")
        hours_layout.addWidget(self.hours_title)
        hours_layout.addWidget(self.hours, 1)

        rate_box, rate_layout = card()
        self.rate_title = label(name="sectionHeading")
        self.rate_note = label(name="muted")
        self.rates = RateChart()
        self.rates.setObjectName("ratesChart")
        self.texts.bind(self.rate_title.setText, "Consent rate per purpose")
        rate_layout.addWidget(self.rate_title)
        rate_layout.addWidget(self.rate_note)
        rate_layout.addWidget(self.rates, 1)

        refresh = button(slot=self.refresh)
        refresh.setObjectName("dashboardRefresh")
        self.texts.bind(refresh.setText, "Refresh")
        head = QHBoxLayout()
        head.addStretch(1)
        head.addWidget(refresh)

        grid = QGridLayout()
        grid.setSpacing(12)
        grid.addWidget(hours_box, 0, 0)
        grid.addWidget(rate_box, 0, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 16)
        layout.setSpacing(12)
        layout.addLayout(head)
        layout.addLayout(kpis)
        layout.addLayout(grid, 1)
        session.changed.connect(self._changed)

    def refresh(self) -> None:
        self.session.run(operations.dashboard_stats(), self._show)
        self.session.run(requestops.request_counts(), self._show_requests)

    def _show_requests(self, counts: requestops.RequestCounts) -> None:
        """Open and overdue rights requests (every event's: a due date does not wait for the event)."""
        self.kpi["requests_open"][0].setText(f"{counts.open:,}")
        overdue = self.kpi["requests_overdue"][0]
        overdue.setText(f"{counts.overdue:,}")
        overdue.setStyleSheet(f"color: {style.DANGER};" if counts.overdue else "")

    def _changed(self, kind: str) -> None:
        if kind == operations.LEADS and self.isVisible():  # otherwise: when its tab is opened
            self.refresh()

    def _show(self, stats: DashboardStats) -> None:
        self.stats = stats
        self.loads += 1
        self.render()

    def retranslate(self) -> None:
        self.texts.apply()
        self.render()

    def render(self) -> None:
        stats = self.stats
        if stats is None:
            return
        figures = {"today": stats.today, "total": stats.total, "declined": stats.declined,
                   "minors": stats.minor_refused}
        for key, value in figures.items():
            self.kpi[key][0].setText(f"{value:,}")
        now_hour = datetime.now().hour
        first = min([h for h, n in enumerate(stats.per_hour) if n] + [max(0, now_hour - 8), 8])
        last = max([h for h, n in enumerate(stats.per_hour) if n] + [now_hour, 18])
        self.hours.set_bars(
            [(f"{h:02d}", stats.per_hour[h]) for h in range(first, last + 1)],
            empty_text=_("No leads yet today."),
        )
        snapshot = self.session.snapshot
        language = current_language()
        rows = []
        for purpose in snapshot.offered if snapshot else ():
            code = purpose.code
            rows.append((localized(purpose.title, language), stats.granted.get(code, 0), stats.shown.get(code, 0)))
        self.rates.set_rows(rows, empty_text=_("No consents recorded yet."))
        self.rate_note.setText(
            _("Share of today's visitors who were shown a purpose and ticked it ({n} leads today).").format(
                n=stats.today
            )
        )

    def wipe(self) -> None:
        self.stats = None
        for value, _caption in self.kpi.values():
            value.setText("—")
        self.kpi["requests_overdue"][0].setStyleSheet("")
        self.hours.set_bars([])
        self.rates.set_rows([])
