"""Rules that span content files: references between them, and stacks."""

from __future__ import annotations

import difflib
from typing import Any

from .checker import Checker
from .fields import Invalid, slug
from .load import LineDict, LineList, LoadedContent, SourceFile
from .model import Achievement, Award


def empty_files(loaded: LoadedContent) -> set[str]:
    """Paths of issuer and achievement files that hold no YAML value (empty or only comments)."""
    unreadable = {problem.path for problem in loaded.problems}
    return {
        source.path
        for source in (*loaded.issuers.values(), *loaded.achievements.values())
        if source.data is None and source.path not in unreadable
    }


def _reference(
    checker: Checker,
    empty: set[str],
    files: dict[str, SourceFile],
    kind: str,
    value: Any,
    where: tuple[str, int | None, str],
) -> None:
    """Report a slug (as written in the YAML) that names no file of *kind*, or an empty one.

    Runs on the raw value, whatever else is wrong with the file that holds it, so a
    wrong reference is reported in the same run as every other error. A value that is
    not a slug is left to its field's own checker.
    """
    try:
        value = slug(value)
    except Invalid:
        return
    path, line, field = where
    source = files.get(value)
    if source is None:
        hint = difflib.get_close_matches(value, files, 1)
        checker.error(
            path, line, field, f"unknown {kind} '{value}'" + (f" (did you mean '{hint[0]}'?)" if hint else "")
        )
    elif source.path in empty:
        checker.error(path, line, field, f"{kind} '{value}' is {source.path}, which is empty")


def check_references(checker: Checker, loaded: LoadedContent, empty: set[str]) -> None:
    """Every issuer and achievement slug an achievement file names exists; stacks are one level deep."""
    for stem, source in loaded.achievements.items():
        data = source.data
        if not isinstance(data, LineDict):
            continue
        if "issuer" in data:
            _reference(
                checker, empty, loaded.issuers, "issuer", data["issuer"], (source.path, data.lines["issuer"], "issuer")
            )
        stack = data.get("stack")
        if not isinstance(stack, LineList):
            continue
        for i, part in enumerate(stack):
            where = (source.path, stack.lines[i], f"stack[{i}]")
            if part == stem:
                checker.error(*where, "an achievement cannot stack into itself")
                continue
            _reference(checker, empty, loaded.achievements, "achievement", part, where)
            other = loaded.achievements.get(part) if isinstance(part, str) else None
            if other is not None and isinstance(other.data, LineDict) and other.data.get("stack"):
                checker.error(*where, f"'{part}' has a stack of its own; stacks are one level deep")


def check_award_reference(
    checker: Checker, loaded: LoadedContent, empty: set[str], path: str, item: Any, prefix: str
) -> None:
    """The achievement an award names exists, whether or not the award's other fields are right."""
    if isinstance(item, LineDict) and "achievement" in item:
        where = (path, item.lines["achievement"], prefix + "achievement")
        _reference(checker, empty, loaded.achievements, "achievement", item["achievement"], where)


def check_stacks(checker: Checker, awards: list[Award], achievements: dict[str, Achievement]) -> None:
    """Warn when a stacked achievement is awarded to someone missing a part of it."""
    held: dict[str, set[str]] = {}
    for award in awards:
        held.setdefault(award.recipient.identity, set()).add(award.achievement)
    for award in awards:
        stack = achievements[award.achievement].stack
        if any(part not in achievements for part in stack):
            continue  # a part has errors of its own, already reported
        missing = [part for part in stack if part not in held[award.recipient.identity]]
        if missing:
            checker.warn(
                award.source,
                award.line,
                "achievement",
                f"recipient does not hold {', '.join(missing)} from the stack of '{award.achievement}'",
            )
