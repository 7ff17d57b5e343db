"""The impact-assessment gate in the console (PIPL Arts. 55-56), through the real widgets.

The booth setup refuses offering a sharing purpose without an assessment and saves nothing; the
"Impact assessments…" dialog records one (refusing an incomplete questionnaire), lists it, and
then the same tick in the booth setup is saved.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QCheckBox, QLineEdit, QPlainTextEdit, QTableWidget

from consentbooth.domain.assessment import HEADINGS
from tests.gui.gui_helpers import PASSPHRASE, click, find, type_text
from tests.gui.test_booth_setup_gui import message, open_setup, saved


@pytest.fixture
def unassessed_shell(make_shell, tmp_path: Path, qtbot):
    """A configured vault whose sharing purposes (recipients named) are off, with no assessment."""
    from consentbooth.services import Booth
    from consentbooth.services.setup import demo_setup
    from tests.gui.gui_helpers import unlock

    setup = demo_setup()
    setup["purposes"] = [replace(p, enabled=not p.assessment_reasons()) for p in setup["purposes"]]
    setup["assessments"] = ()
    path = tmp_path / "unassessed.cbvault"
    booth = Booth.create(path, PASSPHRASE, organisation_name="Example")
    booth.configure(**setup)
    booth.lock()
    shell = make_shell(path)
    shell.start()
    unlock(shell, qtbot)
    return shell


def tick_offer(qtbot, dialog, code: str) -> None:
    box = find(dialog, QCheckBox, f"offer_{code}")
    assert box.isEnabled() and not box.isChecked()
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert box.isChecked()


def open_assessments(shell, qtbot):
    console = shell.window.console
    console.tools.actions["assessments"].trigger()
    dialog = console.tools.dialogs["assessments"]
    qtbot.waitUntil(lambda: dialog.isVisible() and not dialog.running, timeout=10_000)
    return dialog


def test_booth_setup_refuses_sharing_without_assessment_until_one_is_recorded(unassessed_shell, qtbot):
    shell = unassessed_shell
    booth = shell.session.booth
    dialog = open_setup(shell, qtbot)
    dialog.tabs.setCurrentWidget(dialog.purposes)
    tick_offer(qtbot, dialog, "partner_sharing")
    click(qtbot, dialog, "purposesSave")
    saved(shell, qtbot, dialog)
    assert "个人信息保护影响评估" in message(dialog, dialog.purposes)
    assert "向合作伙伴提供" in message(dialog, dialog.purposes)  # names the purpose
    booth.forget_setup()
    assert "partner_sharing" not in {p.code for p in booth.offered_purposes()}  # nothing saved
    click(qtbot, dialog, "setupClose")

    # record the assessment in its dialog: an unanswered heading is refused first
    assessments = open_assessments(shell, qtbot)
    assert assessments.table.rowCount() == 0
    box = find(assessments, QCheckBox, "assess_partner_sharing")
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    for key, _zh, _en in HEADINGS[:-1]:
        find(assessments, QPlainTextEdit, f"answer_{key}").setPlainText(f"评估:{key}")
    type_text(qtbot, find(assessments, QLineEdit, "approver"), "李娜")
    click(qtbot, assessments, "recordAssessment")
    qtbot.waitUntil(lambda: not assessments.running, timeout=10_000)
    assert "评估结论与剩余风险" in assessments.status.text() or "Conclusion" in assessments.status.text()
    assert booth.list_assessments() == []
    find(assessments, QPlainTextEdit, "answer_conclusion").setPlainText("可接受")
    click(qtbot, assessments, "recordAssessment")
    qtbot.waitUntil(lambda: assessments.table.rowCount() == 1 and not assessments.running, timeout=10_000)
    [recorded] = booth.list_assessments()
    assert recorded.purposes == ("partner_sharing",) and recorded.approver == "李娜"
    assert recorded.answers["conclusion"] == "可接受"
    table = find(assessments, QTableWidget, "assessmentsTable")
    assert table.item(0, 5).text() == recorded.id
    assert table.item(0, 4).text() == recorded.keep_until.isoformat()
    assert recorded.id in assessments.status.text()
    click(qtbot, assessments, "recordAssessment")  # a second click: the form was wiped, refused
    qtbot.waitUntil(lambda: not assessments.running, timeout=10_000)
    assert len(booth.list_assessments()) == 1
    assessments.reject()

    # now the same tick is saved (the booth setup still holds the refused edit)
    dialog = open_setup(shell, qtbot)
    dialog.tabs.setCurrentWidget(dialog.purposes)
    assert find(dialog, QCheckBox, "offer_partner_sharing").isChecked()
    click(qtbot, dialog, "purposesSave")
    saved(shell, qtbot, dialog)
    assert "partner_sharing" in {p.code for p in shell.session.snapshot.offered}
