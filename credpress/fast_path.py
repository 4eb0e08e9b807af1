"""The no-op fast path: a rebuild with nothing changed returns the previous build's result.

Before loading anything, a build computes its **fingerprint**, a SHA-256 over
everything its output and its result depend on:

- every file under the content folder (relative path and bytes; links by what
  they point to), the lock file among them (its bytes as the build left them:
  a build that draws new ids stores the fingerprint of the lock it wrote);
- every template and static file (built-in and the provider's), credpress's
  version and a digest of its code, Python's version, the versions of the
  libraries that make bytes (Jinja2, Markdown, nh3, Pillow, segno, …) and the
  fonts the link previews are drawn with;
- the signing key's public key (and whether it is the development key), the
  canonicalizer (``CREDPRESS_CANONICALIZER``);
- the options that change the result: ``--strict``, ``--frozen``, the content,
  output and templates folders as given (messages name them) and as absolute
  paths. ``--workers`` never changes the output and is not part of it;
- the build's UTC date (learner records depend on it).

After a successful build the cache keeps (:class:`Record`, HMAC-tagged like
every cache entry) the fingerprint, the digest of the output folder's listing
(every file's path, size, modification time and inode, every folder: see
:mod:`credpress.output.manifest`) and what the build result needs. A build with
the same fingerprint whose output folder still has that listing returns that
result: 0 new and 0 changed credentials, the same warnings and stack lines,
expiry counted again as of now. Anything else (a file edited, added or removed
in the output, the record missing or failing its tag, an award's time of day
making an "is in the future" warning appear or go) is a normal build.
"""

from __future__ import annotations

import bisect
import hashlib
import importlib
import json
import os
import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .build_cache import BuildCache
from .build_summary import BuildSummary
from .content.lock import LOCK_NAME
from .dates import timestamp
from .errors import Problem
from .output import manifest
from .vc.keys import SigningKey

FORMAT = 1
RECORD = "no-op"
# The libraries whose versions can change output bytes (pyld is pinned and checked by vc.processor).
LIBRARIES = ("jinja2", "markdown", "nh3", "PIL", "segno", "rfc8785", "cryptography", "yaml", "idna", "defusedxml")


@dataclass(frozen=True)
class Fingerprint:
    """A build's fingerprint, in two parts: the lock file's digest, and everything else's."""

    rest: str
    lock: str

    @property
    def value(self) -> str:
        return hashlib.sha256(f"{self.rest}\0{self.lock}".encode()).hexdigest()

    def with_lock(self, text: bytes) -> Fingerprint:
        """The fingerprint once the build has written *text* as the lock file."""
        return Fingerprint(self.rest, _lock_digest(text))


def _lock_digest(data: bytes | None) -> str:
    return "absent" if data is None else hashlib.sha256(data).hexdigest()


def fingerprint(
    *,
    content: Path,
    out: Path,
    templates: Path,
    key: SigningKey,
    cache: BuildCache,
    strict: bool,
    frozen: bool,
    today: date,
) -> Fingerprint:
    """The fingerprint of a build with these inputs (reads every content file once)."""
    from .site import preview_art
    from .vc import jsonld

    digest = hashlib.sha256()
    settings: dict[str, Any] = {
        "format": FORMAT,
        "code": cache.code,
        "templates": cache.templates,
        "python": sys.version,
        "libraries": {name: str(getattr(importlib.import_module(name), "__version__", "")) for name in LIBRARIES},
        "fonts": [_stat(path) for paths in preview_art.FONT_FILES.values() for path in paths],
        "canonicalizer": jsonld.route,
        "public_key": key.public_multibase,
        "development_key": key.development,
        "strict": strict,
        "frozen": frozen,
        "today": today.isoformat(),
        "paths": [os.fspath(p) for p in (content, out, templates)]
        + [os.fspath(Path(p).absolute()) for p in (content, out, templates)],
    }
    digest.update(json.dumps(settings, sort_keys=True).encode("utf-8"))
    lock: bytes | None = None
    for rel, kind, data in _tree(Path(content)):
        if rel == LOCK_NAME and kind == "f":
            lock = data
            continue
        if rel.startswith(f".{LOCK_NAME}."):
            continue  # a killed build's temporary lock file, deleted by every build before reading
        name = rel.encode("utf-8", "surrogateescape")
        digest.update(b"%s\0%d\0%s\0%d\0" % (kind.encode(), len(name), name, len(data)))
        digest.update(data)
    return Fingerprint(digest.hexdigest(), _lock_digest(lock))


def _stat(path: str) -> list[Any]:
    try:
        st = os.stat(path)
    except OSError:
        return [path]
    return [path, st.st_size, st.st_mtime_ns]


