"""Who staffs the booth: the shared staff PIN behind a lockout, and who is on duty.

The staff PIN (set up with the booth, :mod:`consentbooth.services.configuration`) lets staff leave
kiosk mode and resume a paused booth. Four digits are quick to guess by trying, so every try goes
through :func:`try_staff_pin`: after ``PIN_FREE_TRIES`` wrong PINs in a row each further try must
wait, and the wait doubles with every wrong PIN (30 s, 60 s, 2 min … up to 15 min). A paused booth
goes further and closes its vault once the tries are used up (``PinCheck.exhausted``), as
Bitwarden's "unlock with PIN" and KeePassXC's quick unlock fall back to the master password.

The count lives with the unlocked vault (in memory, like the key it guards): closing the vault
forgets it, and opening the vault again needs the passphrase.
"""

from __future__ import annotations

import math
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from consentbooth.core.errors import ValidationError
from consentbooth.core.logging import get_logger
from consentbooth.services import configuration
from consentbooth.services.context import BoothContext
from consentbooth.vault.repo import StaffMember

log = get_logger(__name__)

PIN_FREE_TRIES = 5
PIN_FIRST_WAIT_S = 30
PIN_MAX_WAIT_S = 900


@dataclass(frozen=True, kw_only=True)
class PinCheck:
    """The outcome of a PIN try (or, from :func:`pin_status`, where the count stands)."""

    ok: bool
    failures: int  # wrong PINs in a row (0 after a right one)
    wait_s: int  # seconds before another try is checked (0: now)
    checked: bool = True  # False: refused unchecked, the wait was not over

    @property
    def exhausted(self) -> bool:
        """``PIN_FREE_TRIES`` wrong PINs in a row: a paused booth closes its vault."""
        return self.failures >= PIN_FREE_TRIES

    @property
    def tries_left(self) -> int:
        """Wrong PINs still allowed before the lockout."""
        return max(0, PIN_FREE_TRIES - self.failures)


def pin_wait(failures: int) -> int:
    """Seconds to wait after ``failures`` wrong PINs in a row: none for the first
    ``PIN_FREE_TRIES - 1``, then 30 s, doubling with each further wrong PIN, at most 15 min."""
    if failures < PIN_FREE_TRIES:
        return 0
    return min(PIN_MAX_WAIT_S, PIN_FIRST_WAIT_S * 2 ** (failures - PIN_FREE_TRIES))


@dataclass
class _PinState:
    failures: int = 0
    blocked_until: float = 0.0


_states: weakref.WeakKeyDictionary[BoothContext, _PinState] = weakref.WeakKeyDictionary()


def _state(ctx: BoothContext) -> _PinState:
    state = _states.get(ctx)
    if state is None:
        state = _states[ctx] = _PinState()
    return state


def _status(state: _PinState, now: float, *, ok: bool = False, checked: bool = True) -> PinCheck:
    # Whole seconds, rounded up; the millisecond rounding first keeps float noise
    # (1000.003 + 30 - 1000.003 = 30.000000000000227) from showing 31 s for a 30 s wait.
    wait = max(0, math.ceil(round(state.blocked_until - now, 3)))
    return PinCheck(ok=ok, failures=state.failures, wait_s=wait, checked=checked)


def pin_status(ctx: BoothContext, *, clock: Callable[[], float] = time.monotonic) -> PinCheck:
    """Where the count of wrong PINs stands, without a try (a PIN screen shows the wait)."""
    return _status(_state(ctx), clock())


def try_staff_pin(ctx: BoothContext, pin: str, *, clock: Callable[[], float] = time.monotonic) -> PinCheck:
    """Check ``pin`` unless a wait is running (then it is refused unchecked); count a wrong one."""
    state = _state(ctx)
    now = clock()
    if now < state.blocked_until:
        return _status(state, now, checked=False)
    if configuration.check_staff_pin(ctx, pin):
        state.failures, state.blocked_until = 0, 0.0
        return _status(state, now, ok=True)
    state.failures += 1
    state.blocked_until = now + pin_wait(state.failures)
    log.info("wrong staff PIN (%d in a row)", state.failures)  # never the PIN itself
    return _status(state, now)


def on_duty(ctx: BoothContext, initials: str) -> StaffMember:
    """``initials`` handle the captures from now on; only an active staff member can."""
    member = next((s for s in ctx.staff() if s.active and s.initials == initials), None)
    if member is None:
        raise ValidationError(
            "operator", "“{operator}” is not active staff of this booth; choose who is on duty from the list.",
            operator=initials,
        )
    ctx.operator = member.initials
    log.info("operator on duty changed")
    return member
