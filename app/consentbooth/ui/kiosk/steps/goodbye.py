"""A polite goodbye with nothing stored: the attendee declined everything, or is under 14 alone."""

from __future__ import annotations

from consentbooth.ui.kiosk.steps.base import Flow, Step
from consentbooth.ui.widgets.common import N_, label


class GoodbyeStep(Step):
    def __init__(self, flow: Flow, name: str, *, title: str, subtitle: str, button: str) -> None:
        super().__init__(flow, name, scroll=False, title=title, subtitle=subtitle)
        self.body.addStretch(1)
        self.countdown = label(name="muted")
        self.body.addWidget(self.countdown)
        self.nav("Next attendee", flow.finish, name=button, role="primary", last=True)


def declined(flow: Flow) -> GoodbyeStep:
    return GoodbyeStep(
        flow, "declined", button="nextAttendeeDeclined",
        title=N_("Thank you for stopping by!"),
        subtitle=N_("You chose not to share any details — that is perfectly fine. Nothing about you was "
                 "stored. Please take a brochure and enjoy the demo."),
    )


def refused(flow: Flow) -> GoodbyeStep:
    return GoodbyeStep(
        flow, "refused", button="nextAttendeeRefused",
        title=N_("Thank you for your interest!"),
        subtitle=N_("We cannot record the details of anyone under 14 without a parent's or guardian's "
                 "consent, so nothing about you was stored. You are very welcome to take a brochure "
                 "and watch the demo."),
    )
