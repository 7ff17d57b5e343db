"""The staff PIN behind a lockout and who is on duty (services/staffing.py), on a real vault."""

from __future__ import annotations

import pytest

from consentbooth.core.errors import ValidationError
from consentbooth.services import staffing
from consentbooth.services.staffing import PIN_FREE_TRIES, pin_wait

RIGHT, WRONG = "2468", "1357"  # the demo vault's staff PIN, and another


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_wait_grows_after_five_wrong_pins_and_is_capped() -> None:
    assert [pin_wait(n) for n in range(1, 10)] == [0, 0, 0, 0, 30, 60, 120, 240, 480]
    assert pin_wait(20) == staffing.PIN_MAX_WAIT_S == 900


def test_wrong_pins_are_counted_a_wait_refuses_even_the_right_pin_and_a_right_one_resets(booth) -> None:
    clock = Clock()
    ctx = booth.ctx
    for n in range(1, PIN_FREE_TRIES):
        check = staffing.try_staff_pin(ctx, WRONG, clock=clock)
        assert (check.ok, check.failures, check.wait_s, check.exhausted) == (False, n, 0, False)
    assert check.tries_left == 1
    check = staffing.try_staff_pin(ctx, WRONG, clock=clock)
    assert check.exhausted and check.wait_s == 30 and check.checked
    clock.now += 10
    refused = staffing.try_staff_pin(ctx, RIGHT, clock=clock)  # not even checked while waiting
    assert not refused.ok and not refused.checked and refused.wait_s == 20
    assert staffing.pin_status(ctx, clock=clock).wait_s == 20
    clock.now += 20
    check = staffing.try_staff_pin(ctx, WRONG, clock=clock)
    assert check.failures == 6 and check.wait_s == 60  # doubled
    clock.now += 60
    check = staffing.try_staff_pin(ctx, RIGHT, clock=clock)
    assert check.ok and check.failures == 0 and check.wait_s == 0
    assert staffing.try_staff_pin(ctx, WRONG, clock=clock).wait_s == 0  # counting starts again


@pytest.mark.parametrize("start", [1000.003, 1000.005, 12345.678])
def test_a_wait_reads_its_whole_seconds_whatever_the_clock_s_float_noise(booth, start) -> None:
    clock = Clock()
    clock.now = start  # (start + 30) - start is a hair over 30 in binary floating point
    for _ in range(PIN_FREE_TRIES):
        check = staffing.try_staff_pin(booth.ctx, WRONG, clock=clock)
    assert check.wait_s == 30
    clock.now += 0.5
    assert staffing.pin_status(booth.ctx, clock=clock).wait_s == 30  # 29.5 s left: still "30"


def test_the_count_belongs_to_the_open_vault(booth, tmp_path, passphrase) -> None:
    from consentbooth.services import Booth

    for _ in range(PIN_FREE_TRIES):
        booth.try_staff_pin(WRONG)
    assert booth.pin_status().exhausted
    path = booth.vault.path
    booth.lock()
    again = Booth.unlock(path, passphrase)  # the passphrase was needed: a fresh count
    try:
        assert again.pin_status().failures == 0
        assert again.try_staff_pin(RIGHT).ok
    finally:
        again.lock()


def test_only_active_staff_can_be_on_duty(booth) -> None:
    member = booth.on_duty("AM")
    assert member.initials == "AM" and booth.ctx.operator == "AM"
    with pytest.raises(ValidationError) as refused:
        booth.on_duty("ZZ")
    assert "ZZ" in refused.value.localized("en") and booth.ctx.operator == "AM"
    wf = next(s for s in booth.staff() if s.initials == "WF")
    booth.set_staff_active(wf.id, False)
    with pytest.raises(ValidationError):
        booth.on_duty("WF")
