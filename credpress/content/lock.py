"""The lock file: random values assigned once per award and kept in git.

``credpress.lock`` (JSON, in the content folder) maps each award's fingerprint
(a hash of achievement, learner and award date; see ``Award.fingerprint``) to the
values drawn for it at random the first time it was built: the credential id,
the salt of its hashed email and its index in the issuer's status list. Like a
package lock, the build maintains it and it is committed, so ids survive rebuilds
on other machines, reordering, renaming and splitting files.

Its rules, checked every time it is read:

- every entry is an object with ``id`` (a UUID), ``salt`` (16 hex digits) and
  ``status_index`` (0 to 8,388,607: list ``index // 131072 + 1`` of the issuer's
  status lists, bit ``index % 131072`` of it; see :mod:`.status_index`); no two
  entries share an award, an id or an index;
- an entry is never deleted: a credential the lock says was issued must still
  have its award in the content (the build refuses otherwise), unless it was
  *erased* (``credpress erase``): then the entry keeps only its id and index,
  both retired for good, plus when, why and by which issuer, and the issuer's
  status list has that bit set.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from ..errors import ContentError, OutputError, Problem
from ..output.writer import atomic_write
from ..vc.bitstring import LIST_BITS
from . import stacks
from .model import Award, Model
from .status_index import INDEX_LIMIT, MAX_LISTS, IndexPool, describe, full_message, list_bit, list_number

LOCK_NAME = "credpress.lock"
VERSION = 1
FIELDS = ("id", "salt", "status_index")
STACK_FIELDS = ("stack", "revoked")  # a stacked credential's entry: its stack, and its cascade revocation
ERASED_FIELDS = ("id", "status_index", "erased")
ERASED_INFO = ("date", "reason", "issuer")
ERASED_PREFIX = "erased-"
UNMATCHED_PREFIX = "unmatched-"
REPAIR_HINT = "after a git merge, run `credpress lock repair --site DIR` (README: Working with branches)"

RandomBytes = Callable[[int], bytes]
T = TypeVar("T")

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_SALT = re.compile(r"[0-9a-f]{16}")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
RECORD_PREFIX = "record-"  # a learner record's entry (credpress.content.learners)
_RECORD_KEY = re.compile(RECORD_PREFIX + "[0-9a-f]{32}")


@dataclass(frozen=True)
class Assignment:
    credential_id: str  # a UUID, also the credential's file name
    salt: str
    status_index: int  # this credential's place in its issuer's status lists (content.status_index)

    @property
    def status_list(self) -> int:
        """The number (from 1) of the issuer's status list that holds this credential's bit."""
        return list_number(self.status_index)

    @property
    def list_index(self) -> int:
        """This credential's bit in that list: its ``statusListIndex``."""
        return list_bit(self.status_index)

    @classmethod
    def of(cls, entry: dict[str, Any]) -> Assignment:
        """The assignment a lock entry holds."""
        return cls(str(entry["id"]), str(entry["salt"]), int(entry["status_index"]))


def draw_entry(random_bytes: RandomBytes, used_ids: set[str], used_indexes: IndexPool) -> dict[str, Any]:
    """A new lock entry: an id, a salt and a status index, none used before (each added to *used*)."""
    return {
        "id": draw_id(random_bytes, used_ids),
        "salt": draw_salt(random_bytes),
        "status_index": used_indexes.draw(random_bytes),
    }


def draw_id(random_bytes: RandomBytes, used: set[str]) -> str:
    """A random UUID (v4) not in *used*, added to it (ids are never reused)."""
    return _draw(lambda: str(uuid.UUID(bytes=random_bytes(16), version=4)), used)


def draw_salt(random_bytes: RandomBytes) -> str:
    """A random salt for a hashed email: 16 hex digits."""
    return random_bytes(8).hex()


def _draw(make: Callable[[], T], used: set[T]) -> T:
    """A random value not used before (ids are never reused)."""
    while True:
        value = make()
        if value not in used:
            used.add(value)
            return value


def award_key(award: Award) -> str:
    """The award's key in the lock: a hash of its fingerprint."""
    return _key(award.fingerprint)


@lru_cache(maxsize=1 << 17)
def _key(fingerprint: str) -> str:
    return hashlib.sha256(fingerprint.encode("utf-8")).hexdigest()[:32]


def lock_display(content_root: Path) -> str:
    """How messages name the lock file: ``content/credpress.lock``."""
    return f"{Path(content_root).name}/{LOCK_NAME}"


