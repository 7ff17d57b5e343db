"""The strict input contract (domain/contract.py) through the real bulk capture on a real vault.

Every capture document from outside is either a capture whose GRANTED purposes in the signed
ledger are exactly the ones it lists, or one sentence naming the field, with nothing stored.
"""

from __future__ import annotations

import json
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consentbooth.core.errors import UserFacingError
from consentbooth.core.i18n import _catalogue
from consentbooth.domain.contract import (
    SENTENCES,
    CaptureRules,
    ContractViolation,
    load_json,
    parse_capture,
    parse_captures,
)
from consentbooth.services.booth import Booth
from consentbooth.services.capture import capture_documents
from consentbooth.vault import ledger
from tests.conftest import PASSPHRASE
from tests.helpers import ZH_LEAD

RULES = CaptureRules(
    purposes=frozenset({"sales_contact", "newsletter"}),
    questions={"e1": frozenset({"interest", "timeframe"}), "e2": frozenset({"budget"})},
    current_event="e1",
)


def _refused(document: object, rules: CaptureRules = RULES) -> ContractViolation:
    with pytest.raises(ContractViolation) as caught:
        parse_capture(document, rules)
    exc = caught.value
    for language in ("en", "zh-CN"):
        text = exc.localized(language)
        assert text and "\n" not in text and "{" not in text.replace('{"', ""), text
    return exc


# -- the cases the issue found, by name ---------------------------------------------------------------

def test_purposes_as_an_object_are_refused_never_read_as_their_keys() -> None:
    exc = _refused({"fields": ZH_LEAD, "purposes": {"sales_contact": False, "newsletter": False}})
    assert exc.field == "purposes"
    assert str(exc) == "“purposes” must be a list of purpose codes, e.g. [\"sales_contact\"]."
    assert exc.localized("zh-CN") == "“purposes”必须是目的代码的列表，例如 [\"sales_contact\"]。"


def test_under_14_as_the_string_false_is_refused() -> None:
    exc = _refused({"fields": ZH_LEAD, "purposes": ["sales_contact"], "under_14": "false"})
    assert (exc.field, str(exc)) == ("under_14", "“under_14” must be true or false, without quotes.")
    for not_a_bool in (0, 1, None, "true", [], {}):
        assert _refused({"under_14": not_a_bool}).field == "under_14"


@pytest.mark.parametrize("company", [{"a": 1}, True, 1, 1.5, None, ["ACME"]])
def test_company_as_an_object_or_true_is_refused(company: object) -> None:
    exc = _refused({"fields": {**ZH_LEAD, "company": company}, "purposes": ["sales_contact"]})
    assert (exc.field, str(exc)) == ("fields.company", "“fields.company” must be text in quotes.")


def test_two_thousand_unknown_fields_are_refused_in_one_sentence() -> None:
    fields = {**ZH_LEAD, **{f"extra_{i}": "x" * 400 for i in range(2000)}}
    assert sum(len(v) for v in fields.values()) > 800_000
    exc = _refused({"fields": fields, "purposes": ["sales_contact"]})
    assert exc.field == "fields.extra_0"
    assert str(exc).startswith("“fields.extra_0” and 1999 other entries are not fields this event knows")


def test_a_field_name_with_a_space_and_an_event_id_as_a_list() -> None:
    spaced = _refused({"fields": {"first name": "Wei"}})
    assert spaced.field == "fields.first name" and "not a field this event knows" in str(spaced)
    listed = _refused({"fields": ZH_LEAD, "event": ["e1"]})
    assert (listed.field, str(listed)) == ("event", "“event” must be text in quotes.")
    assert str(_refused({"event": "nope"})) == "“event” is not an event of this vault."


def test_deep_nesting_is_a_sentence_not_a_recursion_error() -> None:
    for depth in (300, 100_000):
        text = '{"fields": ' + "[" * depth + "]" * depth + "}"
        with pytest.raises(ContractViolation) as caught:
            load_json(text)
        assert str(caught.value) == "The input is nested too deeply to be a capture document or a bundle row."
    nested: object = "x"
    for _ in range(50_000):  # a Python value nested beyond the interpreter's recursion limit
        nested = [nested]
    assert _refused({"fields": {"name": nested}}).field == "fields.name"
    assert _refused({"unknown": nested}).field == "unknown"


def test_each_custom_field_belongs_to_its_event() -> None:
    assert parse_capture({"fields": {"interest": "robots"}}, RULES).fields == {"interest": "robots"}
    assert parse_capture({"fields": {"budget": "1M"}, "event": "e2"}, RULES).event == "e2"
    assert _refused({"fields": {"budget": "1M"}}).field == "fields.budget"  # e1 does not ask it
    assert _refused({"fields": {"interest": "x" * 501}}).field == "fields.interest"
    exc = _refused({"fields": {"phone": "1" * 33}})
    assert str(exc) == "“fields.phone” is too long (at most 32 characters)."


