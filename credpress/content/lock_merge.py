"""The lock file through a git merge: ``credpress lock-merge %O %A %B`` and its installation.

:func:`merge` is a three-way union of entries: values drawn on both sides for the
same award keep ours, and every id or index collision is re-drawn for the entries
that exist only on the merged-in side, with the build's own drawing functions
(:func:`.lock.draw_id` …), so nothing the deployed branch published changes.
"""

from __future__ import annotations

import secrets
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ContentError, LockError, Problem
from .lock import (
    LOCK_NAME,
    collision_problem,
    collisions,
    draw_id,
    draw_salt,
    is_erased,
    lock_problems,
    parse_lock,
    serialize_entries,
    write_lock_file,
)
from .status_index import IndexPool, describe

RandomBytes = Callable[[int], bytes]
DRIVER_NAME = "credpress-lock"
DRIVER_COMMAND = "credpress lock-merge %O %A %B"


# --- lock-merge ----------------------------------------------------------------------------------


@dataclass
class MergeResult:
    text: str  # the merged lock file
    redrawn: list[str] = field(default_factory=list)  # what was re-drawn, one line each
    problems: list[Problem] = field(default_factory=list)  # collisions left (the merge then fails)


def _side(text: str, name: str) -> dict[str, Any]:
    """One side of a merge as key -> entry; an empty file (no common ancestor) is an empty lock."""
    if not text.strip():
        return {}
    entries = parse_lock(text, name)
    problems = lock_problems(entries, name)
    if problems:
        raise ContentError(problems)
    return {e.key: e.value for e in entries}


def merge(
    base_text: str, ours_text: str, theirs_text: str, random_bytes: RandomBytes = secrets.token_bytes
) -> MergeResult:
    """Three-way merge of lock files (see the module docstring); ContentError if a side is broken."""
    base, ours, theirs = _side(base_text, "base"), _side(ours_text, "ours"), _side(theirs_text, "theirs")
    merged: dict[str, Any] = {}
    for key in sorted(set(base) | set(ours) | set(theirs)):
        b, o, t = base.get(key), ours.get(key), theirs.get(key)
        if o == t or t == b:
            value = o
        elif o == b:
            value = t
        else:  # changed differently on both sides: keep ours (an entry is never lost to a deletion)
            value = o if o is not None else t
        if value is not None:
            merged[key] = value
    # Entries only the merged-in side has are the ones that may be re-drawn (never an erased one).
    movable = sorted(k for k in merged if k not in base and k not in ours and not is_erased(merged[k]))
    fixed = [k for k in merged if k not in movable]
    used_ids = {merged[k]["id"] for k in fixed}
    used_indexes = IndexPool(merged[k]["status_index"] for k in fixed)
    result = MergeResult("")
    for key in movable:
        entry = dict(merged[key])
        if entry["id"] in used_ids:
            old = entry["id"]
            entry["id"], entry["salt"] = draw_id(random_bytes, used_ids), draw_salt(random_bytes)
            result.redrawn.append(f"award {key}: credential id {old} was taken, re-drawn as {entry['id']}")
        used_ids.add(entry["id"])
        if entry["status_index"] in used_indexes:
            old = entry["status_index"]
            entry["status_index"] = used_indexes.draw(random_bytes)
            result.redrawn.append(
                f"award {key}: status index {describe(old)} was taken, re-drawn as {describe(entry['status_index'])}"
            )
        used_indexes.add(entry["status_index"])
        merged[key] = entry
    result.text = serialize_entries(merged)
    entries = parse_lock(result.text, LOCK_NAME)
    result.problems = [collision_problem(c, LOCK_NAME) for c in collisions(entries)]
    return result


def merge_files(base: Path, ours: Path, theirs: Path, random_bytes: RandomBytes = secrets.token_bytes) -> MergeResult:
    """The merge driver on files: the merged lock replaces *ours* (git's %A)."""
    try:
        texts = [p.read_text("utf-8") for p in (base, ours, theirs)]
    except (OSError, UnicodeDecodeError) as exc:
        raise LockError(f"cannot read a side of the merge: {exc}") from None
    result = merge(texts[0], texts[1], texts[2], random_bytes)
    write_lock_file(ours, result.text, str(ours))
    return result


def install_merge_driver(content: Path) -> list[str]:
    """Register the merge driver: a line in the repository's .gitattributes and ``git config``.

    Returns what was done, one line each.
    """
    lock = (Path(content) / LOCK_NAME).absolute()
    try:
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], cwd=lock.parent, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        raise LockError(f"{lock.parent} is not in a git repository (or git is not installed)") from None
    root = Path(top).resolve()
    rel = lock.resolve().relative_to(root).as_posix()
    line = f"{rel} merge={DRIVER_NAME}"
    attributes = root / ".gitattributes"
    done = []
    try:
        text = attributes.read_text("utf-8") if attributes.exists() else ""
        if line not in text.splitlines():
            attributes.write_text(text + ("" if not text or text.endswith("\n") else "\n") + line + "\n", "utf-8")
            done.append(f"Added to {attributes}: {line}")
        for name, value in (
            ("name", "credpress lock file (union of awards, collisions re-drawn)"),
            ("driver", DRIVER_COMMAND),
        ):
            subprocess.run(["git", "config", f"merge.{DRIVER_NAME}.{name}", value], cwd=root, check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        raise LockError(f"could not install the merge driver: {exc}") from None
    done.append(f"Set git config merge.{DRIVER_NAME}.driver to: {DRIVER_COMMAND}")
    return done
