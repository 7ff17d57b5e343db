"""The attendee flow's steps, one module each; :class:`Step` is what they share."""

from consentbooth.ui.kiosk.steps.base import Step

__all__ = ["Step"]
