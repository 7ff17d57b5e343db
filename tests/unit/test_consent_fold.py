from __future__ import annotations

from datetime import UTC, datetime, timedelta

from consentbooth.domain.consent import fold_states, is_current_grant
from consentbooth.domain.models import Action, ConsentEvent, Decision

T0 = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)


def _event(i: str, action: Action, at: datetime, **decisions: Decision) -> ConsentEvent:
    return ConsentEvent(
        id=i, action=action, lead_id="L", event_id="E", decisions=decisions,
        purposes_shown=tuple(decisions), notice_version=1, notice_sha256="0" * 64, language="zh-CN",
        channel="kiosk", collection_method="kiosk", operator="WF", device_id="D", occurred_at=at,
        data_digest="d",
    )


def test_latest_event_wins_whatever_the_arrival_order() -> None:
    grant = _event("g", Action.CONSENT, T0, sales=Decision.GRANTED, news=Decision.NOT_GRANTED)
    withdraw = _event("w", Action.WITHDRAWAL, T0 + timedelta(days=2), sales=Decision.WITHDRAWN)
    for order in ([grant, withdraw], [withdraw, grant]):
        states = fold_states(order, lambda code: 365)
        assert states["sales"].state == "withdrawn" and states["sales"].ledger_id == "w"
        assert "news" not in states  # never granted: its evidence is the ledger alone


def test_withdrawal_wins_a_tie_and_a_later_grant_wins_again() -> None:
    grant = _event("g", Action.CONSENT, T0, sales=Decision.GRANTED)
    withdraw = _event("w", Action.WITHDRAWAL, T0, sales=Decision.WITHDRAWN)
    assert fold_states([withdraw, grant], lambda c: 365)["sales"].state == "withdrawn"
    regrant = _event("r", Action.CONSENT, T0 + timedelta(hours=1), sales=Decision.GRANTED)
    assert fold_states([regrant, withdraw, grant], lambda c: 365)["sales"].state == "granted"


def test_grants_expire_with_their_purpose_retention() -> None:
    grant = _event("g", Action.CONSENT, T0, sales=Decision.GRANTED, news=Decision.GRANTED)
    states = fold_states([grant], lambda code: 30 if code == "news" else 365)
    assert is_current_grant(states["news"], T0 + timedelta(days=29))
    assert not is_current_grant(states["news"], T0 + timedelta(days=31))
    assert is_current_grant(states["sales"], T0 + timedelta(days=31))