def test_the_rest_of_the_document() -> None:
    assert str(_refused({"fields": {}, "purposes": ["sales_contact"], "sign": 1})).startswith(
        "“sign” is not expected here; allowed are collection_method, event, fields"
    )
    assert str(_refused({"language": "fr"})) == "“language” must be one of en, ja, ko, zh-CN, zh-Hant."
    assert str(_refused({"collection_method": "mail"})) == "“collection_method” must be one of kiosk, staff."
    assert str(_refused({"purposes": ["marketing"]})).startswith(
        "“purposes” holds “marketing”, which is not a purpose offered here"
    )
    assert _refused({"purposes": ["sales_contact", 3]}).field == "purposes"
    assert _refused({"guardian": "mother", "under_14": True}).field == "guardian"
    assert _refused({"guardian": {"name": "张敏"}, "under_14": True}).field == "guardian.relationship"
    assert _refused({"guardian": {"name": "张敏", "relationship": "母亲"}}).field == "guardian"
    assert _refused({"fields": {1: "x"}}).field == "fields"
    assert _refused({"operator": 7}).field == "operator"
    assert str(_refused([])) == "A capture document must be a JSON object with “fields” and “purposes”."
    quoted = _refused({"purposes": ["\x00" + "y" * 10_000]})
    assert len(str(quoted)) < 300 and "\x00" not in str(quoted)


def test_a_list_names_the_capture_that_is_wrong() -> None:
    good = {"fields": ZH_LEAD, "purposes": ["sales_contact"]}
    assert len(parse_captures([good, good], RULES)) == 2
    with pytest.raises(ContractViolation) as caught:
        parse_captures([good, {**good, "under_14": "no"}], RULES)
    assert str(caught.value) == "Capture 2 of the list: “under_14” must be true or false, without quotes."
    assert caught.value.localized("zh-CN") == "列表中的第 2 份采集：“under_14”必须是 true 或 false，不加引号。"
    for nothing in ([], "text", 3, None):
        with pytest.raises(ContractViolation):
            parse_captures(nothing, RULES)


def test_every_sentence_has_a_chinese_translation_with_the_same_placeholders() -> None:
    catalogue = _catalogue("zh-CN")

    def names(text: str) -> set[str]:
        return {n for _lit, n, _spec, _conv in string.Formatter().parse(text) if n is not None}

    for sentence in SENTENCES.values():
        assert sentence in catalogue, sentence
        assert names(catalogue[sentence]) == names(sentence), sentence


# -- through the real service on a real vault ----------------------------------------------------------

@pytest.fixture(scope="module")
def booth(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Booth]:
    b = Booth.create(tmp_path_factory.mktemp("contract") / "booth.cbvault", PASSPHRASE, demo=True)
    yield b
    b.lock()


def _stored(booth: Booth) -> tuple[int, int]:
    return (
        booth.vault.read("SELECT count(*) FROM leads")[0][0],
        booth.vault.read("SELECT count(*) FROM ledger")[0][0],
    )


def _granted_in_ledger(booth: Booth, ledger_id: str) -> set[str]:
    entry = ledger.get(booth.vault, ledger_id)
    assert entry is not None
    return set(entry.event.granted())


def test_a_refused_document_in_a_list_stores_none_of_them(booth: Booth) -> None:
    good = {"fields": ZH_LEAD, "purposes": ["sales_contact"]}
    before = _stored(booth)
    with pytest.raises(ContractViolation):
        capture_documents(booth.ctx, [good, {"fields": ZH_LEAD, "purposes": {"newsletter": False}}])
    assert _stored(booth) == before
    results = capture_documents(booth.ctx, json.dumps([good, {**good, "purposes": []}]).encode())
    assert [r.granted for r in results] == [("sales_contact",), ()]
    assert _granted_in_ledger(booth, results[0].ledger_id) == {"sales_contact"}


# The property: every generated document is a capture granting exactly what it lists, or one line.
NAMES = ["张伟", "Emma Schmidt", "Nguyễn Văn An", "O'Brien", "李娜"]
PHONES = ["13800138000", "+44 7911 123456", "138 0013 8000", "+86 139 0013 9000"]
EMAILS = ["zhang.wei@example.cn", "emma@example.de", "an@例子.中国"]
BAD = ["", " ", "12", "not-an-email", "\u202e", "a\x00b", "\ud800", "x" * 600, "字" * 300, "电话"]
PRINTABLE = st.text(st.characters(categories=["L", "N", "Zs", "Pd", "Po"]), max_size=40)
TEXT = st.text(max_size=40) | st.sampled_from(BAD)
JUNK = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)
MUTATIONS = ["none"] * 5 + [
    "bad value", "wrong type", "extra key", "odd field", "purposes object", "huge", "json", "junk",
]


