"""Scan to consent in the real app (issue #13), the figures:

- a payload typed at scanner timing (2–10 ms a key) into a focused field of each capture screen
  (the kiosk's details and guardian steps, the staff-assisted page with its qualifying questions
  and notes) pre-fills the form, and no widget holds the raw payload; a person's typing is left
  alone;
- after a scan followed by a decline, by the attendee timeout and by a lock, no widget holds the
  scanned values, and neither does any table or page of the decrypted vault.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QWidget

from tests.gui.gui_helpers import click, find, idle, on_duty, texts_in
from tests.gui.test_kiosk import choose, start_kiosk, tick
from tests.support.scanning import PERSON_MS, SCANNER_MS, type_paced
from tests.vault_pages import decrypted_pages, hits, plaintext_copy, table_cells

VCARD = ("BEGIN:VCARD\nVERSION:3.0\nN:Kanarie;Scan;;;\nFN:Scan Kanarie\nORG:Kanarie7e2b Instruments\n"
         "TEL;TYPE=CELL:+49 151 77771234\nEMAIL:kanarie7e2b@badge.example\nEND:VCARD")
VALUES = ["Scan Kanarie", "Kanarie7e2b Instruments", "+4915177771234", "kanarie7e2b@badge.example"]
RAW = ["BEGIN:VCARD", "FN:", "TEL;TYPE", "+49 151 77771234"]


def _leftovers(*roots: QWidget, values=VALUES + RAW) -> list[str]:
    return [t for root in roots if root is not None for t in texts_in(root) if any(v in t for v in values)]


def _scan_into(qapp, qtbot, widget: QWidget, flow) -> None:
    """Focus ``widget``, type the vCard at scanner pace, wait for the draft."""
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus, timeout=5_000)
    ready: list = []
    flow.scan.draft_ready.connect(lambda: ready.append(True))
    type_paced(qapp, VCARD + "\n", SCANNER_MS)
    qtbot.waitUntil(lambda: bool(ready), timeout=10_000)


def _prefilled(flow) -> bool:
    rows = flow.rows
    return (rows["name"].value() == "Scan Kanarie" and rows["company"].value() == "Kanarie7e2b Instruments"
            and rows["phone"].value() == "+4915177771234" and rows["email"].value() == "kanarie7e2b@badge.example")


def test_a_scan_into_every_field_of_the_kiosk_details_prefills_and_leaves_no_raw_payload(unlocked, qapp, qtbot) -> None:
    shell = unlocked
    kiosk = start_kiosk(shell, qtbot)
    flow = kiosk.flow
    choose(qtbot, flow, "sales_contact")
    assert flow.current() == "details"
    for key in ("name", "company", "title", "phone", "email", "wechat"):
        for row in flow.rows.values():
            row.edit.setText("")
        flow.scan.wipe()
        _scan_into(qapp, qtbot, flow.rows[key].edit, flow)
        qtbot.waitUntil(lambda: _prefilled(flow), timeout=5_000)
        assert flow.rows["title"].value() == "" and flow.rows["wechat"].value() == ""
        assert _leftovers(kiosk, values=RAW) == [], key
        assert not flow.rows[key].edit.isUndoAvailable()
    # a person typing in the same field is left alone
    flow.rows["wechat"].edit.setFocus()
    type_paced(qapp, "wx_person", PERSON_MS)
    qtbot.waitUntil(lambda: flow.rows["wechat"].value() == "wx_person", timeout=5_000)


def test_a_scan_on_the_guardian_step_waits_for_the_details(unlocked, qapp, qtbot) -> None:
    shell = unlocked
    kiosk = start_kiosk(shell, qtbot)
    flow = kiosk.flow
    choose(qtbot, flow, "sales_contact", age="ageUnder14")
    assert flow.current() == "guardian"
    field = next(e for e in flow.guardian.findChildren(QLineEdit) if e.isVisible())
    _scan_into(qapp, qtbot, field, flow)
    assert field.text() == "" and _leftovers(flow.guardian, values=VALUES + RAW) == []
    assert flow.rows["name"].value() == ""  # the details are not on screen yet: held in memory
    flow.go("details")
    assert _prefilled(flow)


def test_a_scan_on_the_staff_assisted_page_prefills_from_any_field(unlocked, qapp, qtbot) -> None:
    shell = unlocked
    console = shell.window.console
    console.ask_on_duty(None)
    on_duty(qtbot, console, "WF")
    console.open_assisted()
    qtbot.waitUntil(lambda: console.assisted is not None and console.assisted.isVisible(), timeout=5_000)
    flow = console.assisted.flow
    assert flow.current() == "details" and flow.scan_bar is not None and flow.scan_bar.card_button.isVisible()
    question = next(k for k in flow.rows if k not in ("name", "company", "title", "phone", "email", "wechat"))
    for widget in (flow.rows["phone"].edit, flow.rows[question].edit, find(flow, QPlainTextEdit, "field_notes")):
        for row in flow.rows.values():
            row.edit.setText("")
        flow.scan.wipe()
        _scan_into(qapp, qtbot, widget, flow)
        qtbot.waitUntil(lambda: _prefilled(flow), timeout=5_000)
        assert _leftovers(console.assisted, values=RAW) == []
    assert find(flow, QPlainTextEdit, "field_notes").toPlainText() == ""
    # saved: the consent records the badge scan, and only what the ticked purposes need is kept
    click(qtbot, flow, "detailsContinue")
    assert flow.current() == "consent"
    tick(qtbot, flow, "newsletter")
    with qtbot.waitSignal(flow.saved, timeout=10_000) as saved:
        click(qtbot, flow, "consentSave")
    result = saved.args[0]
    record = shell.session.booth.record(result.lead_id)
    assert dict(record.lead.fields) == {"email": "kanarie7e2b@badge.example"}
    assert record.history[0].extra["source"] == "badge_scan"
    console.assisted.close()


def test_after_a_decline_a_timeout_and_a_lock_nothing_scanned_remains(unlocked, qapp, qtbot, passphrase) -> None:
    shell = unlocked
    path = Path(shell.session.booth.vault.path)
    kiosk = start_kiosk(shell, qtbot)
    flow = kiosk.flow
    # 1. scanned on the notice, then the attendee ticks nothing and declines
    notice_field = flow.notice
    notice_field.setFocus()
    _scan_into(qapp, qtbot, notice_field, flow)
    click(qtbot, flow, "noticeContinue")
    click(qtbot, flow, "purposesContinue")
    click(qtbot, flow, "separateContinue")
    with qtbot.waitSignal(flow.declined, timeout=10_000):
        click(qtbot, flow.confirm_decline, "declineConfirm")
    assert flow.scan.draft is None and _leftovers(kiosk) == []
    flow.finish()
    qtbot.waitUntil(lambda: flow.current() == "notice", timeout=5_000)
    # 2. scanned on the details, then the attendee walks away
    choose(qtbot, flow, "sales_contact")
    _scan_into(qapp, qtbot, flow.rows["name"].edit, flow)
    qtbot.waitUntil(lambda: _prefilled(flow), timeout=5_000)
    kiosk.attendee_gone()
    assert flow.scan.draft is None and _leftovers(kiosk) == []
    # 3. scanned on the details with the camera view open, then the booth locks
    choose(qtbot, flow, "sales_contact")
    _scan_into(qapp, qtbot, flow.rows["email"].edit, flow)
    qtbot.waitUntil(lambda: _prefilled(flow), timeout=5_000)
    view = flow.scan.open_camera()
    qtbot.waitUntil(view.isVisible, timeout=5_000)
    shell.session.lock("manual")
    qtbot.waitUntil(lambda: not shell.session.is_unlocked, timeout=10_000)
    assert view.camera is None and flow.scan.camera_view is None
    windows = [shell.window, kiosk, *[w for w in qapp.topLevelWidgets() if isinstance(w, QWidget)]]
    assert _leftovers(*windows) == []
    idle(shell, qtbot)
    needles = [v.encode() for v in VALUES + ["Kanarie7e2b", "kanarie7e2b", "4915177771234"]]
    plain = plaintext_copy(path, passphrase, path.parent / "plain.db")
    try:
        assert {t: h for t, blob in table_cells(plain).items() if (h := hits([blob], needles))} == {}
    finally:
        plain.unlink()
    assert hits(decrypted_pages(path, passphrase), needles) == {}


def test_the_camera_goes_off_when_the_booth_pauses(unlocked, qapp, qtbot) -> None:
    shell = unlocked
    kiosk = start_kiosk(shell, qtbot)
    flow = kiosk.flow
    choose(qtbot, flow, "sales_contact")
    view = flow.scan.open_camera()
    qtbot.waitUntil(view.isVisible, timeout=5_000)
    shell.session.pause("idle")
    qtbot.waitUntil(lambda: shell.session.is_paused, timeout=5_000)
    assert flow.scan.camera_view is None and view.camera is None and not view.isVisible()
