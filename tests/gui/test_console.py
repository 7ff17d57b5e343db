"""The staff console: lazy table, search-as-you-type, detail, correct, erase, assisted capture."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QMessageBox

from tests.gui.gui_helpers import click, find, idle, on_duty, type_text
from tests.gui.test_kiosk import fill, tick


def test_table_lists_leads_and_search_as_you_type(console_shell, qtbot):
    shell, ids = console_shell
    console = shell.window.console
    model = console.model
    qtbot.waitUntil(lambda: model.rowCount() == 3, timeout=10_000)
    assert console.count_label.text() == "3 条线索"
    names = {model.index(r, 1).data() for r in range(3)}
    assert names == {"王芳", "Anna Schmidt", "李雷"}
    loads = model.loads
    type_text(qtbot, console.search, "acme")  # four keystrokes, one query after the debounce
    qtbot.waitUntil(lambda: model.loads == loads + 1 and model.rowCount() == 1, timeout=10_000)
    assert model.index(0, 1).data() == "Anna Schmidt"
    qtbot.wait(200)
    assert model.loads == loads + 1
    console.search.setText("")
    type_text(qtbot, console.search, "李雷")
    qtbot.waitUntil(lambda: model.rowCount() == 1 and model.index(0, 1).data() == "李雷", timeout=10_000)


def test_lazy_paging(console_shell, qtbot, monkeypatch):
    from consentbooth.ui.console import model as model_mod

    shell, _ids = console_shell
    console = shell.window.console
    monkeypatch.setattr(model_mod, "PAGE", 2)
    fetches, loads = console.model.fetches, console.model.loads
    console.refresh()
    qtbot.waitUntil(lambda: console.model.loads == loads + 1, timeout=10_000)
    # the first page holds 2 rows; the view itself asks for the next page (canFetchMore/fetchMore)
    qtbot.waitUntil(lambda: console.model.rowCount() == 3, timeout=10_000)
    assert console.model.total == 3 and console.model.fetches == fetches + 1
    assert not console.model.canFetchMore()


def test_detail_correct_and_erase(console_shell, qtbot):
    shell, ids = console_shell
    console = shell.window.console
    qtbot.waitUntil(lambda: console.model.rowCount() == 3, timeout=10_000)
    assert console.select_lead(ids[0])
    detail = console.detail
    qtbot.waitUntil(lambda: detail.record is not None, timeout=10_000)
    assert detail.heading.text() == "王芳"
    assert len(detail.findChildren(QLabel, "timelineItem")) == 1
    assert "已同意" in find(detail, QLabel, "state_sales_contact").text()
    # correct: a bad email is refused next to the field, a good one is saved
    click(qtbot, detail, "correctButton")
    dialog = detail.dialog
    dialog.rows["email"].edit.setText("")
    type_text(qtbot, dialog.rows["email"].edit, "not-an-email")
    click(qtbot, dialog, "correctOk")
    qtbot.waitUntil(lambda: dialog.rows["email"].error.isVisible(), timeout=10_000)
    dialog.rows["email"].edit.setText("")
    type_text(qtbot, dialog.rows["email"].edit, "fang.wang@example.cn")
    with qtbot.waitSignal(dialog.corrected, timeout=10_000):
        click(qtbot, dialog, "correctOk")
    idle(shell, qtbot)
    booth = shell.session.booth
    assert booth.record(ids[0]).lead.fields["email"] == "fang.wang@example.cn"
    # erase, with confirmation; the evidence stays
    qtbot.waitUntil(lambda: detail.record is not None and detail.erase_button.isEnabled(), timeout=10_000)
    click(qtbot, detail, "eraseButton")
    box = detail.dialog
    assert isinstance(box, QMessageBox)
    qtbot.mouseClick(find(box, QAbstractButton, "eraseYes"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: detail.record is not None and detail.record.lead.erased_at is not None, timeout=10_000)
    record = booth.record(ids[0])
    assert "name" not in record.lead.fields
    # the correction is a signed event too (issue 9: an edit behind the ledger is caught)
    assert [e.action.value for e in record.history] == ["consent", "correction", "erasure"]
    qtbot.waitUntil(
        lambda: any(console.model.index(r, 1).data() == "(已删除)" for r in range(console.model.rowCount())),
        timeout=10_000,
    )


def test_assisted_capture_records_rating_notes_and_operator(console_shell, qtbot):
    shell, _ids = console_shell
    console = shell.window.console
    assert shell.session.operator == ""  # nobody is on duty until staff say who is
    click(qtbot, console, "assistedButton")
    on_duty(qtbot, console, "AM")  # asked first
    qtbot.waitUntil(lambda: console.assisted is not None, timeout=5_000)
    dialog = console.assisted
    flow = dialog.flow
    click(qtbot, dialog, "lang_en")
    assert flow.current() == "details"  # the staff's page first
    fill(qtbot, flow, "name", "Jonas Jensen")
    fill(qtbot, flow, "email", "jonas@globex.example")
    fill(qtbot, flow, "interest", "Spectrometers")
    flow.details.rating.setCurrentText("4")
    type_text(qtbot, flow.details.notes, "Wants a quote")
    click(qtbot, flow, "detailsContinue")
    assert flow.current() == "consent"  # then the visitor's: the notice and their own ticks
    assert "Who we are" in flow.steps["consent"].notice.text()
    tick(qtbot, flow, "product_info")
    with qtbot.waitSignal(flow.saved, timeout=10_000) as saved:
        click(qtbot, flow, "consentSave")
    idle(shell, qtbot)
    record = shell.session.booth.record(saved.args[0].lead_id)
    assert record.lead.fields["rating"] == "4"
    assert record.lead.fields["notes"] == "Wants a quote"
    assert record.lead.fields["interest"] == "Spectrometers"
    assert record.lead.collection_method.value == "staff"
    assert record.history[0].operator == "AM" and record.history[0].language == "en"
    dialog.close()
    qtbot.waitUntil(lambda: console.model.total == 4, timeout=10_000)


def test_dashboard_charts(console_shell, qtbot):
    shell, _ids = console_shell
    console = shell.window.console
    console.tabs.setCurrentIndex(1)
    dashboard = console.dashboard
    qtbot.waitUntil(lambda: dashboard.loads >= 1, timeout=10_000)
    assert sum(v for _l, v in dashboard.hours.bars()) == 3
    rows = {title: (granted, shown) for title, granted, shown in dashboard.rates.rows()}
    assert rows["电子简报"] == (2, 3)
    assert rows["产品资料"] == (1, 3)
    assert dashboard.kpi["total"][0].text() == "3"
    assert QApplication.instance() is not None
    assert QPoint(0, 0) is not None
