"""The OCR engine (RapidOCR on ONNX Runtime): the only module that imports them.

The models are the ONNX files the ``rapidocr`` wheel ships (PP-OCRv6 detection and recognition,
the PP-OCR text-direction classifier, Chinese and Latin in one model), named by path so the
engine never reaches for its download code: nothing is fetched at run time. The engine loads on
the first card (about a second) and is kept for the next; a photo is decoded in memory and never
written anywhere.

In a checkout the venv holds the engine. The installed app (Linux, Windows) ships without it
(OpenCV, ONNX Runtime, numpy and the models weigh more than the rest of the app): it comes as the
business-card reader add-on, a folder named ``consentbooth-ocr`` inside the app's folder (where
the .deb, the .tar.gz and the Windows installer put it) or beside it (``dist/`` after a build),
found here and put on the import path on first use. Without it, reading a card says so in one
sentence; everything else works. The macOS app carries the engine inside, as a checkout does.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from consentbooth.core.errors import UserFacingError

MAX_SIDE = 1600  # a phone photo of 4000 px is scaled down first: a card needs no more
DET_SIDE = 640  # the detector's input (longest side): fast on two cores, sharp enough for cards
MODELS = {
    "Det.model_path": "PP-OCRv6_det_small.onnx",
    "Rec.model_path": "PP-OCRv6_rec_small.onnx",
    "Cls.model_path": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
}

_engine: Any = None
_lock = threading.Lock()


ADDON = "consentbooth-ocr"  # the add-on's folder (packaging/addon.py makes it)


class CardPhotoRefused(UserFacingError):
    """A card photo that cannot be read; nothing was kept."""


class CardReaderMissing(CardPhotoRefused):
    """This installation has no business-card reader (the add-on is not installed)."""

    def __init__(self) -> None:
        super().__init__(
            "Business cards cannot be read here: the business-card reader add-on ({addon}) is not "
            "installed. Install it from the same place as ConsentBooth, or type the details.",
            addon=ADDON,
        )


def addon_folders() -> tuple[Path, ...]:
    """Where an installed (frozen) app looks for the add-on: inside its folder, then beside it."""
    app = Path(sys.executable).resolve().parent
    return (app / ADDON, app.parent / ADDON)


def _find_addon() -> None:
    if not getattr(sys, "frozen", False):
        return  # a checkout: the venv has the engine
    for folder in addon_folders():
        if (folder / "rapidocr").is_dir():
            if str(folder) not in sys.path:
                sys.dont_write_bytecode = True  # the add-on's folder stays as installed
                sys.path.append(str(folder))
            return


def installed() -> bool:
    """Whether cards can be read here (the engine importable; nothing heavy is loaded)."""
    _find_addon()
    return all(importlib.util.find_spec(name) is not None for name in ("rapidocr", "cv2", "numpy"))


def require() -> None:
    """Refuse with :class:`CardReaderMissing` when cards cannot be read here."""
    if not installed():
        raise CardReaderMissing()


@dataclass(frozen=True)
class TextLine:
    """One line of text the engine found, with its box (pixels) and confidence."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    score: float

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    def __repr__(self) -> str:  # card text is personal data
        return f"TextLine(<{len(self.text)} characters>, h={self.height:.0f})"


def models_dir() -> Path:
    require()
    import rapidocr

    return Path(rapidocr.__file__).resolve().parent / "models"


def engine() -> Any:
    """The engine, loaded once (thread-safe); only the bundled model files, never a download."""
    global _engine
    with _lock:
        if _engine is None:
            folder = models_dir()  # refuses first when the add-on is missing
            from rapidocr import RapidOCR

            params: dict[str, Any] = {key: str(folder / name) for key, name in MODELS.items()}
            missing = [name for name in MODELS.values() if not (folder / name).is_file()]
            if missing:
                raise CardPhotoRefused(
                    "The text-recognition models are missing from this installation ({files}); "
                    "reinstall ConsentBooth.", files=", ".join(missing),
                )
            params.update({
                "Global.log_level": "warning",
                "Global.use_cls": False,  # cards are photographed upright (5° is no problem)
                "Global.max_side_len": MAX_SIDE,
                "Det.limit_type": "max",
                "Det.limit_side_len": DET_SIDE,
                # one thread: the other core keeps the GUI (and the vault worker) responsive, and
                # on a busy 2-core laptop ONNX Runtime's threads only fight each other (measured:
                # 0.8 s a card with one, 1.4 s with two, while other work runs)
                "EngineConfig.onnxruntime.intra_op_num_threads": 1,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            })
            _engine = RapidOCR(params=params)
        return _engine


def _image(photo: bytes | Any) -> Any:
    require()
    import cv2
    import numpy

    if isinstance(photo, bytes | bytearray | memoryview):
        image = cv2.imdecode(numpy.frombuffer(photo, dtype=numpy.uint8), cv2.IMREAD_COLOR) if len(photo) else None
        if image is None:
            raise CardPhotoRefused("This file is not a photo this app can read (JPEG or PNG).")
    elif hasattr(photo, "convert"):  # a PIL image
        image = cv2.cvtColor(numpy.asarray(photo.convert("RGB")), cv2.COLOR_RGB2BGR)
    else:
        image = numpy.asarray(photo)
        if image.ndim == 2:
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        elif image.ndim != 3 or image.shape[2] not in (3, 4):
            raise CardPhotoRefused("This file is not a photo this app can read (JPEG or PNG).")
        elif image.shape[2] == 4:
            image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    height, width = image.shape[:2]
    if min(height, width) < 64:
        raise CardPhotoRefused("This photo is too small to read a card from; take it closer.")
    scale = MAX_SIDE / max(height, width)
    if scale < 1:
        image = cv2.resize(image, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
    return image


def read_text(photo: bytes | Any) -> list[TextLine]:
    """The lines of text in a photo (JPEG/PNG bytes in memory, a PIL image or a BGR array)."""
    image = _image(photo)
    result = engine()(image)
    lines = []
    for text, box, score in zip(result.txts or (), result.boxes if result.boxes is not None else (),
                                result.scores or (), strict=False):
        xs = [float(p[0]) for p in box]
        ys = [float(p[1]) for p in box]
        lines.append(TextLine(str(text), min(xs), min(ys), max(xs), max(ys), float(score)))
    return lines