def _tree(root: Path) -> list[tuple[str, str, bytes]]:
    """(relative path, kind, bytes) of everything under *root*, in name order: files ("f", their
    bytes), folders ("d"), links ("l", what they say; then what they lead to), other ("x")."""
    found: list[tuple[str, str, bytes]] = []
    seen: set[str] = set()

    def read(path: str) -> bytes:
        try:
            with open(path, "rb") as handle:
                return handle.read()
        except OSError as exc:
            return f"unreadable: {exc.errno}".encode()

    def walk(path: str, prefix: str) -> None:
        try:
            with os.scandir(path) as scanned:
                entries = sorted(scanned, key=lambda e: e.name)
        except OSError as exc:
            found.append((prefix, "x", f"unreadable: {exc.errno}".encode()))
            return
        for entry in entries:
            rel = prefix + entry.name
            if entry.is_symlink():
                target = os.path.realpath(entry.path)
                found.append((rel, "l", os.fsencode(os.readlink(entry.path)) + b"\0" + os.fsencode(target)))
                if os.path.isdir(target):
                    if target not in seen:
                        seen.add(target)
                        walk(target, rel + "/")
                elif os.path.isfile(target):
                    found.append((rel, "f", read(target)))
            elif entry.is_dir(follow_symlinks=False):
                found.append((rel, "d", b""))
                walk(entry.path, rel + "/")
            elif entry.is_file(follow_symlinks=False):
                found.append((rel, "f", read(entry.path)))
            else:
                found.append((rel, "x", b""))

    if os.path.isdir(root):
        seen.add(os.path.realpath(root))
        walk(os.fspath(root), "")
    else:
        found.append(("", "x", b"missing"))
    return found


@dataclass
class Record:
    """What the fast path keeps of a successful build: its fingerprint, its output folder's
    listing, and what its result needs."""

    fingerprint: str
    out: str  # the output folder's absolute path
    listing: str  # manifest.listing_digest of the output folder the build committed
    credentials: int
    files: int
    warnings: list[Problem] = field(default_factory=list)
    stacks: list[str] = field(default_factory=list)
    revoked: int = 0
    until: list[float] = field(default_factory=list)  # every credential's validUntil (POSIX time), sorted
    lines: list[str] = field(default_factory=list)  # the summary's extra lines
    # The build's "is in the future" warnings hold for clocks in [since, before) (POSIX time).
    since: float | None = None
    before: float | None = None

    def encode(self) -> bytes:
        data = {**self.__dict__, "format": FORMAT, "warnings": [list(w.__dict__.values()) for w in self.warnings]}
        return json.dumps(data, ensure_ascii=False).encode("utf-8")

    @classmethod
    def decode(cls, body: bytes) -> Record | None:
        try:
            data = json.loads(body)
            if data.pop("format") != FORMAT:
                return None
            data["warnings"] = [Problem(*w) for w in data["warnings"]]
            return cls(**data)
        except (ValueError, TypeError, KeyError, AttributeError):
            return None

    def summary(self, now: datetime) -> BuildSummary:
        """The summary a build with nothing changed gives, with expiry counted as of *now*."""
        expired = bisect.bisect_right(self.until, now.timestamp())
        return BuildSummary(
            credentials=self.credentials,
            files=self.files,
            unchanged=self.credentials,
            revoked=self.revoked,
            expired=expired,
            as_of=timestamp(now),
            warnings=len(self.warnings),
            lines=list(self.lines),
        )


def clock_window(awarded: list[datetime], now: datetime) -> tuple[float | None, float | None]:
    """The clocks for which the same awards are "in the future" as at *now* (content.check):
    [since, before), in POSIX time."""
    past = [a for a in awarded if not a > now]
    future = [a for a in awarded if a > now]
    return (max(past).timestamp() if past else None, min(future).timestamp() if future else None)


def lookup(cache: BuildCache, out: Path, value: str, now: datetime) -> Record | None:
    """The previous build's record, if it had fingerprint *value* and *out* is still as it left it."""
    body = cache.record(RECORD, out)
    record = Record.decode(body) if body is not None else None
    if record is None or record.fingerprint != value or record.out != os.fspath(Path(out).absolute()):
        return None
    clock = now.timestamp()
    if (record.since is not None and clock < record.since) or (record.before is not None and clock >= record.before):
        return None
    if manifest.scan(Path(out)) != record.listing:
        return None
    return record


def save(cache: BuildCache, out: Path, record: Record) -> None:
    """Keep *record* for the next build into *out*."""
    cache.save_record(RECORD, out, record.encode())
