"""Scan to consent, the GUI parts on their own (issue #13): the wedge filter on a real form, the
camera pipeline fed from generated images and a generated video through QMediaPlayer into the
view's own QVideoSink, the camera view without a camera, and the card review screen."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFormLayout, QLineEdit, QVBoxLayout, QWidget

from consentbooth.services.scans import decode_frame
from tests.gui.gui_helpers import texts_in
from tests.support.scanning import (
    PERSON_MS,
    SCANNER_MS,
    badge_scene,
    badge_video,
    qr_image,
    type_paced,
)

ROOT = Path(__file__).resolve().parents[2]
VCARD = "BEGIN:VCARD\nVERSION:3.0\nN:Schmidt;Emma;;;\nFN:Emma Schmidt\nTEL;TYPE=CELL:+49 151 12345678\nEND:VCARD"


@pytest.fixture
def form(qtbot):
    from consentbooth.ui.scanning.wedge import WedgeFilter

    window = QWidget()  # a window whose capture screen is ``root``, with a field beside it
    root = QWidget(window)
    layout = QFormLayout(root)
    edits = {k: QLineEdit(objectName=k) for k in ("name", "phone")}
    for key, edit in edits.items():
        layout.addRow(key, edit)
    outside = QLineEdit(objectName="outside")
    box = QVBoxLayout(window)
    box.addWidget(root)
    box.addWidget(outside)
    qtbot.addWidget(window)
    wedge = WedgeFilter(root)
    scans: list[str] = []
    wedge.scanned.connect(scans.append)
    window.show()
    window.activateWindow()
    edits["name"].setFocus()
    qtbot.waitUntil(lambda: edits["name"].hasFocus())
    yield root, edits, outside, wedge, scans
    window.close()


def test_a_scan_at_scanner_speed_is_one_scan_and_no_text(qapp, qtbot, form) -> None:
    root, edits, _outside, _wedge, scans = form
    type_paced(qapp, VCARD + "\n", SCANNER_MS)
    qtbot.waitUntil(lambda: bool(scans), timeout=2000)
    assert scans == [VCARD]
    assert edits["name"].text() == "" and not edits["name"].isUndoAvailable()
    assert all("BEGIN" not in t and "Emma" not in t for t in texts_in(root))


def test_a_person_typing_reaches_the_field_unchanged(qapp, qtbot, form) -> None:
    _root, edits, _outside, _wedge, scans = form
    type_paced(qapp, "Wang Fang", PERSON_MS)
    qtbot.waitUntil(lambda: edits["name"].text() == "Wang Fang", timeout=3000)
    assert scans == []


def test_tab_after_held_keys_types_them_first(qapp, qtbot, form) -> None:
    from PySide6.QtCore import Qt

    _root, edits, _outside, _wedge, scans = form
    type_paced(qapp, "ab", PERSON_MS)
    qtbot.keyClick(edits["name"], Qt.Key.Key_Tab)  # arrives while "b" may still be held
    qtbot.waitUntil(lambda: edits["phone"].hasFocus(), timeout=2000)
    assert edits["name"].text() == "ab" and scans == []


def test_keys_for_another_widget_are_left_alone(qapp, qtbot, form) -> None:
    _root, _edits, outside, _wedge, scans = form
    outside.setFocus()
    qtbot.waitUntil(lambda: outside.hasFocus())
    type_paced(qapp, "A1234567\n", SCANNER_MS)
    qtbot.waitUntil(lambda: outside.text() == "A1234567", timeout=2000)
    assert scans == []


def test_a_deleted_screen_takes_its_filter_out_of_the_application(qapp, qtbot, form) -> None:
    """The screen goes (deleted, as a closed dialog is): its filter goes with it and leaves the
    application's event filters, so keys typed elsewhere afterwards reach their field, no Python
    filter runs on a deleted object, and nothing is reported as a scan."""
    import shiboken6
    from PySide6.QtCore import QCoreApplication, QEvent

    root, _edits, outside, wedge, scans = form
    root.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not shiboken6.isValid(root) and not shiboken6.isValid(wedge)
    outside.setFocus()
    qtbot.waitUntil(lambda: outside.hasFocus())
    type_paced(qapp, "A1234567\n", SCANNER_MS)
    qtbot.waitUntil(lambda: outside.text() == "A1234567", timeout=2000)
    assert scans == []


# -- the camera pipeline, without a camera --------------------------------------------------------

def test_frames_from_generated_images_decode_to_the_payload(qapp) -> None:
    from PySide6.QtMultimedia import QVideoFrame

    from consentbooth.scanning.barcodes import LumaFrame
    from consentbooth.ui.scanning.frames import luma_frame, luma_image

    pixels = badge_scene(VCARD)
    assert [c.text for c in decode_frame(LumaFrame(pixels.tobytes(), 1280, 720, 1280))] == [VCARD]
    image = QImage(pixels.tobytes(), 1280, 720, 1280, QImage.Format.Format_Grayscale8).copy()
    assert [c.text for c in decode_frame(luma_image(image))] == [VCARD]
    rgb = image.convertToFormat(QImage.Format.Format_RGB32)
    assert [c.text for c in decode_frame(luma_frame(QVideoFrame(rgb)))] == [VCARD]
    padded = bytes(b for row in pixels for b in (*row.tobytes(), 0, 0, 0, 0))  # a stride of 1284
    assert [c.text for c in decode_frame(LumaFrame(padded, 1280, 720, 1284))] == [VCARD]
    # a mapping whose last row stops at its pixels (no padding after it)
    assert [c.text for c in decode_frame(LumaFrame(memoryview(padded)[:-4], 1280, 720, 1284))] == [VCARD]
    assert decode_frame(LumaFrame(padded[:-5], 1280, 720, 1284)) == []  # a pixel short
    chinese = "MECARD:N:张,伟;TEL:13800138000;EMAIL:zw@example.cn;;"
    assert decode_frame(luma_image(_qimage(qr_image(chinese))))[0].text == chinese
    assert decode_frame(LumaFrame(b"\x80" * 1280 * 720, 1280, 720, 1280)) == []
    assert decode_frame(LumaFrame(b"short", 1280, 720, 1280)) == []


def _qimage(pil) -> QImage:
    data = pil.tobytes()
    return QImage(data, pil.width, pil.height, pil.width, QImage.Format.Format_Grayscale8).copy()


def test_a_generated_video_through_qmediaplayer_into_the_views_sink_is_scanned(qapp, qtbot, tmp_path: Path) -> None:
    from PySide6.QtMultimedia import QMediaPlayer

    from consentbooth.ui.scanning.camera import CameraScanView

    payload = "https://reg.example.com/v?id=CP25-00042&name=Emma%20Schmidt"
    video = badge_video(tmp_path / "badge.avi", payload)
    view = CameraScanView()
    qtbot.addWidget(view)
    scanned: list = []
    view.scanned.connect(scanned.append)
    player = QMediaPlayer()
    player.setVideoSink(view.sink)  # the sink the camera's capture session delivers into
    player.setSource(QUrl.fromLocalFile(str(video)))
    player.play()
    qtbot.waitUntil(lambda: bool(scanned), timeout=15_000)
    player.stop()
    assert [c.text for c in scanned] == [payload] and scanned[0].format == "QRCode"
    assert view.scanner.decoded_frames >= 1
    assert "CP25" not in repr(scanned[0])
    view.close()


def test_without_a_camera_the_view_says_so_and_holds_none(qapp, qtbot) -> None:
    from consentbooth.ui.scanning.camera import CameraScanView

    view = CameraScanView()
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.message.isVisible(), timeout=3000)
    assert "No camera was found" in view.message.text() or "未找到摄像头" in view.message.text()
    assert view.camera is None and not view.camera_active


def test_a_denied_permission_is_a_clear_sentence(qapp, qtbot, monkeypatch) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from consentbooth.ui.scanning.camera import CameraScanView

    monkeypatch.setattr(QApplication, "checkPermission", lambda _self, _p: Qt.PermissionStatus.Denied)
    view = CameraScanView()
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.message.isVisible(), timeout=3000)
    assert "privacy settings" in view.message.text() or "隐私设置" in view.message.text()
    assert view.camera is None


def test_the_camera_is_released_when_the_view_hides_or_closes(qapp, qtbot) -> None:
    from PySide6.QtMultimedia import QCamera

    from consentbooth.ui.scanning.camera import CameraScanView

    view = CameraScanView()
    qtbot.addWidget(view)
    view.show()
    for leave in (view.hide, view.close, view.release):
        view.camera = QCamera(view)  # what _open_camera holds while a camera runs
        view.session.setCamera(view.camera)
        leave()
        assert view.camera is None and view.session.camera() is None
        view.show()
    view._camera_error(QCamera.Error.CameraError, "device busy")
    assert "device busy" in view.message.text()


def test_the_camera_and_ocr_are_not_loaded_at_start_up() -> None:
    code = ("import sys; import consentbooth.ui.app, consentbooth.ui.shell, consentbooth.ui.kiosk.flow;"
            "bad = [m for m in ('PySide6.QtMultimedia', 'rapidocr', 'onnxruntime', 'cv2', "
            "'consentbooth.ui.scanning.camera', 'vobject') if m in sys.modules]; print(bad)")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


# -- the card review screen --------------------------------------------------------------------------

def test_staff_confirm_every_field_and_the_photo_goes_with_the_values(qapp, qtbot) -> None:
    from consentbooth.ui.scanning.review import CardReview
    from tests.support.cards import cards

    card = cards(limit=1)[0]
    review = CardReview()
    qtbot.addWidget(review)
    review.show()
    got: list[dict] = []
    review.confirmed.connect(got.append)
    fields = dict(card.expected)
    review.show_card(card.photo, fields, {"phone": ("+862155550100",)})
    assert review.photo.pixmap() is not None and not review.photo.pixmap().isNull()
    assert not review.apply_button.isEnabled()  # nothing confirmed yet
    for key in ("name", "company", "title", "phone", "email"):
        review.checks[key].setChecked(True)
    assert not review.apply_button.isEnabled()  # the WeChat id is still unconfirmed
    review.edits["wechat"].setText("")  # staff clear it: it is not used
    review._edited("wechat")
    assert review.apply_button.isEnabled()
    review.choices["phone"].setCurrentIndex(1)
    review._choose("phone")
    review.apply_button.click()
    assert got == [{k: v for k, v in fields.items() if k != "wechat"} | {"phone": "+862155550100"}]
    assert review.photo.pixmap() is None or review.photo.pixmap().isNull()
    left = [t for t in texts_in(review) if t and any(v in t for v in fields.values())]
    assert left == []


def test_discard_wipes_the_card(qapp, qtbot) -> None:
    from consentbooth.ui.scanning.review import CardReview

    review = CardReview()
    qtbot.addWidget(review)
    cancelled: list = []
    review.cancelled.connect(lambda: cancelled.append(True))
    review.show_card(b"not an image", {"name": "张伟", "email": "zw@example.cn"})
    review.cancel_button.click()
    assert cancelled and review.values() == {}
    assert not [t for t in texts_in(review) if "张伟" in t or "zw@" in t]

