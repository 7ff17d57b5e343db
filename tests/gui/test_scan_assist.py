"""The scan assist a capture screen owns (issue #13), with the real session and vault: a wedge
scan, a camera code and a card photo become a draft in memory, fill the form, and tell the
capture where the details came from; a wipe drops everything, even a result still on its way."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLineEdit, QWidget

from tests.gui.gui_helpers import idle, texts_in
from tests.support.scanning import SCANNER_MS, type_paced

VCARD = ("BEGIN:VCARD\nVERSION:3.0\nN:张;伟;;;\nFN:张伟\nORG:上海示例科技有限公司\n"
         "TEL;TYPE=CELL:13800138000\nEMAIL:zw@example.cn\nEND:VCARD")


def _screen(shell, qtbot):
    from consentbooth.ui.scanning.assist import ScanAssist

    root = QWidget()
    form = QFormLayout(root)
    edits = {k: QLineEdit(objectName=k) for k in ("name", "company", "title", "phone", "email", "wechat")}
    for key, edit in edits.items():
        form.addRow(key, edit)
    qtbot.addWidget(root)
    assist = ScanAssist(shell.session, root)
    root.show()
    root.activateWindow()
    edits["name"].setFocus()
    qtbot.waitUntil(lambda: edits["name"].hasFocus())
    return root, edits, assist


def _with_bar(shell, qtbot):
    """``_screen`` with the scan row (camera and card buttons, its message) on it."""
    from consentbooth.ui.scanning.bar import ScanBar

    root, edits, assist = _screen(shell, qtbot)
    bar = ScanBar(assist, root)
    root.layout().addRow(bar)
    return root, edits, assist, bar


def _not_installed(monkeypatch, module: str) -> None:
    """As in an installed app without the add-on that brings ``module``: it cannot be found."""
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == module else real(name, *a))


def test_a_wedge_scan_fills_the_form_and_the_consent_names_its_source(unlocked, qapp, qtbot) -> None:
    shell = unlocked
    root, edits, assist = _screen(shell, qtbot)
    ready: list = []
    assist.draft_ready.connect(lambda: ready.append(True))
    type_paced(qapp, VCARD + "\n", SCANNER_MS)
    qtbot.waitUntil(lambda: bool(ready), timeout=10_000)
    assert all(e.text() == "" for e in edits.values())  # held until the flow shows it
    assert sorted(assist.fill(edits)) == ["company", "email", "name", "phone"]
    assert edits["name"].text() == "张伟" and edits["phone"].text() == "+8613800138000"
    assert not edits["name"].isUndoAvailable()
    edits["email"].setText("typed.over@example.cn")  # the attendee corrected it: not drafted
    values = {k: e.text() for k, e in edits.items()}
    extras = assist.capture_extras(values)
    assert extras["source"].value == "badge_scan" and extras["attendee_list"] is None
    assert extras["drafted"] == frozenset({"name", "company", "phone"})
    from consentbooth.services.capture import CaptureRequest

    result = []
    shell.session.call(
        lambda b: b.capture(CaptureRequest(fields=values, purposes=["newsletter"], **extras)), result.append
    )
    qtbot.waitUntil(lambda: bool(result), timeout=10_000)
    record = []
    shell.session.call(lambda b: b.record(result[0].lead_id), record.append)
    qtbot.waitUntil(lambda: bool(record), timeout=10_000)
    assert dict(record[0].lead.fields) == {"email": "typed.over@example.cn"}  # the rest was not needed
    console = shell.window.console  # the record says where the details came from
    console.detail.show_lead(result[0].lead_id)
    qtbot.waitUntil(lambda: console.detail.record is not None, timeout=10_000)
    from consentbooth.domain.vocabulary import SOURCES

    assert SOURCES.text("badge_scan") in console.detail.subheading.text()
    assist.wipe()
    assert assist.draft is None and assist.capture_extras(values) == {}


def test_a_code_that_is_no_badge_is_refused_and_nothing_is_held(unlocked, qapp, qtbot) -> None:
    shell = unlocked
    _root, edits, assist = _screen(shell, qtbot)
    refused: list = []
    assist.refused.connect(refused.append)
    type_paced(qapp, "hello world, not a badge\n", SCANNER_MS)
    qtbot.waitUntil(lambda: bool(refused), timeout=10_000)
    assert "not a badge" in str(refused[0]) and assist.draft is None
    assert all(e.text() == "" for e in edits.values())


def test_a_wipe_drops_a_result_still_on_its_way(unlocked, qapp, qtbot) -> None:
    shell = unlocked
    _root, _edits, assist = _screen(shell, qtbot)
    ready: list = []
    assist.draft_ready.connect(lambda: ready.append(True))
    assist.read_badge(VCARD.encode())
    assist.wipe()  # the next attendee came before the worker answered
    idle(shell, qtbot)
    assert ready == [] and assist.draft is None


def test_a_card_photo_is_read_reviewed_confirmed_and_then_forgotten(unlocked, qapp, qtbot) -> None:
    from tests.support.cards import cards

    shell = unlocked
    root, edits, assist = _screen(shell, qtbot)
    card = cards(limit=1)[0]
    ready: list = []
    assist.draft_ready.connect(lambda: ready.append(True))
    assist.read_card(card.photo)
    qtbot.waitUntil(lambda: assist.review is not None, timeout=60_000)
    review = assist.review
    assert review.edits["email"].text() == card.expected["email"]
    assert not review.apply_button.isEnabled()
    review.confirm_all.click()
    review.apply_button.click()
    qtbot.waitUntil(lambda: bool(ready), timeout=5_000)
    assert assist.draft.source.value == "business_card" and assist.review is None
    assist.fill(edits)
    assert edits["email"].text() == card.expected["email"]
    assist.wipe()
    for e in edits.values():
        e.setText("")
    assert not [t for t in texts_in(root) if card.expected["email"] in t]


def test_the_camera_view_opens_on_request_and_goes_with_a_wipe(unlocked, qapp, qtbot) -> None:
    shell = unlocked
    _root, _edits, assist = _screen(shell, qtbot)
    view = assist.open_camera()
    qtbot.waitUntil(lambda: view.isVisible(), timeout=5_000)
    assert assist.camera_view is view
    assist.wipe()
    assert assist.camera_view is None and view.camera is None


def test_the_scan_bar_says_why_a_code_was_refused(unlocked, qapp, qtbot) -> None:
    _root, _edits, assist, bar = _with_bar(unlocked, qtbot)
    assist.read_badge("CP25-00042")  # an id no list of this event knows
    qtbot.waitUntil(lambda: bar.message.isVisible(), timeout=10_000)
    assert "registration number" in bar.message.text() or "注册号" in bar.message.text()
    bar.camera_button.click()
    qtbot.waitUntil(lambda: assist.camera_view is not None and assist.camera_view.isVisible(), timeout=5_000)
    assist.wipe()
    bar.wipe()
    assert not bar.message.isVisible() and assist.camera_view is None


def test_without_the_card_reader_the_card_button_says_so_and_opens_no_camera(unlocked, qapp, qtbot,
                                                                             monkeypatch) -> None:
    """An installed app without the business-card reader add-on (the OCR engine not importable):
    one sentence naming the add-on beside the form, no camera, and badges still scan."""
    _not_installed(monkeypatch, "rapidocr")
    _root, _edits, assist, bar = _with_bar(unlocked, qtbot)
    bar.card_button.click()
    qtbot.waitUntil(lambda: bar.message.isVisible(), timeout=5_000)
    assert "consentbooth-ocr" in bar.message.text()
    assert assist.camera_view is None and assist.draft is None
    bar.camera_button.click()  # the badge camera is not the add-on's
    qtbot.waitUntil(lambda: assist.camera_view is not None and assist.camera_view.isVisible(), timeout=5_000)
    assist.wipe()


def test_without_the_camera_add_on_the_camera_says_so_a_card_comes_from_a_file_and_a_wedge_still_fills(
        unlocked, qapp, qtbot, monkeypatch, tmp_path) -> None:
    """An installed app without the badge camera add-on (Qt Multimedia not importable): the camera
    button gives one sentence naming the add-on and opens no dialog; the card button asks for a
    photo file instead (a file too large is one sentence), whose card is read and reviewed; and a
    handheld scanner's badge still fills the form."""
    from types import SimpleNamespace

    from PySide6.QtWidgets import QDialog

    from consentbooth.ui.scanning import photofile
    from tests.support.cards import cards

    _not_installed(monkeypatch, "PySide6.QtMultimedia")
    card = cards(limit=1)[0]
    big, photo = tmp_path / "huge.jpg", tmp_path / "名片.jpg"
    with big.open("wb") as f:
        f.truncate(photofile.MAX_PHOTO_BYTES + 1)
    photo.write_bytes(card.photo)
    chosen: list[str] = [str(big), str(photo)]
    asked: list[str] = []
    monkeypatch.setattr(photofile, "QFileDialog", SimpleNamespace(
        getOpenFileName=lambda parent, title, *a: (asked.append(title), (chosen.pop(0), ""))[1]))
    _root, edits, assist, bar = _with_bar(unlocked, qtbot)
    bar.camera_button.click()
    qtbot.waitUntil(lambda: bar.message.isVisible(), timeout=5_000)
    assert "consentbooth-camera" in bar.message.text()
    assert assist.camera_view is None and not asked
    assert not [w for w in qapp.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()]
    bar.wipe()
    bar.card_button.click()  # the huge file
    qtbot.waitUntil(lambda: bar.message.isVisible(), timeout=5_000)
    assert "32 MB" in bar.message.text() and len(asked) == 1 and assist.review is None
    bar.wipe()
    bar.card_button.click()  # the card's photo
    qtbot.waitUntil(lambda: assist.review is not None, timeout=60_000)
    assert len(asked) == 2 and assist.camera_view is None
    assert assist.review.edits["email"].text() == card.expected["email"]
    assist.wipe()
    assist.read_badge(VCARD)
    qtbot.waitUntil(lambda: assist.draft is not None, timeout=10_000)
    assert assist.fill(edits) and edits["name"].text() == "张伟"
