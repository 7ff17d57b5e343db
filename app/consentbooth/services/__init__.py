"""Use cases: the single doorway for the GUI and the CLI.

The names below load on first use (PEP 562), so importing a light module of this package (e.g.
``services.startup``, which the GUI uses to start unlocking at once) does not import them all.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from consentbooth.services.booth import Booth, CaptureRequest, CaptureResult, PersonRecord

__all__ = ["Booth", "CaptureRequest", "CaptureResult", "PersonRecord"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(import_module("consentbooth.services.booth"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
