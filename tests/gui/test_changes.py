"""One ``Session.changed(kind)`` after every write: each screen showing that kind refreshes itself.

The writes here come through named operations run straight on the session, as if from any other
screen: nothing connects the console, the record or the dashboard to the screen that wrote.
"""

from __future__ import annotations

import ast
from dataclasses import replace
from datetime import date
from pathlib import Path

from PySide6.QtWidgets import QLabel

from tests.gui.conftest import LEADS
from tests.gui.gui_helpers import idle


def test_a_capture_refreshes_the_list_and_the_dashboard_on_screen(console_shell, qtbot):
    from consentbooth.services import CaptureRequest
    from consentbooth.ui import operations

    shell, _ids = console_shell
    console = shell.window.console
    console.tabs.setCurrentIndex(1)
    dashboard = console.dashboard
    qtbot.waitUntil(lambda: dashboard.loads >= 1, timeout=10_000)
    assert dashboard.kpi["total"][0].text() == "3" and console.model.total == 3
    loads, list_loads = dashboard.loads, console.model.loads
    kinds = []
    shell.session.changed.connect(kinds.append)
    request = CaptureRequest(fields={"name": "周杰", "phone": "13900000009"}, purposes=["sales_contact"],
                             operator="WF")
    shell.session.run(operations.capture(request))
    qtbot.waitUntil(lambda: dashboard.loads > loads and console.model.loads > list_loads, timeout=10_000)
    assert kinds == ["leads"]
    assert dashboard.kpi["total"][0].text() == "4" and console.model.total == 4


def test_a_withdrawal_from_elsewhere_redraws_the_record_shown(console_shell, qtbot):
    from consentbooth.ui import operations

    shell, ids = console_shell
    console = shell.window.console
    qtbot.waitUntil(lambda: console.select_lead(ids[0]), timeout=10_000)
    detail = console.detail
    qtbot.waitUntil(lambda: detail.record is not None, timeout=10_000)
    state = detail.findChild(QLabel, "state_newsletter")
    assert "已同意" in state.text()
    shell.session.run(operations.withdraw(lead_id=ids[0], purposes=["newsletter"], channel="phone",
                                          request_date=date.today(), operator="WF", note=""))
    qtbot.waitUntil(lambda: detail.record is not None and "已撤回" in detail.findChild(
        QLabel, "state_newsletter").text(), timeout=10_000)
    assert console.model.rowCount() == 3 and detail.heading.text() == LEADS[0]["name"]
    assert len(detail.findChildren(QLabel, "timelineItem")) == 2


def test_a_setup_change_reloads_the_snapshot_and_the_console(console_shell, qtbot):
    from consentbooth.ui import operations

    shell, _ids = console_shell
    console = shell.window.console
    event = replace(shell.session.snapshot.event, name="Photonics Expo 2026")
    shell.session.run(operations.save_event(event, make_current=True))
    qtbot.waitUntil(lambda: shell.session.snapshot.event.name == "Photonics Expo 2026", timeout=10_000)
    qtbot.waitUntil(lambda: console.event_label.text() == "Photonics Expo 2026", timeout=10_000)


def test_in_kiosk_mode_a_capture_reloads_nothing_behind_the_kiosk(unlocked, qtbot):
    from tests.gui.test_kiosk import capture_zh, start_kiosk

    shell = unlocked
    console = shell.window.console
    kiosk = start_kiosk(shell, qtbot)
    loads = console.model.loads
    capture_zh(shell, qtbot, kiosk)
    idle(shell, qtbot)
    assert console.model.loads == loads and console.model.rowCount() == 0  # wiped, and stays so


def test_every_operation_calls_a_method_the_booth_has():
    """No getattr guard hides a renamed service: each ``booth.x`` an operation calls exists."""
    from consentbooth.services import Booth
    from consentbooth.ui import operations

    source = Path(operations.__file__).read_text(encoding="utf-8")
    called = {n.attr for n in ast.walk(ast.parse(source))
              if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "booth"}
    assert {"capture", "withdraw", "issue_certificate", "export_leads", "merge_files"} <= called
    assert sorted(name for name in called if not hasattr(Booth, name)) == []
    declared = [v for v in vars(operations).values()
                if callable(v) and hasattr(v, "changes") and not isinstance(v, type)]
    assert len(declared) >= 25
    assert all(set(v.changes) <= set(operations.KINDS) for v in declared)
