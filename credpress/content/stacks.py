"""A stack's rule as written in YAML (``requires:``), read into a :class:`Requirement`.

``requires`` is a list of parts (all of them) or ``{any: N, of: [...]}``; a part is
an achievement slug, a nested list (all of it), ``{all: [...]}`` or ``{any: N, of:
[...]}``, to any depth. The old ``stack: [a, b]`` reads as ``requires: [a, b]``.
Every problem is reported with its line and field path (``requires[2].of[0]``).
Rules that span files (unknown slugs, cycles, issuers) are in :mod:`.rules`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from .checker import Checker
from .fields import Invalid, kind, slug
from .load import LineDict, LineList
from .model import Requirement

MAX_PARTS = 50  # parts of one list, as the old stack: list allowed


def references(value: Any, field: str, line: int | None) -> Iterator[tuple[Any, int | None, str]]:
    """Every slug a raw ``requires`` value names: (value as written, line, field path).

    Walks the YAML as written, whatever else is wrong with it, so reference
    errors show in the same run as shape errors. Iterative: deep input cannot
    overflow the stack.
    """
    pending: list[tuple[Any, str, int | None]] = [(value, field, line)]
    while pending:
        node, where, at = pending.pop()
        if isinstance(node, LineList):
            pending.extend(reversed([(item, f"{where}[{i}]", node.lines[i]) for i, item in enumerate(node)]))
        elif isinstance(node, LineDict):
            for key in ("all", "of"):
                if key in node:
                    pending.append((node[key], f"{where}.{key}", node.lines[key]))
        elif isinstance(node, str):
            yield node, at, where


def parse(checker: Checker, path: str, value: Any, field: str, line: int | None) -> Requirement | None:
    """The rule written at *field*, or None (every problem reported to *checker*)."""
    problems_before = len(checker.problems)
    rule = _group(checker, path, value, field, line)
    if rule is None or len(checker.problems) != problems_before:
        return None
    return rule


def _group(checker: Checker, path: str, value: Any, field: str, line: int | None) -> Requirement | None:
    """A list (all of it) or a mapping ``{all: [...]}`` / ``{any: N, of: [...]}``."""
    if isinstance(value, LineList):
        parts = _parts(checker, path, value, field, line)
        return None if parts is None else Requirement(parts)
    if not isinstance(value, LineDict):
        checker.error(path, line, field, f"must be a list of achievements or {{any: N, of: [...]}}, not {kind(value)}")
        return None
    keys = set(value)
    if keys == {"all"}:
        return _group_list(checker, path, value["all"], f"{field}.all", value.lines["all"], None)
    if keys == {"any", "of"}:
        count = value["any"]
        count_line = value.lines["any"]
        if isinstance(count, bool) or not isinstance(count, int):
            checker.error(path, count_line, f"{field}.any", f"must be a whole number, not {kind(count)}")
            return None
        return _group_list(checker, path, value["of"], f"{field}.of", value.lines["of"], (count, count_line, field))
    unknown = sorted(keys - {"all", "any", "of"})
    message = (
        f"unknown key '{unknown[0]}': a group is {{any: N, of: [...]}} or {{all: [...]}}"
        if unknown
        else "a group is {any: N, of: [...]} or {all: [...]}, not both"
    )
    checker.error(path, value.line, field, message)
    return None


def _group_list(
    checker: Checker,
    path: str,
    value: Any,
    field: str,
    line: int | None,
    count: tuple[int, int | None, str] | None,
) -> Requirement | None:
    if not isinstance(value, LineList):
        checker.error(path, line, field, f"must be a list, not {kind(value)}")
        return None
    parts = _parts(checker, path, value, field, line)
    if count is None:
        return None if parts is None else Requirement(parts)
    number, count_line, group = count
    if number < 1:
        checker.error(path, count_line, f"{group}.any", f"must be at least 1, not {number}")
        return None
    if number > len(value):
        checker.error(path, count_line, f"{group}.any", f"is {number} but its list has only {len(value)} parts")
        return None
    if parts is None:
        return None
    return Requirement(parts, None if number == len(parts) else number)


def _parts(
    checker: Checker, path: str, value: LineList, field: str, line: int | None
) -> tuple[str | Requirement, ...] | None:
    if not value:
        checker.error(path, line, field, "must not be empty")
        return None
    if len(value) > MAX_PARTS:
        checker.error(path, line, field, f"has more than {MAX_PARTS} items")
        return None
    parts: list[str | Requirement] = []
    ok = True
    for i, item in enumerate(value):
        where, at = f"{field}[{i}]", value.lines[i]
        nested: str | Requirement | None
        if isinstance(item, (LineList, LineDict)):
            nested = _group(checker, path, item, where, at)
        else:
            try:
                nested = slug(item)
            except Invalid as exc:
                checker.error(path, at, where, str(exc))
                nested = None
        if nested is None:
            ok = False
        elif isinstance(nested, str) and nested in parts:
            checker.error(path, at, where, f"'{nested}' is listed twice in the same group")
            ok = False
        else:
            parts.append(nested)
    return tuple(parts) if ok else None


# --- A stacked credential's entry in credpress.lock (content/lock.py reads and checks it) ---


def lock_entry_problem(value: dict[str, Any], name: str) -> str | None:
    """What is wrong with the stack fields of a lock entry: ``stack`` (the stack's slug) and,
    once its rule stopped holding, ``revoked`` ({date, reason}: permanent)."""
    if not (isinstance(value["stack"], str) and re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", value["stack"])):
        return f"{name}: stack {value['stack']!r} is not an achievement slug"
    revoked = value.get("revoked")
    if revoked is not None and not (
        isinstance(revoked, dict)
        and sorted(revoked) == ["date", "reason"]
        and isinstance(revoked["reason"], str)
        and isinstance(revoked["date"], str)
        and re.fullmatch(r"\d{4}-\d{2}-\d{2}", revoked["date"])
    ):
        return f"{name}: revoked must have exactly date (YYYY-MM-DD) and reason"
    return None


def missing_message(entry: dict[str, Any], url: str) -> str:
    """The lock's refusal when a stacked credential it holds cannot be found again."""
    credential_id = entry["id"]
    return (
        f"stacked credential {credential_id} ({url}) of '{entry['stack']}' was issued but the component awards "
        "it was issued for are no longer in the content: restore them (revoke one to revoke the stack), or erase "
        f"it with `credpress erase {credential_id} --reason …`"
    )
