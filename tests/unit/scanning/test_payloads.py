"""Badge payloads (issue #13): the corpus in tests/data/badges parses 100 % right, and 10,000
generated and mutated payloads never crash the parser: each is a draft or one clear sentence."""

from __future__ import annotations

import base64
import json
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consentbooth.core.i18n import _catalogue
from consentbooth.scanning.payloads import (
    CONTACT,
    LIMITS,
    BadgeDraft,
    BadgeFieldNames,
    PayloadRefused,
    parse_payload,
)

CORPUS = Path(__file__).resolve().parents[2] / "data" / "badges" / "corpus.jsonl"
ROWS = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
ZH = _catalogue("zh-CN")


def _payload(row: dict) -> str | bytes:
    return base64.b64decode(row["payload_b64"]) if "payload_b64" in row else row["payload"]


def _as_found(draft: BadgeDraft) -> dict:
    found: dict = dict(draft.fields)
    if draft.registration_id:
        found["registration_id"] = draft.registration_id
    if draft.alternatives:
        found["alternatives"] = {k: list(v) for k, v in draft.alternatives.items()}
    return found


def test_the_corpus_is_big_and_varied() -> None:
    kinds = {row["kind"] for row in ROWS}
    assert len(ROWS) >= 200
    assert kinds == {"vcard", "mecard", "bizcard", "json", "url", "registration_id"}
    notes = {row["note"] for row in ROWS}
    for needed in ("2.1 UTF-8 QP", "2.1 GB18030 QP", "2.1 raw GB18030 bytes", "3.0 folded, several TEL/EMAIL",
                   "4.0 tel URI, PREF, IMPP", "3.0 N wins over a Western-ordered FN"):
        assert needed in notes
    assert any("\r\n=" in row.get("payload", "") or "=\r\n" in row.get("payload", "") for row in ROWS)  # QP soft breaks
    assert any("\r\n " in row.get("payload", "") for row in ROWS)  # folded lines


def test_every_corpus_payload_parses_right() -> None:
    wrong = []
    for row in ROWS:
        try:
            draft = parse_payload(_payload(row))
        except PayloadRefused as exc:
            wrong.append((row["note"], "refused", str(exc)))
            continue
        if draft.kind != row["kind"] or _as_found(draft) != row["expected"]:
            wrong.append((row["note"], _as_found(draft), row["expected"]))
    assert wrong == [], f"{len(wrong)} of {len(ROWS)} wrong: {wrong[:3]}"


def test_configured_json_names_come_first() -> None:
    payload = json.dumps({"Teilnehmer": "Emma Schmidt", "Firma": "Example GmbH", "name": "Booth 7",
                          "Ausweis": "X-99817"})
    default = parse_payload(payload)
    assert default.fields["name"] == "Booth 7" and default.registration_id is None
    names = BadgeFieldNames().merged({"name": ["Teilnehmer"], "company": ["Firma"], "id": ["Ausweis"]})
    draft = parse_payload(payload, names)
    assert dict(draft.fields) == {"name": "Emma Schmidt", "company": "Example GmbH"}
    assert draft.registration_id == "X-99817"
    with pytest.raises(PayloadRefused):
        BadgeFieldNames().merged({"shoe_size": ["x"]})


def test_a_damaged_vcard_never_reaches_a_log(caplog) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    damaged = "BEGIN:VCARD\nVERSION:3.0\nFN:Kanarie Logfree\nTITL\nX;;=;:Kanarie 13800138000\nEND:VCARD"
    try:
        parse_payload(damaged)
    except PayloadRefused:
        pass
    assert not [r for r in caplog.records if "Kanarie" in r.getMessage() or "TITL" in r.getMessage()]


def test_a_draft_never_shows_its_values_in_repr() -> None:
    draft = parse_payload("MECARD:N:张,伟;TEL:13800138000;;")
    assert "张" not in repr(draft) and "138" not in repr(draft)


@pytest.mark.parametrize("payload", [
    "", "   ", "hello world", "BEGIN:VCARD\nEND:VCARD", "BEGIN:VCARD\nVERSION:3.0\nX;;=;:\nEND:VCARD",
    "MECARD:;;", "BIZCARD:;;", "{}", "[]", "[1, 2]", '{"a": ' * 5000, "https://example.com/",
    "https://example.com/?utm_source=x", "x" * 20000, b"\xff\xfe\x00", "null", "-314", "1 2 3",
    '{"name": "12345"}', "ab",
])
def test_refusals_are_one_translated_sentence(payload: str | bytes) -> None:
    with pytest.raises(PayloadRefused) as caught:
        parse_payload(payload)
    assert caught.value.message in ZH, caught.value.message
    assert caught.value.message.endswith(".") and "\n" not in caught.value.message


# -- 10,000 generated and mutated payloads ---------------------------------------------------------

def _check(payload: str | bytes) -> None:
    """Parsed into clean fields, or refused with a sentence the catalogue translates."""
    try:
        draft = parse_payload(payload)
    except PayloadRefused as exc:
        assert exc.message in ZH, exc.message
        return
    assert draft.kind in ("vcard", "mecard", "bizcard", "json", "url", "registration_id")
    assert draft.fields or draft.registration_id
    for key, value in draft.fields.items():
        assert key in CONTACT
        assert value and value == value.strip() and len(value) <= LIMITS[key]
        assert all(unicodedata.category(ch) not in ("Cc", "Cs") for ch in value)
        json.dumps(value)  # encodable (no lone surrogates)


