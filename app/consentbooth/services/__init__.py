"""Use cases: the single doorway for the GUI and the CLI."""

from consentbooth.services.booth import Booth, CaptureRequest, CaptureResult, PersonRecord

__all__ = ["Booth", "CaptureRequest", "CaptureResult", "PersonRecord"]
