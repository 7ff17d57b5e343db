"""The leads table model: pages fetched lazily on the worker, so 100,000 leads stay fast."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from consentbooth.core.i18n import N_, _
from consentbooth.ui import style
from consentbooth.ui.session import Session

PAGE = 200
COLUMNS = (
    ("captured_at", N_("Captured")),
    ("name", N_("Name")),
    ("company", N_("Company")),
    ("phone", N_("Mobile phone")),
    ("email", N_("Email")),
)

Index = QModelIndex | QPersistentModelIndex


class Row:
    """One table row, formatted on the worker so painting only indexes a tuple."""

    __slots__ = ("cells", "erased", "id")

    def __init__(self, lead) -> None:
        self.id = lead.id
        self.erased = lead.erased
        self.cells = (_when(lead.captured_at), lead.name, lead.company, lead.phone, lead.email)


def _rows(leads) -> list[Row]:
    return [Row(lead) for lead in leads]


def _when(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso


class LeadsModel(QAbstractTableModel):
    loaded = Signal()  # a query's first page (and its count) arrived

    def __init__(self, session: Session, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.rows: list[Any] = []
        self.total = 0
        self.query = ""
        self._generation = 0
        self._fetching = False
        self.loads = 0
        self.fetches = 0  # pages fetched after the first (the view asks as it scrolls)

    # -- loading -----------------------------------------------------------------------------

    def load(self, query: str = "") -> None:
        """Start a new query: the count and the first page, on the worker."""
        self.query = query
        self._generation += 1
        generation = self._generation
        self._fetching = True

        def work(booth):
            if generation != self._generation:
                return None  # superseded while queued (fast typing): skip the vault work
            return booth.count(query), _rows(booth.search(query, limit=PAGE, offset=0))

        def done(result) -> None:
            if generation != self._generation or result is None:
                return  # a newer query superseded this one
            total, rows = result
            self.beginResetModel()
            self.rows = list(rows)
            self.total = total
            self._fetching = False
            self.endResetModel()
            self.loads += 1
            self.loaded.emit()

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                self._fetching = False
            from consentbooth.ui.errors import show_exception

            show_exception(exc)

        self.session.call(work, done, failed)

    def wipe(self) -> None:
        self._generation += 1
        self.beginResetModel()
        self.rows = []
        self.total = 0
        self.query = ""
        self._fetching = False
        self.endResetModel()

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._fetching and len(self.rows) < self.total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        self._fetching = True
        generation = self._generation
        query, offset = self.query, len(self.rows)

        def done(rows) -> None:
            if generation != self._generation:
                return
            self._fetching = False
            if not rows:
                self.total = len(self.rows)
                return
            first = len(self.rows)
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            self.rows.extend(rows)
            self.endInsertRows()
            self.fetches += 1

        self.session.call(lambda b: _rows(b.search(query, limit=PAGE, offset=offset)), done)

    # -- Qt model ----------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return _(COLUMNS[section][1])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        lead = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            column = index.column()
            if lead.erased and column:
                return _("(erased)") if column == 1 else ""
            return lead.cells[column]
        if role == Qt.ItemDataRole.UserRole:
            return lead.id
        if role == Qt.ItemDataRole.ForegroundRole and lead.erased:
            from PySide6.QtGui import QColor

            return QColor(style.FAINT)
        return None

    def lead_id(self, row: int) -> str | None:
        return self.rows[row].id if 0 <= row < len(self.rows) else None

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
