"""Walking and editing JSON documents by path, for the mutation and tamper tests."""

from __future__ import annotations

import copy
from typing import Any

Path = tuple[Any, ...]


def paths(value: Any, prefix: Path = ()) -> list[Path]:
    """Every path below *value* (containers and leaves), depth first, root excluded."""
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    found: list[Path] = []
    for key, item in items:
        found.append((*prefix, key))
        found += paths(item, (*prefix, key))
    return found


def leaves(value: Any, path: Path = (), skip: tuple[str, ...] = ()) -> list[tuple[Path, Any]]:
    """(path, value) of every scalar below *value*, leaving out keys in *skip*."""
    if isinstance(value, dict):
        return [leaf for k, v in value.items() if k not in skip for leaf in leaves(v, (*path, k), skip)]
    if isinstance(value, list):
        return [leaf for i, v in enumerate(value) for leaf in leaves(v, (*path, i), skip)]
    return [(path, value)]


def parent_of(document: Any, path: Path) -> Any:
    target = document
    for step in path[:-1]:
        target = target[step]
    return target


def with_value(document: Any, path: Path, value: Any) -> Any:
    """A copy of *document* with the value at *path* replaced."""
    copied = copy.deepcopy(document)
    parent_of(copied, path)[path[-1]] = value
    return copied


def without(document: Any, path: Path) -> Any:
    """A copy of *document* with the value at *path* removed."""
    copied = copy.deepcopy(document)
    del parent_of(copied, path)[path[-1]]
    return copied
