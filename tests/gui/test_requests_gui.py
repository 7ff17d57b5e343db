"""More… → Rights requests and the lead detail's copy for the person (issue #16 items 1 and 2),
driven through the real widgets: a person found by email, every request type opened and closed,
the ledger entries each leaves, an overdue request on the dashboard in red, the answer letter,
the copy's files; the ledger still verifies."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QFileDialog, QPushButton

from consentbooth.domain.requests import RequestType
from consentbooth.ui import style
from tests.gui.gui_helpers import click, find, idle, texts_in, type_text


def _open(shell, qtbot):
    console = shell.window.console
    find(console, QPushButton, "moreButton")
    console.tools.actions["requests"].trigger()
    dialog = console.tools.dialogs["requests"]
    qtbot.waitUntil(dialog.isVisible, timeout=5_000)
    return dialog


def _choose(combo, value: str) -> None:
    combo.setCurrentIndex(combo.findData(value))
    assert combo.currentData() == value


def test_every_request_type_through_the_console(console_shell, qtbot, tmp_path: Path) -> None:
    shell, ids = console_shell
    dialog = _open(shell, qtbot)
    idle(shell, qtbot)
    assert dialog.table.rowCount() == 0
    type_text(qtbot, dialog.query, "wang.fang@example.cn")
    click(qtbot, dialog, "requestFind")
    qtbot.waitUntil(lambda: dialog.person.count() == 1, timeout=10_000)
    assert dialog.person.currentData() == ids[0] and "王芳" in dialog.person.currentText()
    for n, kind in enumerate(RequestType, start=1):
        _choose(dialog.kind, kind.value)
        _choose(dialog.channel, "email")
        type_text(qtbot, dialog.identity, "reply from the email on record")
        click(qtbot, dialog, "requestOpen")
        qtbot.waitUntil(lambda n=n: dialog.table.rowCount() == n, timeout=10_000)
        idle(shell, qtbot)
    assert "答复截止日期" in dialog.status.text()
    # every request is due 30 days after today's receipt; none overdue
    due = (date.today() + timedelta(days=30)).isoformat()
    assert {dialog.table.item(r, 4).text() for r in range(7)} == {due}
    # close each one: the deletion is refused, with the reasons
    for _n in range(7):
        row = next(r for r in range(dialog.table.rowCount()) if dialog.table.item(r, 5).text() == "办理中")
        dialog.table.selectRow(row)
        refused = dialog.rows[row].request.kind == "deletion"
        _choose(dialog.outcome, "refused" if refused else "fulfilled")
        if refused:
            type_text(qtbot, dialog.note, "Records the law requires us to keep.")
        closed_before = sum(not r.request.is_open for r in dialog.rows)
        click(qtbot, dialog, "requestClose")
        qtbot.waitUntil(lambda c=closed_before: sum(not r.request.is_open for r in dialog.rows) == c + 1,
                        timeout=10_000)
        idle(shell, qtbot)
    # the letter of the refused deletion, in the person's language
    deletion = next(r for r, row in enumerate(dialog.rows) if row.request.kind == "deletion")
    dialog.table.selectRow(deletion)
    dialog.folder.setText(str(tmp_path))
    click(qtbot, dialog, "requestLetter")
    letter = tmp_path / f"answer-{dialog.rows[deletion].request.id}.txt"
    qtbot.waitUntil(letter.exists, timeout=10_000)
    text = letter.read_text(encoding="utf-8")
    assert "王芳" in text and "删除您的个人信息" in text and "Records the law requires us to keep." in text

    # the lead's timeline names each request and its outcome
    console = shell.window.console
    qtbot.waitUntil(lambda: console.select_lead(ids[0]), timeout=10_000)
    qtbot.waitUntil(lambda: console.detail.record is not None and len(console.detail.record.history) == 15,
                    timeout=10_000)
    timeline = " ".join(texts_in(console.detail))
    assert "收到权利请求" in timeline and "权利请求已办结" in timeline and "删除（第四十七条）" in timeline
    assert "拒绝" in timeline and "Records the law requires us to keep." not in timeline  # notes stay in the register
    booth = shell.session.booth
    history = booth.record(ids[0]).history
    opened = [e for e in history if e.action.value == "request_opened"]
    closed = [e for e in history if e.action.value == "request_closed"]
    assert len(opened) == len(closed) == 7
    assert {e.extra["request"]["type"] for e in opened} == {k.value for k in RequestType}
    assert sorted(e.extra["request"]["outcome"] for e in closed) == ["fulfilled"] * 6 + ["refused"]
    assert all(not e.decisions and "reply from" not in json.dumps(e.to_record()) for e in opened + closed)
    assert booth.verify_ledger().ok


def test_an_overdue_request_shows_on_the_dashboard(console_shell, qtbot) -> None:
    shell, ids = console_shell
    console = shell.window.console
    console.tabs.setCurrentIndex(1)
    dashboard = console.dashboard
    qtbot.waitUntil(lambda: dashboard.kpi["requests_open"][0].text() == "0", timeout=10_000)
    dialog = _open(shell, qtbot)
    type_text(qtbot, dialog.query, "13900000002")
    click(qtbot, dialog, "requestFind")
    qtbot.waitUntil(lambda: dialog.person.count() == 1, timeout=10_000)
    _choose(dialog.kind, "access")
    _choose(dialog.channel, "letter")
    dialog.received.setDate(QDate.currentDate().addDays(-45))
    type_text(qtbot, dialog.identity, "ID card shown at the office")
    click(qtbot, dialog, "requestOpen")
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=10_000)
    assert dialog.table.item(0, 5).text() == "已逾期" and dialog.table.item(0, 2).text() == "李雷"
    assert dialog.table.item(0, 0).foreground().color().name() == style.DANGER
    assert dialog.table.item(0, 3).text() == "信函"
    # the dashboard follows the write (Session.changed), whichever screen made it
    qtbot.waitUntil(lambda: dashboard.kpi["requests_overdue"][0].text() == "1", timeout=10_000)
    assert dashboard.kpi["requests_open"][0].text() == "1"
    assert style.DANGER in dashboard.kpi["requests_overdue"][0].styleSheet()
    assert "逾期的权利请求" in texts_in(dashboard)
    dialog.close()
    qtbot.waitUntil(lambda: "requests" not in console.tools.dialogs, timeout=5_000)
    assert shell.session.booth.record(ids[2]).history[-1].action.value == "request_opened"


def test_bad_input_is_one_sentence_and_nothing_is_stored(console_shell, qtbot) -> None:
    shell, ids = console_shell
    dialog = _open(shell, qtbot)
    click(qtbot, dialog, "requestOpen")
    assert dialog.status.text() == "请先查找本人。"
    type_text(qtbot, dialog.query, "anna@acme.example")
    click(qtbot, dialog, "requestFind")
    qtbot.waitUntil(lambda: dialog.person.count() == 1, timeout=10_000)
    click(qtbot, dialog, "requestOpen")  # no identity check
    qtbot.waitUntil(lambda: dialog.status.text() == "请说明如何核验了本人身份。", timeout=10_000)
    idle(shell, qtbot)
    assert shell.session.booth.ctx.hub.rights_requests() == []


def test_the_copy_for_the_person_from_the_lead_detail(console_shell, qtbot, tmp_path: Path, monkeypatch) -> None:
    shell, ids = console_shell
    console = shell.window.console
    qtbot.waitUntil(lambda: console.select_lead(ids[0]), timeout=10_000)
    detail = console.detail
    qtbot.waitUntil(lambda: detail.record is not None, timeout=10_000)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(tmp_path)))
    button = find(detail, QPushButton, "personCopyButton")
    assert button.text() == "个人信息副本…"
    click(qtbot, detail, "personCopyButton")
    qtbot.waitUntil(lambda: (tmp_path / f"copy-{ids[0]}.pdf").exists(), timeout=20_000)
    data = json.loads((tmp_path / f"copy-{ids[0]}.json").read_text(encoding="utf-8"))
    assert data["person"]["details"]["name"] == "王芳"
    assert (tmp_path / f"copy-{ids[0]}.pdf").read_bytes().startswith(b"%PDF")
    qtbot.waitUntil(lambda: detail.dialog is not None and detail.dialog.objectName() == "personCopyDone",
                    timeout=10_000)
