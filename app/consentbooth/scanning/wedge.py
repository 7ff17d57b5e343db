"""Telling a keyboard-wedge scanner from a person typing, by keystroke timing alone.

A USB or Bluetooth HID scanner "types" the code it read, 2–10 ms a key, and ends with Enter (a
multi-line vCard sends an Enter for each line break). People type 80–300 ms a key, and even a
fast typist's key roll-over rarely brings several keys within 20 ms of each other.

:class:`WedgeDetector` is a pure state machine fed with timestamps, so tests drive it with
synthetic timings and the GUI (ui/scanning/wedge.py) with real key events:

- ``key(text, t)`` for each key that types text, ``enter(t)`` for Enter/Return;
- ``tick(t)`` when the time it asked for (``deadline``) has come;
- each returns the :class:`Action` list to carry out, in order: ``Type(text)`` gives keys back to
  the focused field as typed (they were a person's), ``Press()`` gives an Enter back, and
  ``Scanned(payload)`` is a complete scan to parse (nothing of it reaches any field).

Every key is held back until it is clear whose it is: a person's first key reaches the field at
most ``hold_ms`` later (25 ms: not noticeable), a scanner's never does.
"""

from __future__ import annotations

from dataclasses import dataclass

SCANNER_MAX_GAP_MS = 20.0  # a scanner's slowest gap is 10 ms; twice that for USB/OS jitter
HOLD_MS = 25.0  # how long a lone key waits to see whether a burst follows
SETTLE_MS = 25.0  # after an Enter: how long to wait for a further line of the same scan
MIN_SCAN_KEYS = 4  # fewer keys before Enter is a person hitting keys at once, not a code
# A scanner set up without the Enter suffix: this many keys at scanner speed, then silence, is a
# scan too (no person types 8 keys within 20 ms of each other; key auto-repeat is 30-50 ms).
MIN_BURST_WITHOUT_ENTER = 8


@dataclass(frozen=True)
class Type:
    """Give these keys to the focused field, as typed."""

    text: str


@dataclass(frozen=True)
class Press:
    """Give an Enter to the focused widget (a person pressed it)."""


@dataclass(frozen=True)
class Scanned:
    """A complete scan; lines joined with ``\\n``. Never shown raw anywhere."""

    payload: str

    def __repr__(self) -> str:  # the payload is personal data: never in a repr or a log
        return f"Scanned(<{len(self.payload)} characters>)"


Action = Type | Press | Scanned


class WedgeDetector:
    """Holds keys until their timing says "scanner" or "person". Times in milliseconds, from any
    monotonic clock."""

    def __init__(self, *, max_gap_ms: float = SCANNER_MAX_GAP_MS, hold_ms: float = HOLD_MS,
                 settle_ms: float = SETTLE_MS, min_keys: int = MIN_SCAN_KEYS,
                 min_burst: int = MIN_BURST_WITHOUT_ENTER) -> None:
        self.max_gap_ms = max_gap_ms
        self.min_burst = min_burst
        self.hold_ms = hold_ms
        self.settle_ms = settle_ms
        self.min_keys = min_keys
        self._held: list[str] = []  # keys (and "\n" for Enter) not yet handed anywhere
        self._last: float | None = None  # time of the last held key
        self._lines_done = False  # an Enter ended a scan-like burst: waiting for more or silence
        self._gaps: list[float] = []  # the gaps between the held keys

    # -- what the GUI asks ------------------------------------------------------------------------

    @property
    def holding(self) -> bool:
        return bool(self._held)

    @property
    def last_key_time(self) -> float | None:
        return self._last

    def deadline(self) -> float | None:
        """When ``tick`` must be called if no key comes first (None: nothing held)."""
        if self._last is None:
            return None
        return self._last + (self.settle_ms if self._lines_done else self.hold_ms)

    def key(self, text: str, t: float) -> list[Action]:
        """A key that types ``text`` (one character, or a few from an input method)."""
        actions = self._gap(t)
        if not text:
            return actions
        if len(text) > 1 and not self._held:  # an input method's commit: a person's text
            return [*actions, Type(text)]
        self._held.append(text)
        self._last = t
        self._lines_done = False
        return actions

    def enter(self, t: float) -> list[Action]:
        actions = self._gap(t)
        if not self._held:
            return [*actions, Press()]
        keys = sum(len(k) for k in self._held if k != "\n")
        if keys >= self.min_keys and self._fast():
            self._held.append("\n")
            self._last = t
            self._lines_done = True  # the scan ends here unless another line follows at once
            return actions
        return [*actions, *self._flush(), Press()]

    def tick(self, t: float) -> list[Action]:
        """The deadline passed (or any later time): settle what is held."""
        deadline = self.deadline()
        if deadline is None or t < deadline:
            return []
        if self._lines_done or (len(self._held) >= self.min_burst and self._fast()):
            payload = "".join(self._held).rstrip("\n")
            self._reset()
            return [Scanned(payload)]
        return self._flush()

    def reset(self) -> list[Action]:
        """Forget what is held (the screen changed, the booth locked): nothing is typed."""
        self._reset()
        return []

    # -- inside ----------------------------------------------------------------------------------

    def _gap(self, t: float) -> list[Action]:
        """A key arrived at ``t``: a gap too long for a scanner settles what is held first."""
        if self._last is None:
            return []
        gap = t - self._last
        if 0 <= gap <= self.max_gap_ms:  # (a clock that went back is no scanner burst)
            self._gaps.append(gap)
            return []
        return self.tick(float("inf"))  # a person's gap: settle what is held, then this key

    def _fast(self) -> bool:
        return bool(self._gaps) and max(self._gaps) <= self.max_gap_ms

    def _flush(self) -> list[Action]:
        """What is held was a person's: hand it back, Enters as Presses."""
        actions: list[Action] = []
        text = ""
        for key in self._held:
            if key == "\n":
                if text:
                    actions.append(Type(text))
                    text = ""
                actions.append(Press())
            else:
                text += key
        if text:
            actions.append(Type(text))
        self._reset()
        return actions

    def _reset(self) -> None:
        self._held = []
        self._last = None
        self._lines_done = False
        self._gaps = []
