"""RFC 8785 JSON Canonicalization Scheme, with a fast path for the common case.

``rfc8785`` (pure Python) is the reference and handles everything; for documents
whose keys are ASCII and whose numbers ECMAScript and Python write alike (after
integral floats become ints), JCS output equals the standard library's compact,
key-sorted ``json.dumps``, which runs in C, about three times faster:

- §3.2.2.2 strings: JCS escapes ``"``, ``\\`` and U+0000-U+001F, using ``\\b \\t \\n
  \\f \\r`` where they exist and otherwise ``\\u00xx`` in lowercase hex; every other
  character is written as it is. ``json.dumps(ensure_ascii=False)`` does exactly
  that.
- §3.2.2.3 numbers: JCS writes a number as ECMAScript's Number.prototype.toString
  does. For integers of magnitude below 2**53 that is the decimal integer, as
  Python writes it; an integral float (``8.0``) is written as that integer; other
  floats are the shortest round-trip digits in both, identical whenever ``repr``
  uses no exponent. Exponents, NaN, infinities and larger integers take the
  reference route.
- §3.2.3 sorting: JCS sorts keys by UTF-16 code units, Python by code points; the
  orders differ only for characters above U+FFFF, so keys must be ASCII for the
  fast path (non-ASCII keys take the reference route).
- literals ``true``, ``false``, ``null`` are the same in both.

Anything else (a non-ASCII key, a lone surrogate, a huge integer) goes to
``rfc8785``, which also raises its own errors for what JCS cannot represent. The
differential tests in ``tests/test_jcs.py`` compare both routes on generated values.
"""

from __future__ import annotations

import json
from typing import Any

import rfc8785

_SAFE_INT = 2**53  # §3.2.2.3: beyond this, ECMAScript's Number loses integers

_encode = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False).encode


def dumps(value: Any) -> bytes:
    """The JCS serialization of *value*, UTF-8."""
    simple = _simple(value)
    if simple is not _REFERENCE:
        try:
            return _encode(simple).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: let the reference refuse it
            pass
    return rfc8785.dumps(value)


_REFERENCE = object()  # "take the reference route"


def _simple(value: Any) -> Any:
    """*value* with integral floats written as ints, if the standard library then writes
    it exactly as JCS does; else ``_REFERENCE``. Returns *value* itself when nothing
    needed rewriting (the common case costs one walk and no copy)."""
    kind = type(value)
    if kind is str or value is None or kind is bool:
        return value
    if kind is int:
        return value if -_SAFE_INT < value < _SAFE_INT else _REFERENCE
    if kind is float:
        return _float(value)
    # In a dict or list, a str, bool or None item (most of them) is kept as it is right away,
    # as the first branch above would keep it, without a call each.
    if kind is dict:
        changed = None
        for key, item in value.items():
            if type(key) is not str or not key.isascii():
                return _REFERENCE
            kind = type(item)
            if kind is str or item is None or kind is bool:
                continue
            new = _simple(item)
            if new is _REFERENCE:
                return _REFERENCE
            if new is not item:
                changed = changed or {}
                changed[key] = new
        return value if changed is None else {k: changed.get(k, v) for k, v in value.items()}
    if kind is list:
        items = None  # a copy, once an item changes
        for index, item in enumerate(value):
            kind = type(item)
            if kind is str or item is None or kind is bool:
                continue
            new = _simple(item)
            if new is _REFERENCE:
                return _REFERENCE
            if new is not item:
                items = items or list(value)
                items[index] = new
        return value if items is None else items
    return _REFERENCE  # tuples, subclasses, anything else: the reference decides


def _float(value: float) -> Any:
    """ECMAScript writes the shortest round-trip digits, as ``repr`` does, but in plain
    decimal notation from 1e-6 to 1e21 and without a ``.0``: integral floats become
    ints, and any float ``repr`` writes with an exponent takes the reference route."""
    if value != value or value in (float("inf"), float("-inf")):
        return _REFERENCE
    if value.is_integer():
        return int(value) if -_SAFE_INT < value < _SAFE_INT else _REFERENCE
    return _REFERENCE if "e" in repr(value) else value
