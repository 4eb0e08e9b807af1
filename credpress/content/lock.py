"""The lock file: random values assigned once per award and kept in git.

``credpress.lock`` (JSON, in the content folder) maps each award's fingerprint
(a hash of achievement, learner and award date; see ``Award.fingerprint``) to the
values drawn for it at random the first time it was built: the credential id,
the salt of its hashed email and its index in the issuer's status list. Like a package lock, the build maintains it and it
is committed, so ids survive rebuilds on other machines, reordering, renaming
and splitting files. Entries are never deleted, so an id is never reused.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from ..errors import ContentError, Problem
from ..output.writer import atomic_write
from ..vc.bitstring import LIST_BITS
from .model import Award

LOCK_NAME = "credpress.lock"
VERSION = 1

RandomBytes = Callable[[int], bytes]
T = TypeVar("T")


@dataclass(frozen=True)
class Assignment:
    credential_id: str  # a UUID, also the credential's file name
    salt: str
    status_index: int  # this credential's bit in its issuer's status list


def _complete(entry: dict | None) -> bool:
    return entry is not None and {"id", "salt", "status_index"} <= set(entry)


def _draw(make: Callable[[], T], used: set[T]) -> T:
    """A random value not used before (ids and indexes are never reused)."""
    while True:
        value = make()
        if value not in used:
            used.add(value)
            return value


def award_key(award: Award) -> str:
    return hashlib.sha256(award.fingerprint.encode("utf-8")).hexdigest()[:32]


class Lock:
    def __init__(self, path: Path, entries: dict[str, dict[str, Any]], existed: bool):
        self.path = path
        self.entries = entries
        self.existed = existed
        self.changed = False

    @classmethod
    def read(cls, content_root: Path, clean: bool = False) -> Lock:
        """Read the lock; with *clean* (a build, holding the build lock), first
        delete temporary files left by a build that was killed while writing it."""
        path = Path(content_root) / LOCK_NAME
        for stale in path.parent.glob(f".{LOCK_NAME}.*") if clean else ():
            stale.unlink(missing_ok=True)
        if not path.exists():
            return cls(path, {}, existed=False)
        display = f"{Path(content_root).name}/{LOCK_NAME}"
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            line = getattr(exc, "lineno", None)
            raise ContentError([Problem(display, line, "", f"lock file is not valid JSON: {exc}")]) from None
        if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("awards"), dict):
            raise ContentError([Problem(display, None, "version", f"not a version {VERSION} credpress lock file")])
        return cls(path, data["awards"], existed=True)

    def assign(
        self, awards: tuple[Award, ...], random_bytes: RandomBytes = secrets.token_bytes, frozen: bool = False
    ) -> dict[str, Assignment]:
        """The assignment of every award, drawing new values for new awards only.

        With *frozen* (CI), an award that would need new values is an error
        instead: the committed lock must already hold every award.
        """
        missing = [a for a in awards if not _complete(self.entries.get(award_key(a)))]
        if frozen and missing:
            raise ContentError(
                [
                    Problem(
                        a.source,
                        a.line,
                        "",
                        f"award is not in {LOCK_NAME} (built with --frozen); run "
                        f"`credpress build` without --frozen and commit {self.path.parent.name}/{LOCK_NAME}",
                    )
                    for a in missing
                ]
            )
        used_ids = {entry["id"] for entry in self.entries.values()}
        used_indexes = {entry["status_index"] for entry in self.entries.values() if "status_index" in entry}
        for award in missing:
            entry = self.entries.setdefault(award_key(award), {})
            if "id" not in entry:
                entry["id"] = _draw(lambda: str(uuid.UUID(bytes=random_bytes(16), version=4)), used_ids)
                entry["salt"] = random_bytes(8).hex()
            if "status_index" not in entry:
                if len(used_indexes) >= LIST_BITS // 2:
                    raise ContentError(
                        [
                            Problem(
                                a.source,
                                a.line,
                                "",
                                "status list is half full; more awards than credpress supports per site",
                            )
                            for a in missing[:1]
                        ]
                    )
                entry["status_index"] = _draw(lambda: int.from_bytes(random_bytes(3), "big") % LIST_BITS, used_indexes)
            self.changed = True
        return {
            award.fingerprint: Assignment(str(entry["id"]), str(entry["salt"]), int(entry["status_index"]))
            for award in awards
            for entry in (self.entries[award_key(award)],)
        }

    def by_credential_id(self) -> dict[str, str]:
        """Credential id -> lock key (to find an award from its credential)."""
        return {entry["id"]: key for key, entry in self.entries.items()}

    def serialize(self) -> str:
        data = {"version": VERSION, "awards": dict(sorted(self.entries.items()))}
        return json.dumps(data, indent=2, sort_keys=False) + "\n"

    def write(self) -> None:
        """Write atomically: a temporary file in the same folder, then rename."""
        atomic_write(self.path, self.serialize())
