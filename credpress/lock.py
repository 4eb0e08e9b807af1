"""The lock file: random values assigned once per award and kept in git.

``credpress.lock`` (JSON, in the content folder) maps each award's fingerprint
(a hash of achievement, learner and award date; see ``Award.fingerprint``) to the
values drawn for it at random the first time it was built: the credential id and
the salt of its hashed email. Like a package lock, the build maintains it and it
is committed, so ids survive rebuilds on other machines, reordering, renaming
and splitting files. Entries are never deleted, so an id is never reused.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .errors import ContentError, Problem
from .model import Award

LOCK_NAME = "credpress.lock"
VERSION = 1

RandomBytes = Callable[[int], bytes]


@dataclass(frozen=True)
class Assignment:
    credential_id: str  # a UUID, also the credential's file name
    salt: str


def award_key(award: Award) -> str:
    return hashlib.sha256(award.fingerprint.encode("utf-8")).hexdigest()[:32]


class Lock:
    def __init__(self, path: Path, entries: dict[str, dict[str, str]], existed: bool):
        self.path = path
        self.entries = entries
        self.existed = existed
        self.changed = False

    @classmethod
    def read(cls, content_root: Path) -> Lock:
        path = Path(content_root) / LOCK_NAME
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

    def assign(self, awards: tuple[Award, ...], random_bytes: RandomBytes = secrets.token_bytes) -> dict[str, Assignment]:
        """The assignment of every award, drawing new values for new awards only."""
        used = {entry["id"] for entry in self.entries.values()}
        result: dict[str, Assignment] = {}
        for award in awards:
            key = award_key(award)
            entry = self.entries.get(key)
            if entry is None:
                while True:
                    credential_id = str(uuid.UUID(bytes=random_bytes(16), version=4))
                    if credential_id not in used:
                        break
                entry = {"id": credential_id, "salt": random_bytes(8).hex()}
                used.add(credential_id)
                self.entries[key] = entry
                self.changed = True
            result[award.fingerprint] = Assignment(entry["id"], entry["salt"])
        return result

    def serialize(self) -> str:
        data = {"version": VERSION, "awards": dict(sorted(self.entries.items()))}
        return json.dumps(data, indent=2, sort_keys=False) + "\n"

    def write(self) -> None:
        """Write atomically: a temporary file in the same folder, then rename."""
        fd, tmp = tempfile.mkstemp(prefix=f".{LOCK_NAME}.", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(self.serialize())
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
