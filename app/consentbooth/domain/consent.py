"""The current consent of a person, folded from their ledger events. One rule, used everywhere.

Events apply in time order; at equal times a withdrawal (or erasure, or expiry) wins over a
grant, so a withdrawal recorded anywhere (laptop or hub) is never undone by an older grant
arriving later in a merge.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from consentbooth.domain.models import Action, ConsentEvent, Decision, Event, Purpose


@dataclass(frozen=True)
class CurrentState:
    purpose: str
    state: str  # Decision value: granted / withdrawn / expired
    since: str  # ISO 8601, UTC
    expires_at: str | None
    ledger_id: str


_PRIORITY = {
    Action.CONSENT: 0, Action.CORRECTION: 0, Action.WITHDRAWAL: 1, Action.EXPIRY: 1, Action.ERASURE: 2,
    Action.REQUEST_OPENED: 0, Action.REQUEST_CLOSED: 0,
}


def fold_states(
    events: Iterable[ConsentEvent], retention_days: Callable[[str], int]
) -> dict[str, CurrentState]:
    """Current state per purpose; ``retention_days(code)`` gives a grant's lifetime in days.

    Purposes that were shown and never granted have no entry (their evidence is the ledger).
    """
    ordered = sorted(events, key=lambda e: (e.occurred_at.astimezone(UTC), _PRIORITY[e.action]))
    states: dict[str, CurrentState] = {}
    for event in ordered:
        since = event.occurred_at.astimezone(UTC)
        for code, decision in event.decisions.items():
            if decision is Decision.GRANTED:
                expires = since + timedelta(days=retention_days(code))
                states[code] = CurrentState(code, decision.value, since.isoformat(), expires.isoformat(), event.id)
            elif decision in (Decision.WITHDRAWN, Decision.EXPIRED) and code in states:
                states[code] = CurrentState(code, decision.value, since.isoformat(), None, event.id)
    return states


def is_current_grant(state: CurrentState, now: datetime) -> bool:
    if state.state != Decision.GRANTED.value:
        return False
    return state.expires_at is None or datetime.fromisoformat(state.expires_at) > now


def retention_rule(purposes: Mapping[str, Purpose], event: Event | None) -> Callable[[str], int]:
    """How long a grant lasts (days) for a person captured at ``event``: the purpose's own
    period, else the event's, else a year. One rule for every hub."""

    def days(code: str) -> int:
        purpose = purposes.get(code)
        if purpose and purpose.retention_days:
            return purpose.retention_days
        return event.retention_days if event else 365

    return days


def fold_person(
    history: Sequence[ConsentEvent], purposes: Mapping[str, Purpose], events: Mapping[str, Event]
) -> dict[str, CurrentState]:
    """A person's current state per purpose from every ledger event about them (any device),
    in ledger order; the retention of the event they were captured at (their first event's)."""
    if not history:
        return {}
    return fold_states(history, retention_rule(purposes, events.get(history[0].event_id)))


# How a hub takes a lead row from a bundle (the same for every hub):
INSERT, INSERT_WITHOUT_DETAILS, ERASE, UPDATE_DETAILS, KEEP = (
    "insert", "insert_without_details", "erase", "update_details", "keep",
)


def lead_merge_action(*, held: bool, held_erased: bool, bundle_erased: bool, take_details: bool,
                      same_details: bool) -> str:
    """A new person is inserted (with details only when admission vouched for them); a person
    erased at the hub never gets details back; an erasure in the bundle erases; vouched-for
    details that differ replace the hub's."""
    if not held:
        return INSERT if take_details or bundle_erased else INSERT_WITHOUT_DETAILS
    if held_erased:
        return KEEP
    if bundle_erased:
        return ERASE
    if take_details and not same_details:
        return UPDATE_DETAILS
    return KEEP
