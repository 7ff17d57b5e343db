"""Reading what the vault holds: search, a person's whole record, the day's figures, the ledger."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from consentbooth.domain.models import ConsentEvent, Decision, Event, Lead
from consentbooth.services import evidence
from consentbooth.services.context import BoothContext
from consentbooth.services.rights import lead
from consentbooth.vault import ledger, repo
from consentbooth.vault.search import LeadSummary


@dataclass(frozen=True, kw_only=True)
class PurposeState:
    code: str
    state: str  # granted / not_granted / withdrawn / expired
    since: str
    expires_at: str | None


@dataclass(frozen=True, kw_only=True)
class PersonRecord:
    lead: Lead
    event: Event | None
    states: tuple[PurposeState, ...]
    history: tuple[ConsentEvent, ...]
    ledger_ids: tuple[str, ...] = field(default=())

    def granted(self) -> tuple[str, ...]:
        return tuple(s.code for s in self.states if s.state == Decision.GRANTED.value)


@dataclass(frozen=True, kw_only=True)
class DashboardStats:
    per_hour: tuple[int, ...]  # 24 local hours of the day
    shown: Mapping[str, int]  # purpose -> times offered that day
    granted: Mapping[str, int]  # purpose -> times ticked that day
    declined: int  # anonymous declines (all days)
    minor_refused: int
    total: int  # leads in the vault

    @property
    def today(self) -> int:
        return sum(self.per_hour)


def search(ctx: BoothContext, query: str = "", *, limit: int = 200, offset: int = 0) -> list[LeadSummary]:
    return ctx.hub.search(query, limit=limit, offset=offset)


def count(ctx: BoothContext, query: str = "") -> int:
    return ctx.hub.count(query)


def record(ctx: BoothContext, lead_id: str) -> PersonRecord:
    """Everything held about a person: details, current consent per purpose, history."""
    person = lead(ctx, lead_id)
    states = {
        c: PurposeState(code=c, state=s[0], since=s[1], expires_at=s[2])
        for c, s in ctx.hub.consent_states(person.id).items()
    }
    entries = ctx.hub.ledger_entries(lead_id=person.id)
    for entry in entries:  # purposes shown but never granted
        for code, decision in entry.event.decisions.items():
            if code not in states and decision is Decision.NOT_GRANTED:
                since = entry.event.occurred_at.astimezone(UTC).isoformat()
                states[code] = PurposeState(code=code, state=decision.value, since=since, expires_at=None)
    return PersonRecord(
        lead=person,
        event=ctx.hub.get_event(person.event_id),
        states=tuple(states[c] for c in sorted(states)),
        history=tuple(e.event for e in entries),
        ledger_ids=tuple(e.id for e in entries),
    )


def verify_ledger(ctx: BoothContext) -> ledger.LedgerReport:
    """The ledger's chains, every person's details against it, every reference into it."""
    return evidence.verify_ledger(ctx)


def anonymous_counts(ctx: BoothContext, event_id: str | None = None) -> dict[str, int]:
    return repo.anonymous_counts(ctx.vault, event_id)


def dashboard_stats(ctx: BoothContext, *, event_id: str | None = None, day: date | None = None) -> DashboardStats:
    """Leads per local hour of ``day`` and the consent rate per purpose, computed in SQL."""
    day = day or date.today()
    start = datetime(day.year, day.month, day.day).astimezone()
    end = start + timedelta(days=1)
    per_hour = [0] * 24
    since = start.astimezone(UTC).strftime("%Y-%m-%dT%H:00Z")
    for bucket, n in repo.captured_per_utc_hour(ctx.vault, event_id=event_id, since_utc=since).items():
        local = datetime.strptime(bucket, "%Y-%m-%dT%H:00Z").replace(tzinfo=UTC).astimezone()
        if start <= local < end:
            per_hour[local.hour] += n
    shown: dict[str, int] = {}
    granted: dict[str, int] = {}
    for code, decision, n in repo.decisions_at_capture(
        ctx.vault, event_id=event_id, since=start.isoformat(), until=end.isoformat()
    ):
        shown[code] = shown.get(code, 0) + n
        if decision == Decision.GRANTED.value:
            granted[code] = granted.get(code, 0) + n
    counts = anonymous_counts(ctx, event_id)
    return DashboardStats(
        per_hour=tuple(per_hour), shown=shown, granted=granted,
        declined=counts.get("declined", 0), minor_refused=counts.get("minor_refused", 0),
        total=count(ctx),
    )