def is_erased(entry: dict[str, Any]) -> bool:
    """Whether the entry is a credential erased at its learner's request."""
    return "erased" in entry


# --- Reading: parse, then check every rule ------------------------------------------------


@dataclass
class LockEntry:
    """One entry of the lock as read, with the line of its key (None when unknown)."""

    key: str
    value: Any
    line: int | None


class _Pairs(list):
    """A JSON object as its list of (key, value) pairs (keeps duplicate keys)."""


_TOKEN = re.compile(r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"|[{}\[\]]')
_COLON = re.compile(r"\s*:")


def _key_lines(text: str) -> list[tuple[str, int]]:
    """(key, line) of every entry of ``awards``, in order, in one pass over the text."""
    found: list[tuple[str, int]] = []
    depth, line, counted, section = 0, 1, 0, None
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token in "{[":
            depth += 1
        elif token in "}]":
            depth -= 1
        elif depth <= 2 and _COLON.match(text, match.end()):
            key = json.loads(token) if "\\" in token else token[1:-1]
            if depth == 1:
                section = key
            elif section == "awards":
                line += text.count("\n", counted, match.start())
                counted = match.start()
                found.append((key, line))
    return found


def _plain(value: Any) -> Any:
    if isinstance(value, _Pairs):
        return {k: _plain(v) for k, v in value}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def parse_lock(text: str, display: str) -> list[LockEntry]:
    """The entries of a lock file's text, in order (duplicates kept), with their lines.

    Raises ContentError if it is not JSON or not a version 1 lock file.
    """
    try:
        data = json.loads(text, object_pairs_hook=_Pairs)
    except json.JSONDecodeError as exc:
        raise ContentError([Problem(display, exc.lineno, "", f"lock file is not valid JSON: {exc}")]) from None
    top = dict(data) if isinstance(data, _Pairs) else {}
    awards = top.get("awards")
    if top.get("version") != VERSION or not isinstance(awards, _Pairs):
        raise ContentError([Problem(display, None, "version", f"not a version {VERSION} credpress lock file")])
    lines = _key_lines(text)
    same = len(lines) == len(awards) and all(k == key for (k, _), (key, _) in zip(awards, lines))
    return [LockEntry(key, _plain(value), lines[i][1] if same else None) for i, (key, value) in enumerate(awards)]


def _malformed(entry: LockEntry) -> str | None:
    """What is wrong with one entry on its own, or None."""
    value, name = entry.value, f"entry {entry.key!r}"
    if not isinstance(value, dict):
        return f"{name} is not an object"
    if name.startswith(f"entry '{RECORD_PREFIX}") and not _RECORD_KEY.fullmatch(entry.key):
        return f"{name}: a learner record's key is {RECORD_PREFIX!r} followed by 32 lower-case hex digits"
    fields = ERASED_FIELDS if is_erased(value) else FIELDS
    for missing in (f for f in fields if f not in value):
        return f"{name} lacks {missing!r}"
    optional = () if is_erased(value) or "stack" not in value else STACK_FIELDS
    for extra in (f for f in value if f not in fields + optional):
        return f"{name} has an unknown field {extra!r}"
    if optional and (message := stacks.lock_entry_problem(value, name)):
        return message
    if not isinstance(value["id"], str) or not _UUID.fullmatch(value["id"]):
        return f"{name}: credential id {value['id']!r} is not a UUID (like 0470402b-3e37-47a3-a725-2e6a8ad485b7)"
    index = value["status_index"]
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < INDEX_LIMIT:
        return (
            f"{name}: status index {index!r} is not a whole number from 0 to {INDEX_LIMIT - 1} "
            f"({MAX_LISTS} status lists of {LIST_BITS} bits)"
        )
    if is_erased(value):
        info = value["erased"]
        if not isinstance(info, dict) or sorted(info) != sorted(ERASED_INFO):
            return f"{name}: erased must have exactly {', '.join(ERASED_INFO)}"
        try:
            date.fromisoformat(info["date"])
        except (TypeError, ValueError):
            return f"{name}: erased.date {info['date']!r} is not a date (YYYY-MM-DD)"
        if not isinstance(info["reason"], str) or not isinstance(info["issuer"], str):
            return f"{name}: erased.reason and erased.issuer must be text"
        if not _SLUG.fullmatch(info["issuer"]):
            return f"{name}: erased.issuer {info['issuer']!r} is not an issuer slug"
    elif not isinstance(value["salt"], str) or not _SALT.fullmatch(value["salt"]):
        return f"{name}: salt {value['salt']!r} is not 16 lower-case hex digits"
    return None


@dataclass(frozen=True)
class Collision:
    """Entries that share what must be unique: an award (key), a credential id or a status index."""

    kind: str  # "award" | "id" | "index"
    value: Any
    entries: tuple[LockEntry, ...]


def collisions(entries: Iterable[LockEntry]) -> list[Collision]:
    """Every award key, credential id and status index held by more than one well-formed entry."""
    groups: dict[tuple[str, Any], list[LockEntry]] = {}
    for entry in entries:
        if _malformed(entry) is None:
            for kind, value in (
                ("award", entry.key),
                ("id", entry.value["id"]),
                ("index", entry.value["status_index"]),
            ):
                groups.setdefault((kind, value), []).append(entry)
    return [Collision(kind, value, tuple(found)) for (kind, value), found in groups.items() if len(found) > 1]


def _where(entries: tuple[LockEntry, ...]) -> str:
    """``line 4 and line 9``; by key where lines are unknown or shared (a lock on one line)."""
    lines = [e.line for e in entries]
    if None not in lines and len(set(lines)) == len(lines):
        return " and ".join(f"line {line}" for line in lines)
    return " and ".join(f"entry {e.key!r}" + (f" (line {e.line})" if e.line else "") for e in entries)


def collision_problem(collision: Collision, display: str) -> Problem:
    """The message for one collision, at the later entry's line, naming every entry's line."""
    first, *others = collision.entries
    where = _where(collision.entries)
    if collision.kind == "award":
        message = f"award {collision.value!r} has two entries, at {where}"
    elif collision.kind == "id":
        message = (
            f"credential id {collision.value} is used by the entries at {where}: two credentials would share one URL"
        )
    else:
        ids = " and ".join(e.value["id"] for e in collision.entries)
        message = (
            f"status index {describe(collision.value)} is used by the entries at {where} (credentials {ids}): "
            "revoking one would revoke the other"
        )
    return Problem(display, others[-1].line, "", f"{message}; {REPAIR_HINT}")


def lock_problems(entries: list[LockEntry], display: str) -> list[Problem]:
    """Every broken rule of the lock: malformed entries, then collisions."""
    problems = [Problem(display, e.line, "", message) for e in entries if (message := _malformed(e))]
    return problems + [collision_problem(c, display) for c in collisions(entries)]


def read_entries(path: Path, display: str) -> list[LockEntry]:
    """The lock file's entries (not yet checked); ContentError if unreadable or not a lock."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError([Problem(display, None, "", f"cannot read the lock file: {exc}")]) from None
    return parse_lock(text, display)


# --- The lock -------------------------------------------------------------------------------


class Lock:
    """A checked lock file: award key -> entry, plus the line of each entry read."""

    def __init__(
        self,
        path: Path,
        entries: dict[str, dict[str, Any]],
        existed: bool,
        lines: dict[str, int | None] | None = None,
    ):
        self.path = path
        self.entries = entries
        self.existed = existed
        self.lines = lines or {}
        self.changed = False
        self.display = f"{path.parent.name}/{LOCK_NAME}"

    @classmethod
    def read(cls, content_root: Path, clean: bool = False) -> Lock:
        """Read and check the lock (ContentError naming every broken rule and its line).

        With *clean* (a build, holding the build lock), first delete temporary
        files left by a build that was killed while writing it.
        """
        path = Path(content_root) / LOCK_NAME
        for stale in path.parent.glob(f".{LOCK_NAME}.*") if clean else ():
            stale.unlink(missing_ok=True)
        if not path.exists():
            return cls(path, {}, existed=False)
        display = lock_display(content_root)
        entries = read_entries(path, display)
        problems = lock_problems(entries, display)
        if problems:
            raise ContentError(problems)
        return cls(path, {e.key: e.value for e in entries}, True, {e.key: e.line for e in entries})

    def issued_but_missing(self, model: Model, stacked: Iterable[str] = ()) -> list[Problem]:
        """A problem for every credential the lock says was issued whose award is gone
        (*stacked*: the keys of the stacked credentials found again, documents/stacks.py)."""
        present = {award_key(a) for a in model.awards} | set(stacked)
        problems = []
        for key, entry in self.entries.items():
            if key in present or is_erased(entry) or key.startswith(RECORD_PREFIX):
                continue  # a learner record's entry has rules of its own (content.learners)
            credential_id = entry["id"]
            url = f"{model.site.base_url}credentials/{credential_id}.json"
            if "stack" in entry:
                problems.append(Problem(self.display, self.lines.get(key), "", stacks.missing_message(entry, url)))
                continue
            problems.append(
                Problem(
                    self.display,
                    self.lines.get(key),
                    "",
                    f"credential {credential_id} ({url}) was issued but its award is no longer in the content: "
                    "restore the award, revoke it (revoked: date/reason keeps it published), or erase it with "
                    f"`credpress erase {credential_id} --reason …`",
                )
            )
        return problems

    def assign(
        self, awards: tuple[Award, ...], random_bytes: RandomBytes = secrets.token_bytes, frozen: bool = False
    ) -> dict[str, Assignment]:
        """The assignment of every award, drawing new values for new awards only.

        With *frozen* (CI), an award that would need new values is an error
        instead: the committed lock must already hold every award.
        """
        missing = [a for a in awards if award_key(a) not in self.entries]
        if frozen and missing:
            raise ContentError(
                [
                    Problem(
                        a.source,
                        a.line,
                        "",
                        f"award is not in {LOCK_NAME} (built with --frozen); run "
                        f"`credpress build` without --frozen and commit {self.display}",
                    )
                    for a in missing
                ]
            )
        used_ids = {entry["id"] for entry in self.entries.values()}
        used_indexes = self.index_pool()
        if len(missing) > (room := used_indexes.room()):
            a = missing[room]  # the first award that does not fit
            raise ContentError([Problem(a.source, a.line, "", full_message(len(missing) - room))])
        for award in missing:
            self.entries[award_key(award)] = {
                **draw_entry(random_bytes, used_ids, used_indexes),
                **({"stack": award.achievement} if award.stacked else {}),
            }
            self.changed = True
        return {award.fingerprint: Assignment.of(self.entries[award_key(award)]) for award in awards}

    def index_pool(self) -> IndexPool:
        """The status indexes of every entry, to draw new ones from."""
        return IndexPool(entry["status_index"] for entry in self.entries.values())

    def erased_indexes(self) -> dict[str, list[tuple[int, date]]]:
        """Issuer slug -> (status index, date) of every credential erased at its learner's request."""
        found: dict[str, list[tuple[int, date]]] = {}
        for entry in self.entries.values():
            if is_erased(entry):
                info = entry["erased"]
                found.setdefault(info["issuer"], []).append((entry["status_index"], date.fromisoformat(info["date"])))
        return found

    def erase(self, key: str, when: date, reason: str, issuer: str) -> str:
        """Mark the entry of *key* erased; returns its new key.

        The entry loses its salt and its award key (a hash of the learner's
        identity) and keeps its id and status index, retired for good.
        """
        entry = self.entries.pop(key)
        new_key = ERASED_PREFIX + entry["id"]
        self.entries[new_key] = {
            "id": entry["id"],
            "status_index": entry["status_index"],
            "erased": {"date": when.isoformat(), "reason": reason, "issuer": issuer},
        }
        self.changed = True
        return new_key

    def by_credential_id(self) -> dict[str, str]:
        """Credential id -> lock key (to find an award from its credential)."""
        return {entry["id"]: key for key, entry in self.entries.items()}

    def serialize(self) -> str:
        """The lock file's text: JSON, 2-space indent, entries sorted by key."""
        return serialize_entries(self.entries)

    def write(self) -> str:
        """Write atomically: a temporary file in the same folder, then rename. Returns the text written."""
        text = self.serialize()
        write_lock_file(self.path, text, self.display)
        return text


def serialize_entries(entries: dict[str, Any]) -> str:
    """A lock file's text for *entries*."""
    data = {"version": VERSION, "awards": dict(sorted(entries.items()))}
    return json.dumps(data, indent=2, sort_keys=False) + "\n"


def write_lock_file(path: Path, text: str, display: str) -> None:
    """Replace the lock file atomically; OutputError (naming it) if that fails."""
    try:
        atomic_write(path, text)
    except OSError as exc:
        raise OutputError(
            f"could not write {display}: {exc.strerror or exc}; nothing was changed "
            "(the previous lock file and output are intact)"
        ) from None
