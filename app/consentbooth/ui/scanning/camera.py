"""The camera scan view: hold a badge's code (QR, PDF417, Code 128, Data Matrix, Aztec) up to the
laptop's camera, or photograph a business card.

Loaded only when a person first opens it (Qt Multimedia is not part of start-up). The camera is
asked for (the system's permission where there is one), runs only while the view is on screen,
and is released when the view is hidden or closed, and by :meth:`CameraScanView.release`, which
the booth calls on lock and pause. Frames go through a ``QVideoSink`` into a
:class:`~consentbooth.ui.scanning.frames.FrameScanner` (decoding on its own worker thread). A card
photo is taken from the latest frame or read from a file into memory, never written anywhere.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QIODevice, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtMultimedia import QCamera, QMediaCaptureSession, QMediaDevices, QMediaFormat, QVideoSink
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QVBoxLayout, QWidget

from consentbooth.core.errors import UserFacingError
from consentbooth.core.i18n import _
from consentbooth.core.logging import get_logger
from consentbooth.ui.scanning.frames import FrameScanner
from consentbooth.ui.scanning.photofile import choose_photo_file
from consentbooth.ui.widgets.common import N_, MessageLabel, Texts, button, label

log = get_logger(__name__)

BADGE, CARD = "badge", "card"
NO_CAMERA = N_("No camera was found on this laptop. Use a badge scanner, or type the details.")
DENIED = N_("ConsentBooth may not use the camera. Allow it in the system's privacy settings "
            "(Camera), then open this view again.")
FAILED = N_("The camera could not be started: {reason}. Choose another camera, or use a badge scanner.")


def media_backend_loaded() -> bool:
    """Whether Qt Multimedia found its backend plugin (FFmpeg) and the libraries it links; without
    it no camera ever shows, however many are plugged in (``consentbooth --self-check``)."""
    _app = QCoreApplication.instance() or QCoreApplication([])  # the backend wants an application
    return bool(QMediaFormat().supportedFileFormats(QMediaFormat.ConversionMode.Decode))


class FramePreview(QWidget):
    """The latest camera frame, scaled to fit, with a frame where to hold the code."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cameraPreview")
        self.setMinimumSize(480, 300)
        self._image = QImage()
        self.hint = ""

    def show_image(self, image: QImage) -> None:
        self._image = image
        self.update()

    def clear(self) -> None:
        self._image = QImage()
        self.update()

    def image(self) -> QImage:
        return self._image

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#1b2430"))
        if not self._image.isNull():
            scaled = self._image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            x = (self.width() - scaled.width()) / 2
            y = (self.height() - scaled.height()) / 2
            painter.drawImage(QRectF(x, y, scaled.width(), scaled.height()), self._image)
        side = min(self.width(), self.height()) * 0.55
        target = QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)
        painter.setPen(QPen(QColor("#f2a900"), 3))
        painter.drawRoundedRect(target, 12, 12)
        if self.hint:
            painter.setPen(QColor("white"))
            painter.drawText(self.rect().adjusted(12, 0, -12, -12),
                             Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap,
                             self.hint)
        painter.end()


