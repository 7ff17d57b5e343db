"""What a PostgreSQL hub can find a person by, without the server seeing it: blind-index terms.

A person is indexed by their email (trimmed, lowercased), their phone (its digits, and for a
mainland number also the national 11 digits) and the tokens of their name: Latin words
(casefolded, NFC) and, for Chinese (any CJK run), every character and every pair of adjacent
characters. A query is an email, a phone number (5 or more digits), or name tokens that must all
match: "张伟" finds 张伟 and 张伟明, "张" finds every 张, "Emma Schmidt" finds the person with
both words in their name. Each term is kept as a 64-bit keyed HMAC (``crypto/envelope.blind``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

EMAIL, PHONE, NAME = "e", "p", "n"
_WORD = re.compile(r"[^\W_]+")


def _is_cjk(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F") and ch.isalpha()


def normal(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip().casefold()


def phone_digits(phone: str) -> list[str]:
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("00"):
        digits = digits[2:]
    found = [digits] if digits else []
    if digits.startswith("86") and len(digits) == 13:
        found.append(digits[2:])
    return found


def _runs(word: str) -> list[str]:
    """A word split where it changes between CJK and other letters ("Li张伟" -> "li", "张伟")."""
    runs: list[str] = []
    for ch in word:
        if runs and _is_cjk(ch) == _is_cjk(runs[-1][-1]):
            runs[-1] += ch
        else:
            runs.append(ch)
    return runs


def _tokens(word: str, *, query: bool) -> list[str]:
    tokens: list[str] = []
    for run in _runs(word):
        if _is_cjk(run[0]):
            if query:
                tokens.extend([run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)])
            else:
                tokens.extend(run)
                tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            tokens.append(run)
    return tokens


def name_tokens(name: str) -> list[str]:
    return list(dict.fromkeys(t for word in _WORD.findall(normal(name)) for t in _tokens(word, query=False)))


def lead_terms(fields: Mapping[str, str]) -> list[tuple[str, str]]:
    """(kind, value) pairs a person with these details is found by."""
    terms: list[tuple[str, str]] = []
    email = normal(fields.get("email", ""))
    if email:
        terms.append((EMAIL, email))
    terms.extend((PHONE, d) for d in phone_digits(fields.get("phone", "")))
    terms.extend((NAME, t) for t in name_tokens(fields.get("name", "")))
    return list(dict.fromkeys(terms))


def query_terms(query: str) -> list[tuple[str, str]]:
    """The terms a query must all match (empty: the query names nothing searchable)."""
    q = normal(query)
    if not q:
        return []
    if "@" in q:
        return [(EMAIL, q)]
    if re.fullmatch(r"[\d\s+()\-.]+", q) and len(re.sub(r"\D", "", q)) >= 5:
        digits = phone_digits(q)
        return [(PHONE, digits[-1] if len(digits) > 1 else digits[0])]
    tokens = [(NAME, t) for word in _WORD.findall(q) for t in _tokens(word, query=True)]
    return list(dict.fromkeys(tokens))


def matches(fields: Mapping[str, str], wanted: list[tuple[str, str]]) -> bool:
    """Whether decrypted details really hold every wanted term (a 64-bit HMAC can collide)."""
    have = set(lead_terms(fields))
    return all(t in have for t in wanted)
