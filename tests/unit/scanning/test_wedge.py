"""The keyboard-wedge detector (issue #13), driven by synthetic keystroke timings: a scanner's
2–10 ms a key ending with Enter is a scan, a person's typing reaches the field unchanged."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consentbooth.scanning.wedge import Press, Scanned, Type, WedgeDetector

VCARD = "BEGIN:VCARD\nVERSION:3.0\nN:Schmidt;Emma\nTEL;TYPE=CELL:+49 151 12345678\nEND:VCARD"


def play(detector: WedgeDetector, keys: list[tuple[str, float]], *, until: float | None = None) -> list:
    """Feed ``(key, time)`` pairs ("\\n" is Enter), calling ``tick`` whenever a deadline passes
    before the next key, as the GUI's timer does; then run the clock on to ``until``."""
    actions: list = []
    for key, t in keys:
        deadline = detector.deadline()
        if deadline is not None and deadline <= t:
            actions += detector.tick(deadline)
        actions += detector.enter(t) if key == "\n" else detector.key(key, t)
    end = until if until is not None else (keys[-1][1] + 1000 if keys else 0)
    while (deadline := detector.deadline()) is not None and deadline <= end:
        actions += detector.tick(deadline)
    return actions


def timed(text: str, gaps, start: float = 1000.0) -> list[tuple[str, float]]:
    out, t = [], start
    for ch in text:
        out.append((ch, t))
        t += gaps()
    return out


def scanner(rng: random.Random):
    return lambda: rng.uniform(2.0, 10.0)


def person(rng: random.Random):
    return lambda: rng.uniform(80.0, 300.0)


def typed(actions: list) -> str:
    return "".join(a.text if isinstance(a, Type) else "\n" for a in actions if isinstance(a, Type | Press))


@pytest.mark.parametrize("payload", ["CP2025-000123", "https://reg.example.com/v?id=A1&name=Li", VCARD,
                                     "MECARD:N:Doe,John;TEL:13012345678;;"])
def test_a_scan_at_scanner_speed_is_one_scan_and_nothing_typed(payload: str) -> None:
    rng = random.Random(1)
    actions = play(WedgeDetector(), timed(payload + "\n", scanner(rng)))
    assert actions == [Scanned(payload)]


def test_a_person_typing_gets_every_key_and_enter_in_order() -> None:
    rng = random.Random(2)
    text = "Zhang Wei\nabc"
    actions = play(WedgeDetector(), timed(text, person(rng)))
    assert typed(actions) == text
    assert not any(isinstance(a, Scanned) for a in actions)


def test_a_persons_key_is_held_at_most_the_hold_time() -> None:
    detector = WedgeDetector()
    assert detector.key("a", 0.0) == []
    assert detector.deadline() == 25.0
    assert detector.tick(24.9) == []
    assert detector.tick(25.0) == [Type("a")]
    assert detector.deadline() is None and not detector.holding


def test_roll_over_of_two_fast_keys_then_enter_is_typing() -> None:
    """A fast typist's roll-over ("th" 8 ms apart) then Enter later: typed, not scanned."""
    keys = [("t", 0.0), ("h", 8.0), ("e", 120.0), ("\n", 300.0)]
    assert typed(play(WedgeDetector(), keys)) == "the\n"


def test_three_fast_keys_and_enter_are_too_short_for_a_code() -> None:
    keys = [("a", 0.0), ("b", 5.0), ("c", 10.0), ("\n", 15.0)]
    assert typed(play(WedgeDetector(), keys)) == "abc\n"


def test_a_slow_key_in_the_middle_breaks_the_burst_into_typing() -> None:
    keys = timed("ABCD", lambda: 5.0) + [("E", 2000.0), ("\n", 2005.0)]
    actions = play(WedgeDetector(), keys)
    assert typed(actions) == "ABCDE\n"


def test_a_scan_right_after_typing_is_still_recognised() -> None:
    rng = random.Random(3)
    keys = timed("hi", person(rng), start=0.0) + timed("A12345\n", scanner(rng), start=1000.0)
    actions = play(WedgeDetector(), keys)
    assert typed(actions) == "hi"
    assert actions[-1] == Scanned("A12345")


def test_two_scans_in_a_row_are_two_scans() -> None:
    rng = random.Random(4)
    keys = timed("A11111\n", scanner(rng), start=0.0) + timed("B22222\n", scanner(rng), start=500.0)
    assert play(WedgeDetector(), keys) == [Scanned("A11111"), Scanned("B22222")]


def test_a_scanner_without_the_enter_suffix_is_still_a_scan_when_long_enough() -> None:
    rng = random.Random(5)
    assert play(WedgeDetector(), timed("CP2025-000123", scanner(rng))) == [Scanned("CP2025-000123")]
    assert typed(play(WedgeDetector(), timed("abc", lambda: 5.0))) == "abc"  # 3 keys: typing


def test_a_multi_line_payload_waits_for_its_last_line() -> None:
    detector = WedgeDetector()
    keys = timed("LINE1\nLINE2\n", lambda: 5.0, start=0.0)
    actions = []
    for key, t in keys:
        actions += detector.enter(t) if key == "\n" else detector.key(key, t)
    assert actions == []  # nothing typed, nothing scanned yet: another line may follow
    assert detector.deadline() == keys[-1][1] + 25.0
    assert detector.tick(keys[-1][1] + 25.0) == [Scanned("LINE1\nLINE2")]


def test_reset_forgets_what_is_held() -> None:
    detector = WedgeDetector()
    detector.key("A", 0.0)
    detector.key("B", 5.0)
    assert detector.reset() == [] and detector.deadline() is None
    assert play(detector, [("x", 1000.0)]) == [Type("x")]


def test_an_input_method_commit_is_a_persons_text() -> None:
    assert WedgeDetector().key("张伟", 0.0) == [Type("张伟")]


def test_a_scanned_payload_never_shows_in_repr() -> None:
    assert "Emma" not in repr(Scanned(VCARD))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=40),
       st.lists(st.floats(min_value=60.0, max_value=1500.0), min_size=40, max_size=40))
def test_human_typing_speed_is_left_alone(text: str, gaps: list[float]) -> None:
    """Any text at human speed (60 ms or more between keys) comes out exactly as typed."""
    it = iter(gaps)
    actions = play(WedgeDetector(), timed(text + "\n", lambda: next(it)))
    assert typed(actions) == text + "\n"


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=4, max_size=300),
       st.lists(st.floats(min_value=2.0, max_value=10.0), min_size=301, max_size=301))
def test_any_payload_at_scanner_speed_is_scanned_whole(text: str, gaps: list[float]) -> None:
    it = iter(gaps)
    assert play(WedgeDetector(), timed(text + "\n", lambda: next(it))) == [Scanned(text)]
