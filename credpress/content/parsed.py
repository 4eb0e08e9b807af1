"""Parsed YAML files remembered by their bytes, so a rebuild reads again only the files that changed.

Composing YAML and turning its nodes into :class:`~.load.LineDict` trees is most
of the cost of loading content (PyYAML resolves every scalar in Python, even
under libyaml). A file whose bytes are those of a file parsed before gives the
same tree, so the tree is kept in the build cache (:mod:`credpress.build_cache`,
kind ``parsed``, tagged like every entry) under a SHA-256 of the bytes, and
with any warning its parse gave (re-issued under the file's current name). Only
parses without problems are kept: a file with errors is always read again, so
its errors are always reported. The tree is stored as JSON with tagged objects,
never pickled.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any, Protocol

from ..errors import Problem
from .load import LineDict, LineList


class EntryStore(Protocol):
    code: str

    def get(self, kind: str, key: str) -> bytes | None: ...

    def put(self, kind: str, key: str, body: bytes) -> None: ...


class _Unstorable(Exception):
    """A value this encoding does not carry (the file is parsed again next time)."""


def entry_key(store: EntryStore, raw: bytes) -> str:
    """The cache key of a file of bytes *raw*: the bytes and the code that parses them."""
    return hashlib.sha256(b"parsed\0" + store.code.encode() + b"\0" + raw).hexdigest()


def _encode(value: Any) -> Any:
    if isinstance(value, LineDict):
        return {"m": [value.line, [[k, value.lines[k], _encode(v)] for k, v in value.items()]]}
    if isinstance(value, LineList):
        return {"l": [value.line, [[line, _encode(v)] for line, v in zip(value.lines, value)]]}
    if value is None or type(value) in (str, bool, int, float):
        return value
    if type(value) is datetime:
        return {"t": value.isoformat()}
    if type(value) is date:
        return {"d": value.isoformat()}
    raise _Unstorable(type(value).__name__)


def _decode(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    if "m" in value:
        line, items = value["m"]
        mapping = LineDict()
        mapping.line, mapping.lines = line, {}
        for key, key_line, item in items:
            mapping[key] = _decode(item)
            mapping.lines[key] = key_line
        return mapping
    if "l" in value:
        line, items = value["l"]
        sequence = LineList()
        sequence.line, sequence.lines = line, []
        for item_line, item in items:
            sequence.append(_decode(item))
            sequence.lines.append(item_line)
        return sequence
    if "t" in value:
        return datetime.fromisoformat(value["t"])
    return date.fromisoformat(value["d"])


def encode(data: Any, warnings: list[Problem]) -> bytes | None:
    """The entry for a parse that gave *data* and *warnings*; None if it cannot be kept."""
    try:
        tree = _encode(data)
    except _Unstorable:
        return None
    notes = [[w.line, w.field, w.message] for w in warnings]
    return json.dumps({"tree": tree, "warnings": notes}, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def decode(body: bytes, display: str) -> tuple[Any, list[Problem]] | None:
    """The tree and the warnings (naming *display*) of an entry; None if it is not one."""
    try:
        entry = json.loads(body)
        return _decode(entry["tree"]), [
            Problem(display, line, field, message) for line, field, message in entry["warnings"]
        ]
    except (ValueError, KeyError, TypeError):
        return None
