"""Reading untrusted JSON for the verifier: I-JSON, bounded depth, never a crash.

Credentials, DID documents and status lists come from strangers. :func:`load_json`
accepts only I-JSON (RFC 7493): UTF-8 (§2.1), no duplicate member names (§2.3;
two parsers could each keep a different one, so what one verifier checks is not
what another shows), and no ``NaN`` or ``Infinity`` (not JSON at all, RFC 8259
§6). Nesting is limited to :data:`MAX_DEPTH` levels, checked by a linear scan
*before* decoding, so a 100,000-level document is refused in milliseconds
instead of exhausting the interpreter's recursion limit (in ``json`` or in any
code that walks the result afterwards).
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

MAX_DEPTH = 64  # far more than any credential needs (the OB 3.0 examples nest 6 deep)

# A JSON string token (RFC 8259 §7), written so that matching is linear in its length.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


class JsonDocumentError(ValueError):
    """The bytes are not a JSON document the verifier accepts; the message says why."""


def nesting_depth(text: str) -> int:
    """How deeply arrays and objects nest in JSON *text* (0 for a scalar); linear time.

    Brackets inside strings do not count. Unbalanced input gives some depth; the
    JSON parser then reports the syntax error.
    """
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    if not brackets:
        return 0
    return max(0, *accumulate(1 if c in "[{" else -1 for c in brackets))


def _refuse_constant(name: str) -> Any:
    raise JsonDocumentError(f"not a JSON document ({name} is not a JSON value, RFC 8259 §6)")


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) != len(pairs):
        seen: set[str] = set()
        name = next(name for name, _ in pairs if name in seen or seen.add(name))  # type: ignore[func-returns-value]
        raise JsonDocumentError(f"duplicate member name {name!r} (not I-JSON, RFC 7493 §2.3)")
    return document


def load_json(data: bytes | str, max_depth: int = MAX_DEPTH) -> Any:
    """Parse *data* as I-JSON nested at most *max_depth* deep; JsonDocumentError otherwise."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise JsonDocumentError("not a JSON document (not UTF-8, RFC 7493 §2.1)") from None
    else:
        text = data
    text = text.removeprefix("\ufeff")  # a byte order mark is tolerated (RFC 8259 §8.1)
    depth = nesting_depth(text)
    if depth > max_depth:
        raise JsonDocumentError(f"nested deeper than {max_depth} levels")
    try:
        return json.loads(text, object_pairs_hook=_unique_members, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise JsonDocumentError(f"not valid JSON ({exc.msg}, line {exc.lineno})") from None
    except RecursionError:  # cannot happen after the depth scan; never let it escape anyway
        raise JsonDocumentError(f"nested deeper than {max_depth} levels") from None
