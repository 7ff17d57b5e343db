"""Vault passphrases: the form they key the vault in, and whether they are strong enough.

Light on purpose: the vault layer imports it on the way from the unlock screen to the key
derivation, so nothing here may pull in the rest of the domain (zxcvbn loads on first use).
"""

from __future__ import annotations

import unicodedata

from consentbooth.core.i18n import N_

# Passphrase strength is judged by zxcvbn (Dropbox's estimator: dictionaries, names, keyboard
# walks, sequences, repeats, dates, l33t) instead of hand-written rules. A passphrase needs at
# least MIN_PASSPHRASE characters and a zxcvbn score of at least MIN_PASSPHRASE_SCORE (3: "safely
# unguessable", about 10^8 guesses or more). Words of the app itself count as well known.
MIN_PASSPHRASE = 10
MIN_PASSPHRASE_SCORE = 3
_APP_WORDS = ("consentbooth", "consent", "booth", "vault", "passphrase", "password")
# zxcvbn's weak parts, as sentences of our own (translated); each may quote the part found.
_WEAK_PART = {
    "dictionary": N_("The passphrase contains a well-known pattern (“{pattern}”)."),
    "repeat": N_("The passphrase repeats “{pattern}”; repeats are easy to guess."),
    "sequence": N_("Sequences like “{pattern}” are easy to guess; add a few uncommon words."),
    "spatial": N_("Keyboard patterns like “{pattern}” are easy to guess; add a few uncommon words."),
    "date": N_("Dates and years like “{pattern}” are easy to guess; add a few uncommon words."),
    "regex": N_("Dates and years like “{pattern}” are easy to guess; add a few uncommon words."),
}
_TOO_GUESSABLE = N_("This passphrase would be guessed too quickly; add two or three uncommon words.")


def normalize_passphrase(passphrase: str) -> str:
    """The form a passphrase keys the vault in: Unicode NFC, so "é" typed as one character or as
    "e" + combining accent (macOS, some input methods) is the same passphrase."""
    return unicodedata.normalize("NFC", passphrase)


def _strength(passphrase: str) -> tuple[str | None, str]:
    """(English sentence or None, the weak part it quotes)."""
    passphrase = normalize_passphrase(passphrase)
    if len(passphrase) < MIN_PASSPHRASE:
        return N_("The passphrase needs at least 10 characters."), ""
    from zxcvbn import zxcvbn  # on first use: the word lists take a moment to load

    result = zxcvbn(passphrase[:100], user_inputs=list(_APP_WORDS))  # 100: zxcvbn is O(n^2)
    if result["score"] >= MIN_PASSPHRASE_SCORE:
        return None, ""
    weak = [m for m in result["sequence"] if m.get("pattern") in _WEAK_PART]
    if not weak:
        return _TOO_GUESSABLE, ""
    part = max(weak, key=lambda m: len(m["token"]))  # the part that covers most of it
    return _WEAK_PART[part["pattern"]], str(part["token"])


def passphrase_problem(passphrase: str) -> str | None:
    """Why a vault passphrase is too weak, or None. English source sentence; its ``{pattern}``
    (if any) is :func:`passphrase_pattern`."""
    return _strength(passphrase)[0]


def passphrase_pattern(passphrase: str) -> str:
    """The weak part :func:`passphrase_problem` quotes (empty when it quotes none)."""
    return _strength(passphrase)[1]
