"""Scan to consent in the GUI (issue #13): the keyboard-wedge filter every capture screen uses,
the camera scan view and the business-card review. The camera (Qt Multimedia) and the OCR engine
load only when a person first opens them, never at start-up."""

from __future__ import annotations

import importlib.util

from consentbooth.core.errors import UserFacingError

CAMERA_ADDON = "consentbooth-camera"  # packaging/addon.py: Qt Multimedia and FFmpeg, over the app's folder


class CameraMissing(UserFacingError):
    """This installation has no camera support (the badge camera add-on is not installed)."""

    def __init__(self) -> None:
        super().__init__(
            "The camera cannot be used here: the badge camera add-on ({addon}) is not installed. Install "
            "it from the same place as ConsentBooth, or use a badge scanner or type the details.",
            addon=CAMERA_ADDON,
        )


def camera_installed() -> bool:
    """Whether Qt Multimedia is here: always in a checkout and the macOS app; in the Linux and
    Windows app only with the badge camera add-on. Nothing is loaded."""
    return importlib.util.find_spec("PySide6.QtMultimedia") is not None
