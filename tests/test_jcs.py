"""The fast JCS route (credpress.vc.jcs) against the reference, rfc8785, on every
kind of JSON value: they must give the same bytes, or both refuse."""

from __future__ import annotations

import json
import math

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from credpress.vc import jcs


def _reference(value):
    try:
        return rfc8785.dumps(value)
    except Exception as error:  # noqa: BLE001 - the reference's refusal is the expected outcome
        return type(error)


def _ours(value):
    try:
        return jcs.dumps(value)
    except Exception as error:  # noqa: BLE001
        return type(error)


scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**60), max_value=2**60)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
    | st.sampled_from(["\x00", "\x1f", "\x7f", "\u2028", '"\\', "\ud800", "é", "\U0001f600", "\ufb33"])
)
keys = st.text() | st.sampled_from(["\ufb33", "\U0001f600", "a", "é", "\x00", "\ud800"])
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=5) | st.dictionaries(keys, inner, max_size=5))


@settings(max_examples=1500, derandomize=True)
@given(values)
def test_fast_route_equals_reference(value) -> None:
    assert _ours(value) == _reference(value)


@pytest.mark.parametrize(
    "number", [0.0, -0.0, 8.0, 1.5, 0.1, 1e-6, 1e-7, 123456789.125, 1e15, 1e16, 1e21, 1e22, 2.0**53, 5e-324]
)
def test_floats_as_ecmascript_writes_them(number: float) -> None:
    assert jcs.dumps({"n": number}) == rfc8785.dumps({"n": number})


def test_utf16_key_order_differs_from_code_points() -> None:
    # U+FB33 sorts before U+1F600 by code point but after it by UTF-16 code units
    # (U+1F600 is the surrogate pair D83D DE00): §3.2.3 sorts by code units.
    value = {"\ufb33": 2, "\U0001f600": 1}
    assert sorted(value) == ["\ufb33", "\U0001f600"]
    assert jcs.dumps(value) == rfc8785.dumps(value) == '{"\U0001f600":1,"\ufb33":2}'.encode()


def test_integral_float_is_rewritten_without_touching_the_input() -> None:
    value = {"achievement": {"creditsAvailable": 8.0, "name": "x"}, "list": [1.0, "a"]}
    before = json.dumps(value)
    assert jcs.dumps(value) == b'{"achievement":{"creditsAvailable":8,"name":"x"},"list":[1,"a"]}'
    assert json.dumps(value) == before
    assert jcs._simple(value) is not value


def test_common_case_is_not_copied() -> None:
    value = {"a": [1, "b", {"c": None, "d": True}]}
    assert jcs._simple(value) is value


@pytest.mark.parametrize("value", [math.nan, math.inf, {"n": -math.inf}, 2**53, {"\ud800": 1}])
def test_refusals_are_the_references(value) -> None:
    assert _ours(value) == _reference(value)


def _walk_reference(value):
    """jcs._simple as first written: every item through the whole function (the one to match)."""
    kind = type(value)
    if kind is str or value is None or kind is bool:
        return value
    if kind is int:
        return value if -jcs._SAFE_INT < value < jcs._SAFE_INT else jcs._REFERENCE
    if kind is float:
        return jcs._float(value)
    if kind is dict:
        changed = None
        for key, item in value.items():
            if type(key) is not str or not key.isascii():
                return jcs._REFERENCE
            new = _walk_reference(item)
            if new is jcs._REFERENCE:
                return jcs._REFERENCE
            if new is not item:
                changed = changed or {}
                changed[key] = new
        return value if changed is None else {k: changed.get(k, v) for k, v in value.items()}
    if kind is list:
        items = [_walk_reference(item) for item in value]
        if any(new is jcs._REFERENCE for new in items):
            return jcs._REFERENCE
        return value if all(new is old for new, old in zip(items, value)) else items
    return jcs._REFERENCE


class _Str(str):
    pass


odd = st.sampled_from([(1, 2), _Str("s"), 1.0, 2**60, {"\u00e9": 1}, [2.0, "a"], float("nan")])


@settings(max_examples=400)
@given(
    st.recursive(scalars | odd, lambda inner: st.lists(inner, max_size=5) | st.dictionaries(keys, inner, max_size=5))
)
def test_walk_matches_the_plain_walk(value) -> None:
    ours, reference = jcs._simple(value), _walk_reference(value)
    assert (ours is jcs._REFERENCE) == (reference is jcs._REFERENCE)
    assert (ours is value) == (reference is value)
    if ours is not jcs._REFERENCE:
        assert json.dumps(ours) == json.dumps(reference)
