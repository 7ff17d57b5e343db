"""A business-card photo from a file, read into memory (never copied anywhere): "From a file" in
the camera view, and the card button itself when the badge camera add-on is not installed."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QWidget

from consentbooth.core.errors import UserFacingError
from consentbooth.core.i18n import _

MAX_PHOTO_BYTES = 32 * 1024 * 1024


def read_photo_file(path: str) -> bytes:
    """The file's bytes; one sentence (``UserFacingError``) when it cannot be read or is too large."""
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_PHOTO_BYTES + 1)
    except OSError as exc:
        raise UserFacingError("Cannot read {path}: {reason}", path=path, reason=exc.strerror or "") from exc
    if len(data) > MAX_PHOTO_BYTES:
        raise UserFacingError("This photo is too large (more than 32 MB).")
    return data


def choose_photo_file(parent: QWidget | None) -> bytes | None:
    """Ask for a photo of a business card; its bytes, or None when the person cancelled."""
    path, _filter = QFileDialog.getOpenFileName(
        parent, _("Open a photo of a business card"), "", _("Images (*.jpg *.jpeg *.png)")
    )
    return read_photo_file(path) if path else None
