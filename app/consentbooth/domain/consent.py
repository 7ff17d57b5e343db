"""The current consent of a person, folded from their ledger events. One rule, used everywhere.

Events apply in time order; at equal times a withdrawal (or erasure, or expiry) wins over a
grant, so a withdrawal recorded anywhere (laptop or hub) is never undone by an older grant
arriving later in a merge.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from consentbooth.domain.models import Action, ConsentEvent, Decision


@dataclass(frozen=True)
class CurrentState:
    purpose: str
    state: str  # Decision value: granted / withdrawn / expired
    since: str  # ISO 8601, UTC
    expires_at: str | None
    ledger_id: str


_PRIORITY = {
    Action.CONSENT: 0, Action.CORRECTION: 0, Action.WITHDRAWAL: 1, Action.EXPIRY: 1, Action.ERASURE: 2,
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
