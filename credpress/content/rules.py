"""Rules that span content files: references between them, and stacks."""

from __future__ import annotations

import difflib
from typing import Any

from . import stacks
from .checker import Checker
from .fields import Invalid, slug
from .load import LineDict, LoadedContent, SourceFile


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
    """Every issuer and achievement slug an achievement file names exists; stacks have no cycles."""
    graph: dict[str, list[tuple[str, int | None, str]]] = {}
    for stem, source in loaded.achievements.items():
        data = source.data
        if not isinstance(data, LineDict):
            continue
        if "issuer" in data:
            _reference(
                checker, empty, loaded.issuers, "issuer", data["issuer"], (source.path, data.lines["issuer"], "issuer")
            )
        field = "requires" if "requires" in data else "stack"
        if field not in data:
            continue
        for part, line, where in stacks.references(data[field], field, data.lines[field]):
            if part == stem:
                checker.error(source.path, line, where, f"a stack cannot require itself ('{stem}')")
                continue
            _reference(checker, empty, loaded.achievements, "achievement", part, (source.path, line, where))
            other = loaded.achievements.get(part)
            if other is None or not isinstance(other.data, LineDict):
                continue
            graph.setdefault(stem, []).append((part, line, where))
            owner = other.data.get("issuer")
            if isinstance(owner, str) and owner not in loaded.issuers:
                checker.error(source.path, line, where, f"'{part}' belongs to issuer '{owner}', which does not exist")
    _check_cycles(checker, loaded, graph)


def _check_cycles(checker: Checker, loaded: LoadedContent, graph: dict[str, list[tuple[str, int | None, str]]]) -> None:
    """Report every cycle of stacks requiring stacks once, naming it whole: a → b → c → a.

    Depth-first search with an explicit stack (linear in the references); a cycle is
    reported at the reference that closes it.
    """
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for root in sorted(graph):
        if root in state:
            continue
        path: list[str] = [root]
        edges: list[int] = [0]
        state[root] = 1
        while path:
            node, i = path[-1], edges[-1]
            targets = graph.get(node, [])
            if i == len(targets):
                state[node] = 2
                path.pop()
                edges.pop()
                continue
            edges[-1] += 1
            target, line, where = targets[i]
            if state.get(target) == 1:
                cycle = path[path.index(target) :] + [target]
                checker.error(loaded.achievements[node].path, line, where, "stacks form a cycle: " + " → ".join(cycle))
            elif target not in state:
                state[target] = 1
                path.append(target)
                edges.append(0)


def check_award_reference(
    checker: Checker, loaded: LoadedContent, empty: set[str], path: str, item: Any, prefix: str
) -> None:
    """The achievement an award names exists, whether or not the award's other fields are right."""
    if isinstance(item, LineDict) and "achievement" in item:
        where = (path, item.lines["achievement"], prefix + "achievement")
        _reference(checker, empty, loaded.achievements, "achievement", item["achievement"], where)