@st.composite
def documents(draw: st.DrawFn, purposes: list[str], events: list[str]) -> object:
    fields: dict[object, object] = {
        "name": draw(st.sampled_from(NAMES)),
        "phone": draw(st.sampled_from(PHONES)),
        "email": draw(st.sampled_from(EMAILS)),
    }
    for key in draw(st.lists(st.sampled_from(["company", "title", "notes", "interest"]), max_size=3)):
        fields[key] = draw(PRINTABLE)
    document: dict[object, object] = {
        "fields": fields,
        "purposes": draw(st.lists(st.sampled_from(purposes), max_size=len(purposes) + 1)),
    }
    if draw(st.booleans()):
        document["language"] = draw(st.sampled_from(["zh-CN", "en"]))
    if draw(st.booleans()):
        document["event"] = draw(st.sampled_from(events))
    if draw(st.booleans()):
        document["operator"] = draw(st.sampled_from(["WF", "LN", "system"]))
    if draw(st.booleans()):
        document["collection_method"] = draw(st.sampled_from(["kiosk", "staff"]))
    if draw(st.integers(0, 5)) == 5:
        document["under_14"] = True
        document["guardian"] = {"name": draw(st.sampled_from(NAMES)), "relationship": "母亲"}
    mutation = draw(st.sampled_from(MUTATIONS))
    if mutation == "bad value":  # a string a validator refuses
        fields[draw(st.sampled_from(["name", "phone", "email", "wechat", "rating"]))] = draw(
            st.sampled_from(BAD)
        )
    elif mutation == "wrong type":
        document[draw(st.sampled_from(list(document)))] = draw(JUNK)
    elif mutation == "extra key":
        document[draw(TEXT)] = draw(JUNK)
    elif mutation == "odd field":  # an unknown name, a non-string key or value
        fields[draw(TEXT | st.integers())] = draw(JUNK)
    elif mutation == "purposes object":
        document["purposes"] = {p: draw(st.booleans()) for p in purposes}
    elif mutation == "huge":  # huge text, or 2,000 unknown fields of 800,000 characters
        if draw(st.booleans()):
            fields["company"] = "公" * draw(st.integers(201, 300_000))
        else:
            fields.update({f"u{i}": "x" * 400 for i in range(2000)})
    elif mutation == "json":  # as JSON text, sometimes nested deeper than any parser follows
        depth = draw(st.sampled_from([0, 0, 10, 5000]))
        text = json.dumps(document, ensure_ascii=draw(st.booleans()))
        return text[:-1] + ', "deep": ' + "[" * depth + "]" * depth + "}" if depth else text
    elif mutation == "junk":
        return draw(JUNK)
    return document


def test_any_document_is_a_faithful_capture_or_one_sentence(booth: Booth) -> None:
    purposes = sorted(p.code for p in booth.offered_purposes())
    events = [e.id for e in booth.events()] + ["no-such-event"]
    outcomes = {"captured": 0, "declined": 0, "refused": 0}

    @settings(
        max_examples=1000, deadline=None, derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    )
    @given(documents(purposes, events))
    def check(document: object) -> None:
        before = _stored(booth)
        try:
            results = capture_documents(booth.ctx, document)
        except UserFacingError as exc:  # anything else fails the test: "unexpected failure"
            for language in ("en", "zh-CN"):
                text = exc.localized(language)
                assert text.strip() and "\n" not in text
            assert _stored(booth) == before, "a refused document stored something"
            outcomes["refused"] += 1
            return
        [result] = results
        listed = (document if isinstance(document, dict) else json.loads(document)).get("purposes", [])
        if not listed:
            assert result.declined and result.ledger_id is None
            outcomes["declined"] += 1
            return
        assert set(result.granted) == set(listed)
        assert _granted_in_ledger(booth, result.ledger_id) == set(listed)
        outcomes["captured"] += 1

    check()
    print("capture documents:", outcomes)  # shown with -s: the figures of the property
    assert sum(outcomes.values()) == 1000
    assert outcomes["captured"] >= 50 and outcomes["refused"] >= 300, outcomes
    assert booth.verify_ledger().ok


def test_the_demo_rules_come_from_the_vault(booth: Booth, tmp_path: Path) -> None:
    from consentbooth.services.capture import capture_rules

    rules = capture_rules(booth.ctx)
    assert rules.purposes == {p.code for p in booth.offered_purposes()}
    assert rules.current_event == booth.current_event().id
    assert rules.questions[rules.current_event] == {q.key for q in booth.current_event().questions}
