"""Appending awards to an awards file that a person keeps editing.

ruamel.yaml's round-trip mode keeps the file's comments, key order, quoting and
blank lines; the emitter below also keeps our files' indentation: a top-level
``- achievement:`` at column 0 and nested lists indented under their key.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.emitter import RoundTripEmitter
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString
from ruamel.yaml.tokens import CommentToken


class _Emitter(RoundTripEmitter):
    """Nested sequences indented 4 with the dash at 2; the top-level list at column 0."""

    def _at_root(self) -> bool:
        return len(self.indents) == 1 and bool(self.indents.values[0][1])

    def expect_block_sequence_item(self, first: bool = False) -> None:
        saved = self.sequence_dash_offset
        if self._at_root():
            self.sequence_dash_offset = 0
        try:
            super().expect_block_sequence_item(first)
        finally:
            self.sequence_dash_offset = saved

    def increase_indent(self, flow: bool = False, sequence: Any = None, indentless: bool = False) -> None:
        root_item = self.indent == 0 and self._at_root()
        super().increase_indent(flow, sequence, indentless)
        if root_item and not flow:
            self.indent = 2


class NotAList(ValueError):
    """The existing file's top level is not a list of awards."""


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long line the person wrote
    yaml.Emitter = _Emitter
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def mapping(pairs: Iterable[tuple[str, Any]]) -> CommentedMap:
    """A YAML mapping in the given key order; None values are left out."""
    result = CommentedMap()
    for key, value in pairs:
        if value is not None:
            result[key] = value
    return result


def quoted(value: str) -> DoubleQuotedScalarString:
    """A string written in double quotes (a salt of digits must stay a string)."""
    return DoubleQuotedScalarString(value)


def text_block(value: str) -> str:
    """Multi-line text as a literal block (``|``), one line as it is."""
    return LiteralScalarString(value + "\n") if "\n" in value else value


def append_items(existing: str | None, items: list[CommentedMap], heading: str) -> str:
    """The text of an awards file with *items* appended after a blank line and the
    comment *heading*; *existing* None (or only comments) starts a new list.

    Raises NotAList when *existing* holds something other than a list, and
    YAMLError when it is not YAML.
    """
    yaml = _yaml()
    data = yaml.load(existing) if existing and existing.strip() else None
    prefix = ""
    if data is None:
        prefix = existing.rstrip() + "\n\n" if existing and existing.strip() else ""
        data = CommentedSeq()
    elif not isinstance(data, CommentedSeq):
        raise NotAList("an awards file must be a list of awards")
    first = len(data)
    data.extend(items)
    tokens = [CommentToken("\n", CommentMark(0), None)] if first else []
    tokens.append(CommentToken(f"# {heading}\n", CommentMark(0), None))
    data.ca.items[first] = [None, tokens, None, None]
    for index in range(first + 1, len(data)):
        data.ca.items[index] = [None, [CommentToken("\n", CommentMark(0), None)], None, None]
    out = io.StringIO()
    yaml.dump(data, out)
    return prefix + out.getvalue()


__all__ = ["CommentedMap", "NotAList", "YAMLError", "append_items", "mapping", "quoted", "text_block"]
