"""The staff console page: toolbar (who is on duty, kiosk, capture, lock), leads + detail, dashboard.

Nobody is on duty until staff say who is: kiosk mode and a staff-assisted capture ask first
(:class:`~consentbooth.ui.console.onduty.OnDutyDialog`), and the toolbar shows who it is.

The lead's record (right of the table) is built when the first lead is chosen, and the dashboard
when its tab is first opened: until then only the hint / an empty tab is on screen, so the console
(built behind the unlock screen) costs less to build and to show.

While it is on screen (between ``activate`` and ``wipe``) the console follows the session: a write
to the leads (``Session.changed``) reloads the list, keeping the lead shown selected; a new setup
snapshot redraws the event and the operators. In kiosk mode it holds nothing and reloads nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QSizePolicy,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from consentbooth.core.i18n import _, ngettext
from consentbooth.ui import operations
from consentbooth.ui.console.model import LeadsModel
from consentbooth.ui.console.more import ConsoleTools
from consentbooth.ui.session import Session
from consentbooth.ui.widgets.common import LanguageSwitch, Texts, button, label

if TYPE_CHECKING:
    from consentbooth.ui.console.dashboard import Dashboard
    from consentbooth.ui.console.detail import LeadDetail
    from consentbooth.ui.console.dialogs import AssistedCaptureDialog
    from consentbooth.ui.console.onduty import OnDutyDialog

SEARCH_DEBOUNCE_MS = 150


class ConsolePage(QWidget):
    kiosk_requested = Signal()
    lock_requested = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("consolePage")
        self.session = session
        self.texts = Texts()
        self.assisted: AssistedCaptureDialog | None = None
        self.on_duty_dialog: OnDutyDialog | None = None
        self._reselect: str | None = None
        self._active = False  # on screen with the vault's data (between activate and wipe)

        # -- toolbar
        bar = QFrame()
        bar.setObjectName("card")
        bar_layout = QHBoxLayout(bar)
        bar_layout.setContentsMargins(14, 8, 14, 8)
        self.event_label = label(name="sectionHeading", wrap=False)
        self.event_label.setMinimumWidth(0)
        self.event_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.duty_button = button(slot=lambda: self.ask_on_duty(None))
        self.duty_button.setObjectName("onDutyButton")
        self.capture_button = button(slot=self.open_assisted)
        self.capture_button.setObjectName("assistedButton")
        self.kiosk_button = button(role="primary", slot=self.start_kiosk_mode)
        self.kiosk_button.setObjectName("kioskButton")
        self.lock_button = button(slot=self.lock_requested.emit)
        self.lock_button.setObjectName("lockButton")
        self.lock_button.setToolTip("Ctrl+L")
        self.texts.bind(self.capture_button.setText, "New lead…")
        self.texts.bind(self.capture_button.setToolTip, "New lead (staff-assisted)…")
        self.texts.bind(self.kiosk_button.setText, "Start kiosk mode")
        self.texts.bind(self.lock_button.setText, "Lock")
        self.language = LanguageSwitch()
        self.language.language_selected.connect(lambda c: session.set_language(c, remember=True))
        self.tools = ConsoleTools(session, self)  # exports, transfer, verify, settings
        bar_layout.addWidget(self.event_label, 1)
        bar_layout.addWidget(self.duty_button)
        bar_layout.addSpacing(6)
        bar_layout.addWidget(self.capture_button)
        bar_layout.addWidget(self.kiosk_button)
        bar_layout.addWidget(self.tools.button)
        bar_layout.addWidget(self.lock_button)
        bar_layout.addSpacing(6)
        bar_layout.addWidget(self.language)

        # -- leads tab
        self.search = QLineEdit()
        self.search.setObjectName("searchEdit")
        self.search.setClearButtonEnabled(True)
        self.texts.bind(self.search.setPlaceholderText, "Search name, company, phone, email…")
        self.count_label = label(name="muted", wrap=False)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._run_search)
        self.search.textChanged.connect(lambda _t: self._debounce.start())

        self.model = LeadsModel(session, self)
        self.model.loaded.connect(self._loaded)
        self.model.rowsInserted.connect(lambda *_a: self._update_count())
        self.table = QTableView()
        self.table.setObjectName("leadsTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(30)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((128, 104, 160, 128)):
            self.table.setColumnWidth(column, width)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        search_row = QHBoxLayout()
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.count_label)
        left_layout.addLayout(search_row)
        left_layout.addWidget(self.table, 1)

        # Until a lead is chosen the right pane shows LeadDetail's own hint, as LeadDetail does.
        self._detail: LeadDetail | None = None
        self._detail_pane = QWidget()
        detail_layout = QVBoxLayout(self._detail_pane)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        self._detail_hint = label(name="muted")
        self.texts.bind(self._detail_hint.setText, "Choose a lead on the left to see everything held about them.")
        detail_layout.addWidget(self._detail_hint)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self._detail_pane)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([760, 540])
        splitter.setChildrenCollapsible(False)
        leads_tab = QWidget()
        leads_layout = QVBoxLayout(leads_tab)
        leads_layout.setContentsMargins(16, 12, 16, 16)
        leads_layout.addWidget(splitter)

        self._dashboard: Dashboard | None = None
        self._dashboard_tab = QWidget()
        QVBoxLayout(self._dashboard_tab).setContentsMargins(0, 0, 0, 0)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("consoleTabs")
        self.tabs.addTab(leads_tab, "")
        self.tabs.addTab(self._dashboard_tab, "")
        self.texts.bind(lambda t: self.tabs.setTabText(0, t), "Leads")
        self.texts.bind(lambda t: self.tabs.setTabText(1, t), "Dashboard")
        self.tabs.currentChanged.connect(lambda i: self.dashboard.refresh() if i == 1 else None)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 0)
        layout.setSpacing(8)
        layout.addWidget(bar)
        layout.addWidget(self.tabs, 1)

        session.language_changed.connect(self._language_changed)
        session.operator_changed.connect(self._sync_operator)
        session.changed.connect(self._changed)
        session.snapshot_changed.connect(self._snapshot_changed)

    @property
    def detail(self) -> LeadDetail:
        """The lead's record pane, built on first use."""
        if self._detail is None:
            from consentbooth.ui.console.detail import LeadDetail

            detail = LeadDetail(self.session)
            self._detail_hint.hide()
            self._detail_pane.layout().addWidget(detail)
            self._detail = detail
        return self._detail

    @property
    def dashboard(self) -> Dashboard:
        """The dashboard tab's content, built on first use (opening the tab)."""
        if self._dashboard is None:
            from consentbooth.ui.console.dashboard import Dashboard

            dashboard = Dashboard(self.session)
            self._dashboard_tab.layout().addWidget(dashboard)
            self._dashboard = dashboard
        return self._dashboard

    # -- lifecycle ---------------------------------------------------------------------------

    def activate(self) -> None:
        """Called after unlock: show the setup's staff and event, load the first page."""
        self._active = True
        snapshot = self.session.snapshot
        # ops mode on a PostgreSQL hub: people, their rights, exports, merges; no booth floor
        ops = self.session.is_team_hub
        for widget in (self.kiosk_button, self.capture_button, self.duty_button):
            widget.setVisible(not ops)
        self.tabs.setTabVisible(1, not ops)
        if ops:
            self.tabs.setCurrentIndex(0)
        self.tools.set_ops_mode(ops)
        self._sync_operator(self.session.operator)
        event = snapshot.event if snapshot else None
        self.event_label.setText(event.name if event else "")
        self.event_label.setToolTip(event.name if event else "")
        self.refresh()
        if self.tabs.currentIndex() == 1:
            self.dashboard.refresh()

    def refresh(self) -> None:
        self.model.load(self.search.text().strip())

    def _run_search(self) -> None:
        if self._detail is not None:
            self._detail.wipe()
        self.model.load(self.search.text().strip())

    def _loaded(self) -> None:
        self._update_count()
        lead_id, self._reselect = self._reselect, None
        if lead_id:
            self.select_lead(lead_id)

    def _update_count(self) -> None:
        self.count_label.setText(ngettext("{n} lead", "{n} leads", self.model.total).format(n=f"{self.model.total:,}"))

    def _row_changed(self, current, _previous) -> None:
        lead_id = self.model.lead_id(current.row()) if current.isValid() else None
        if lead_id or self._detail is not None:
            self.detail.show_lead(lead_id)

    def select_lead(self, lead_id: str) -> bool:
        for row in range(self.model.rowCount()):
            if self.model.lead_id(row) == lead_id:
                index = self.model.index(row, 0)
                self.table.selectionModel().setCurrentIndex(
                    index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
                )
                return True
        return False

    def _changed(self, kind: str) -> None:
        """A write to the leads, from any screen: reload the list, keeping the lead shown."""
        if kind != operations.LEADS or not self._active:
            return
        record = self._detail.record if self._detail is not None else None
        self._reselect = record.lead.id if record is not None else None
        self.model.load(self.search.text().strip())

    def _snapshot_changed(self) -> None:
        """The setup changed (events, purposes, staff…): the event name and operators too."""
        if self._active:
            self.activate()

    def _sync_operator(self, initials: str) -> None:
        snapshot = self.session.snapshot
        member = next((s for s in snapshot.staff if s.initials == initials), None) if snapshot else None
        if member is not None and self._active:
            self.duty_button.setText(_("On duty: {who}").format(who=member.label()))
        else:
            self.duty_button.setText(_("Who is on duty?"))

    def ask_on_duty(self, then: Callable[[], object] | None) -> None:
        """Staff say who is on duty; ``then`` runs once they have."""
        if self.session.snapshot is None:
            return
        from consentbooth.ui.console.onduty import OnDutyDialog

        dialog = OnDutyDialog(self.session, self)
        if then is not None:
            dialog.chosen.connect(lambda _initials: then())
        dialog.finished.connect(lambda _r, d=dialog: self._on_duty_closed(d))
        self.on_duty_dialog = dialog
        dialog.open()

    def _on_duty_closed(self, dialog: OnDutyDialog) -> None:
        if self.on_duty_dialog is dialog:
            self.on_duty_dialog = None

    def start_kiosk_mode(self) -> None:
        """Kiosk mode, after staff said who is on duty (its captures carry their initials)."""
        self.ask_on_duty(self.kiosk_requested.emit)

    def _language_changed(self, language: str) -> None:
        self.language.sync(language)
        self.texts.apply()
        self._sync_operator(self.session.operator)
        self.tools.retranslate()
        self.model.retranslate()
        self._update_count()
        if self._dashboard is not None:
            self._dashboard.retranslate()
        if self._detail is not None:
            self._detail.texts.apply()
            if self._detail.record is not None:
                self._detail.reload()

    def open_assisted(self) -> None:
        if self.session.snapshot is None:
            return
        if not self.session.operator:
            self.ask_on_duty(self.open_assisted)
            return
        from consentbooth.ui.console.dialogs import AssistedCaptureDialog

        dialog = AssistedCaptureDialog(self.session, self)
        dialog.finished.connect(lambda _r: self._assisted_closed())
        self.assisted = dialog
        dialog.open()

    def _assisted_closed(self) -> None:
        self.assisted = None
        self.session.set_language(self.session.staff_language)

    def wipe(self) -> None:
        """On lock: no personal data may stay in any widget."""
        self._active = False
        self._debounce.stop()
        self.search.setText("")
        self._debounce.stop()
        self.model.wipe()
        if self._detail is not None:
            self._detail.wipe()
        if self._dashboard is not None:
            self._dashboard.wipe()
        self.count_label.setText("")
        self.event_label.setText("")
        self.event_label.setToolTip("")
        self._sync_operator("")  # staff names are personal data too
        self.tools.wipe()
        if self.assisted is not None:
            self.assisted.wipe()
            self.assisted.close()
            self.assisted = None
