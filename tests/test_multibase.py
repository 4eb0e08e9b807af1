"""base58btc (credpress.vc.multibase) against the textbook one-digit-at-a-time conversion."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from credpress.vc import multibase

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def reference_b58encode(data: bytes) -> str:
    """One base-58 digit per division, then one "1" per leading zero byte (the Bitcoin definition)."""
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, digit = divmod(number, 58)
        digits.append(ALPHABET[digit])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(digits))


# Leading zero bytes, and numbers just around powers of 58 (where a chunk is all zero digits).
edges = st.integers(min_value=0, max_value=90).flatmap(
    lambda power: st.sampled_from([58**power - 1, 58**power, 58**power + 1])
)
numbers_as_bytes = st.tuples(edges, st.integers(min_value=0, max_value=4)).map(
    lambda pair: b"\0" * pair[1] + pair[0].to_bytes((pair[0].bit_length() + 7) // 8, "big")
)


@settings(max_examples=500)
@given(st.binary(max_size=80) | numbers_as_bytes)
def test_b58encode_matches_reference_and_round_trips(data):
    encoded = multibase.b58encode(data)
    assert encoded == reference_b58encode(data)
    assert multibase.b58decode(encoded) == data


def test_b58encode_known_values():
    assert multibase.b58encode(b"") == ""
    assert multibase.b58encode(b"\0\0") == "11"
    assert multibase.b58encode(bytes([57])) == "z"
    assert multibase.b58encode(bytes([58])) == "21"
    assert multibase.b58encode(b"\0" + (58**4).to_bytes(3, "big")) == "121111"
    assert multibase.b58encode(b"hello world") == "StV1DL6CwTryKyV"