PAYLOADS = [_payload(r) for r in ROWS]
TEXTS = [p if isinstance(p, str) else p.decode("gb18030") for p in PAYLOADS]
RAW = [p if isinstance(p, bytes) else p.encode("utf-8") for p in PAYLOADS] + [t.encode("gb18030") for t in TEXTS]
def fuzz(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck),
                    database=None, derandomize=True)


# 4,000 + 4,000 + 2,000 = 10,000 payloads in all


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A corpus payload (as UTF-8 or GB18030 bytes) with a few byte-level mutations: flips, cuts, repeats,
    insertions of delimiters, CR/LF, invalid UTF-8 and odd Unicode."""
    data = bytearray(draw(st.sampled_from(RAW)))
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.integers(0, 5))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if op == 0 and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == 1:
            data = data[:at]
        elif op == 2:
            data[at:at] = draw(st.sampled_from([b";", b":", b"=", b"\\", b"\r\n", b"\n ", b",", b"{", b"}",
                                                b'"', b"=E5=", b"\xff", b"\xe5\xbc", b"\x00", b"%", b"&", b"#",
                                                b"\xe2\x80\xae", b"\xf0\x9f\x98\x80", b"BEGIN:VCARD\n"]))
        elif op == 3:
            end = min(len(data), at + draw(st.integers(1, 40)))
            data[at:at] = data[at:end] * draw(st.integers(1, 5))
        elif op == 4:
            end = min(len(data), at + draw(st.integers(1, 40)))
            del data[at:end]
        else:
            data[at:at] = draw(st.binary(max_size=16))
    return bytes(data)


VCARD_LINE = st.tuples(
    st.sampled_from(["N", "FN", "ORG", "TITLE", "TEL", "EMAIL", "X-WECHAT", "IMPP", "ADR", "PHOTO", "BDAY",
                     "NOTE", "item1.TEL", "VERSION", ""]),
    st.lists(st.sampled_from(["CHARSET=UTF-8", "CHARSET=GB18030", "CHARSET=bogus", "ENCODING=QUOTED-PRINTABLE",
                              "ENCODING=b", "TYPE=CELL", "CELL", "PREF", 'TYPE="cell,voice"', "VALUE=uri",
                              "PREF=1", "=", ""]), max_size=3),
    st.text(max_size=40),
)


@st.composite
def structured(draw: st.DrawFn) -> str:
    """A payload built from the formats' own pieces, with arbitrary values."""
    kind = draw(st.integers(0, 5))
    if kind == 0:
        lines = [f"{n}{''.join(';' + p for p in ps)}:{v}" for n, ps, v in draw(st.lists(VCARD_LINE, max_size=12))]
        version = draw(st.sampled_from(["2.1", "3.0", "4.0", "9", ""]))
        return "\r\n".join(["BEGIN:VCARD", f"VERSION:{version}", *lines, draw(st.sampled_from(["END:VCARD", ""]))])
    if kind in (1, 2):
        keys = st.sampled_from(["N", "TEL", "EMAIL", "ORG", "TITLE", "NOTE", "X", "T", "C", "B", "M", "E", ""])
        items = draw(st.lists(st.tuples(keys, st.text(max_size=30)), max_size=10))
        return ("MECARD:" if kind == 1 else "BIZCARD:") + "".join(f"{k}:{v};" for k, v in items) + ";"
    if kind == 3:
        leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30))
        keys = st.one_of(st.sampled_from(["name", "id", "mobile", "email", "company", "firstName", "姓名", "cell",
                                          "attendee", "wechat"]), st.text(max_size=8))
        value = st.recursive(leaf, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                             st.dictionaries(keys, inner, max_size=5)), max_leaves=20)
        return json.dumps(draw(st.dictionaries(keys, value, max_size=8)), ensure_ascii=draw(st.booleans()))
    if kind == 4:
        params = draw(st.lists(st.tuples(st.sampled_from(["id", "name", "regid", "mobile", "email", "x", ""]),
                                         st.text(max_size=20)), max_size=6))
        query = "&".join(f"{k}={v}" for k, v in params)
        path = draw(st.text(alphabet="abcXYZ0129-_/%.", max_size=20))
        return f"{draw(st.sampled_from(['https', 'http', 'HTTPS']))}://{draw(st.text(max_size=12))}/{path}?{query}"
    return draw(st.text(max_size=80))


@fuzz(4000)
@given(mutated())
def test_mutated_corpus_payloads_never_crash(payload: bytes) -> None:
    _check(payload)
    _check(payload.decode("utf-8", errors="replace"))



@fuzz(4000)
@given(structured())
def test_generated_payloads_never_crash(payload: str) -> None:
    _check(payload)



@fuzz(2000)
@given(st.one_of(st.text(max_size=300), st.binary(max_size=300)))
def test_arbitrary_text_and_bytes_never_crash(payload: str | bytes) -> None:
    _check(payload)

