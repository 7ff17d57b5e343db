"""Booth setup after the first run: organisation, events, purposes, privacy notice and staff.

Opened from the console's "More…" menu. Each tab (one module each) saves on its own, through a
named operation (:mod:`consentbooth.ui.operations`) on the worker: the same functions and domain
rules as the first-run wizard, whose editors it reuses. After a change the session reloads its
snapshot (``Session.changed``), so the console and the next attendee (kiosk or staff-assisted) see
it. The privacy notice is never rewritten behind the staff's back: a change the notice mentions
raises a banner that leads to publishing a new version.
"""

from consentbooth.ui.console.boothsetup.dialog import BoothSetupDialog
from consentbooth.ui.console.boothsetup.section import Section

__all__ = ["BoothSetupDialog", "Section"]