class CameraScanView(QWidget):
    """``scanned(Code)`` for each badge code read; ``photo_taken(bytes)`` for a card photo (JPEG
    bytes in memory); ``closed()`` when staff close the view."""

    scanned = Signal(object)
    photo_taken = Signal(bytes)
    closed = Signal()

    def __init__(self, parent: QWidget | None = None, *, mode: str = BADGE) -> None:
        super().__init__(parent)
        self.setObjectName("cameraScanView")
        self.mode = mode
        self.texts = Texts()
        self.camera: QCamera | None = None
        self.sink = QVideoSink(self)
        self.session = QMediaCaptureSession(self)
        self.session.setVideoSink(self.sink)
        self.scanner = FrameScanner(self.sink, self)
        self.scanner.found.connect(self._found)
        self.devices = QMediaDevices(self)
        self.devices.videoInputsChanged.connect(self._fill_picker)

        self.title = label(name="title")
        self.picker = QComboBox()
        self.picker.setObjectName("cameraPicker")
        self.picker.activated.connect(lambda _i: self._restart())
        self.preview = FramePreview()
        self.scanner.frame_shown.connect(self.preview.show_image)
        self.message = MessageLabel(name="error", reserve=2)
        self.take = button(role="primary", slot=self._take_photo)
        self.open_file = button(slot=self._open_file)
        self.close_button = button(slot=self._close)
        self.picker_label = label(wrap=False)

        row = QHBoxLayout()
        row.addWidget(self.picker_label)
        row.addWidget(self.picker, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.close_button)
        buttons.addStretch(1)
        buttons.addWidget(self.open_file)
        buttons.addWidget(self.take)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(row)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.take.setVisible(mode == CARD)
        self.open_file.setVisible(mode == CARD)
        self.texts.bind(self.title.setText, N_("Scan a badge") if mode == BADGE else N_("Photograph a business card"))
        self.texts.bind(self.picker_label.setText, "Camera:")
        self.texts.bind(self.take.setText, "Take photo")
        self.texts.bind(self.open_file.setText, "Open image file…")
        self.texts.bind(self.close_button.setText, "Close")
        self._hint()
        self._fill_picker()

    # -- language ---------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.texts.apply()
        self.message.retranslate()
        self._hint()

    def _hint(self) -> None:
        self.preview.hint = (_("Hold the badge's code inside the frame") if self.mode == BADGE
                             else _("Lay the card flat, fill the frame, then take the photo"))
        self.preview.update()

    # -- the camera -------------------------------------------------------------------------------

    def _fill_picker(self) -> None:
        chosen = self.picker.currentData()
        self.picker.clear()
        for device in QMediaDevices.videoInputs():
            self.picker.addItem(device.description(), device.id())
        index = self.picker.findData(chosen) if chosen is not None else -1
        default = QMediaDevices.defaultVideoInput()
        if index < 0 and not default.isNull():
            index = self.picker.findData(default.id())
        self.picker.setCurrentIndex(max(index, 0) if self.picker.count() else -1)
        self.picker.setEnabled(self.picker.count() > 1)

    def start(self) -> None:
        """Ask for the camera (permission first) and start it; a clear message if none can be had."""
        from PySide6.QtCore import QCameraPermission, QCoreApplication

        app = QCoreApplication.instance()
        permission = QCameraPermission()
        status = app.checkPermission(permission) if app is not None else Qt.PermissionStatus.Granted
        if status == Qt.PermissionStatus.Denied:
            self._no_camera(DENIED)
            return
        if status == Qt.PermissionStatus.Undetermined and app is not None:
            app.requestPermission(permission, self, self._permission_answered)
            return
        self._open_camera()

    def _permission_answered(self, permission) -> None:
        if permission.status() == Qt.PermissionStatus.Granted and self.isVisible():
            self._open_camera()
        elif permission.status() != Qt.PermissionStatus.Granted:
            self._no_camera(DENIED)

    def _open_camera(self) -> None:
        self.release()
        if not QMediaDevices.videoInputs():
            self._no_camera(NO_CAMERA)
            return
        device_id = self.picker.currentData()
        device = next((d for d in QMediaDevices.videoInputs() if d.id() == device_id),
                      QMediaDevices.defaultVideoInput())
        self.camera = QCamera(device, self)
        self.camera.errorOccurred.connect(self._camera_error)
        self.session.setCamera(self.camera)
        self.message.clear_message()
        self.camera.start()
        log.info("camera started")

    def _camera_error(self, error, reason: str) -> None:
        if error == QCamera.Error.NoError:
            return
        self.release()
        self.message.say(FAILED, reason=reason or _("unknown error"))

    def _no_camera(self, msgid: str) -> None:
        self.release()
        self.message.say(msgid)
        self.take.setEnabled(False)

    def _restart(self) -> None:
        if self.isVisible():
            self._open_camera()

    @property
    def camera_active(self) -> bool:
        return self.camera is not None and self.camera.isActive()

    def release(self) -> None:
        """Stop and let go of the camera (its light goes off); the last frame is forgotten."""
        camera, self.camera = self.camera, None
        if camera is not None:
            camera.stop()
            self.session.setCamera(None)
            camera.deleteLater()
            log.info("camera released")
        self.preview.clear()
        self.scanner.forget()
        self.take.setEnabled(True)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.start()

    def hideEvent(self, event) -> None:
        self.release()
        super().hideEvent(event)

    def closeEvent(self, event) -> None:
        self.release()
        self.scanner.stop()
        super().closeEvent(event)

    # -- what it yields -----------------------------------------------------------------------------

    def _found(self, code) -> None:
        if self.mode == BADGE:
            self.scanned.emit(code)

    def _take_photo(self) -> None:
        image = self.preview.image()
        if image.isNull():
            self.message.say("There is no picture yet: point the camera at the card first.")
            return
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "JPEG", 90)  # in memory only
        buffer.close()
        self.photo_taken.emit(bytes(data.data()))

    def _open_file(self) -> None:
        try:
            data = choose_photo_file(self)
        except UserFacingError as exc:
            self.message.refuse(exc)
            return
        if data is not None:
            self.photo_taken.emit(data)

    def _close(self) -> None:
        self.release()
        self.closed.emit()
