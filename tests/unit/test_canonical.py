"""The fast canonical JSON path writes exactly what RFC 8785 (the rfc8785 package) writes."""

from __future__ import annotations

import json

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from consentbooth.crypto.canonical import canonical_bytes

keys = st.one_of(st.text(max_size=12), st.text(alphabet=st.characters(max_codepoint=127), max_size=12))
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**60), max_value=2**60),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=40),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x3F), max_size=20),  # controls
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=5), st.dictionaries(keys, inner, max_size=5)), max_leaves=30)


@settings(max_examples=3000, deadline=None)
@given(values)
def test_the_fast_path_is_rfc8785(value: object) -> None:
    try:
        expected = rfc8785.dumps(value)
    except rfc8785.CanonicalizationError:
        with pytest.raises(rfc8785.CanonicalizationError):
            canonical_bytes(value)
        return
    assert canonical_bytes(value) == expected


def test_the_shapes_the_app_canonicalises() -> None:
    event = {"schema": "consentbooth.consent-event/1", "decisions": {"newsletter": "granted"},
             "note": "客户\\n说\u0007\"好\"", "notice": {"version": 3, "sha256": "ab" * 32},
             "purposes_shown": ["a", "b"], "extra": {"guardian_consent": True}, "request_date": None}
    assert canonical_bytes(event) == rfc8785.dumps(event)
    assert json.loads(canonical_bytes(event)) == event
    for awkward in ({"é": 1}, {"a": 1.5}, {"a": 2**60}, ["\ud800"]):  # the slow path decides
        try:
            assert canonical_bytes(awkward) == rfc8785.dumps(awkward)
        except rfc8785.CanonicalizationError:
            with pytest.raises(rfc8785.CanonicalizationError):
                canonical_bytes(awkward)
