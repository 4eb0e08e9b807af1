"""The build cache: what an incremental rebuild may reuse, kept outside the output.

A rebuild re-signs only the credentials whose inputs changed and re-renders only
the badge pages whose inputs changed. Each reusable result is one row of the
SQLite database ``entries.sqlite``, found by its kind and its **entry key**, a
SHA-256 of everything that went into it:

- a signed credential: the award, its achievement, its issuer, its lock values,
  the site, the public key and verification method, credpress's version and a
  digest of credpress's own code (so a new release, or an edited checkout, never
  reuses output of older code);
- a badge page: its whole render context (every value the template sees), the
  digest of the signed JSON it embeds, and a digest of every template and static
  file (built-in and the provider's ``site_templates/``).

QR codes (keyed by the page URL) and link-preview cards (by their words, art and
fonts) are kept the same way. For each output folder the cache also keeps what
the previous build into it did: the credentials it published (``last-build``,
for the summary), every file it wrote with its size, time, inode, digest and
cache entry (``output-files``, for the incremental writer,
:mod:`credpress.output.manifest`), its fingerprint and result (``no-op``, for
:mod:`credpress.fast_path`), and the folder its swap took out (``spare-…``,
recycled by the next build as its temporary folder; :mod:`credpress.output.writer`).

One database rather than a file per entry: creating a file is the costly part
of writing on most disks (a file system journals each new inode), and a build of
10,000 awards would otherwise create 30,000 of them besides its output. Entries
are stored by the build process only, in a few large transactions; worker
processes read with their own connection (never one inherited across fork,
SQLite FAQ "Can multiple applications or multiple instances of the same
application access a single database file at the same time?" and "How To Corrupt
An SQLite Database File" §2.6) and hand what they made to the build process.

The cache lives in ``.credpress/cache/`` beside the content folder, which the
build lock's ``.gitignore`` keeps out of git, never in the output folder. It is
never trusted blindly: every entry starts with an HMAC-SHA256 tag over its key
and body, keyed by a value derived from the signing key (its Ed25519 signature
over a fixed label, RFC 8032 §5.1.6 signatures being deterministic), so a
corrupt, truncated, edited or foreign entry (another key, another machine) is a
miss and is rebuilt; so is every entry of a database SQLite cannot read, which
is then replaced. A cache folder written by another credpress version or cache
format is emptied. Deleting the cache only costs time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import sqlite3
import tempfile
import weakref
from collections.abc import Iterable
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

from . import __version__
from .content.model import Site
from .documents.record import CredentialRecord
from .output import manifest
from .output.manifest import FileEntry
from .vc.keys import SigningKey

CACHE_FORMAT = 3  # 1: a file per entry, in a folder per kind; 3: entries.sqlite (rowid table)
_TAG = 32  # bytes of HMAC-SHA256
_KINDS = ("signed", "pages", "qr", "previews", "parsed")
_DATABASE = "entries.sqlite"
_FLUSH_BYTES = 32 << 20  # entries waiting to be stored, at most (then one transaction stores them)
_MANIFEST = "last-build"  # what the previous build into an output folder published (the summary's)
_FILES = "output-files"  # every file the previous build wrote there (output.manifest)
_NOOP = "no-op"  # the previous build's fingerprint and result (fast_path)
_SPARE = "spare"  # the folder that build swapped out, recycled as the next temporary folder


def _out_id(out: Path) -> str:
    """A short name for the output folder *out* (by its absolute path)."""
    return hashlib.sha256(os.fsencode(Path(out).absolute())).hexdigest()[:16]


def cache_folder(project_root: Path) -> Path:
    """Where the cache of the project whose content folder is in *project_root* lives."""
    return Path(project_root) / ".credpress" / "cache"


def _tree_digest(folders: Iterable[Path], suffixes: tuple[str, ...] | None = None) -> str:
    """SHA-256 over the relative path and bytes of every file under *folders*, in sorted order."""
    digest = hashlib.sha256()
    for folder in folders:
        if not folder.is_dir():
            digest.update(b"-\0")
            continue
        files = sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        for path in files:
            if suffixes and path.suffix not in suffixes:
                continue
            rel = path.relative_to(folder).as_posix().encode("utf-8")
            data = path.read_bytes()
            digest.update(b"%d\0%s%d\0" % (len(rel), rel, len(data)))
            digest.update(data)
        digest.update(b"\1")
    return digest.hexdigest()


def code_digest() -> str:
    """credpress's version, cache format and a digest of its Python code and bundled data."""
    package = Path(str(resources.files("credpress")))
    tree = _tree_digest([package], (".py", ".json", ".jsonld", ".txt"))
    return f"{__version__}:{CACHE_FORMAT}:{tree}"


def templates_digest(user_templates: Path | None) -> str:
    """A digest of every template and static file a page may use (built-in and the provider's)."""
    package = Path(str(resources.files("credpress")))
    folders = [package / "templates", package / "static"]
    if user_templates is not None:
        folders.append(Path(user_templates))
    return _tree_digest(folders)


def _file_stat(path: str) -> tuple[int, int] | None:
    """Size and modification time of *path*, or None where there is no such file."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_size, found.st_mtime_ns


def _plain(obj: Any) -> Any:
    """A model object without its source file and line (where it was written is not what it says)."""
    changes: dict[str, Any] = {name: "" for name in ("source",) if hasattr(obj, name)}
    if hasattr(obj, "line"):
        changes["line"] = 0
    return replace(obj, **changes) if changes else obj


def _sha(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()


class BuildCache:
    """Entries of one project's cache, bound to one signing key and one version of the code."""

    def __init__(self, folder: Path, key: SigningKey, templates: Path | None):
        self.folder = Path(folder)
        self.code = code_digest()
        self.templates = templates_digest(templates)
        self.public_key = key.public_multibase
        # Never the private key: a value only its holder can compute, used only as a MAC key.
        self._mac_key = hashlib.sha256(key.sign(b"credpress build cache MAC key v1")).digest()
        self.used: dict[str, set[str]] = {kind: set() for kind in _KINDS}
        self._shared: dict[tuple[int, int, int], tuple[Any, Any, Any, str]] = {}
        self.previous_files: dict[str, FileEntry] = {}  # see output_files()
        self._database = self.folder / _DATABASE
        self._owner = os.getpid()  # the process that stores entries (the build's)
        self._connection: sqlite3.Connection | None = None
        self._connection_pid = 0
        self._pending: dict[tuple[str, str], bytes] = {}  # (kind, key) -> tag and body, not yet stored
        self._pending_bytes = 0
        self.usable = self._prepare()

    def _prepare(self) -> bool:
        """Create the folder and the database; empty a cache of another version or format.
        False if unusable."""
        version = f"credpress cache {self.code.split(':', 1)[0]} format {CACHE_FORMAT}\n"
        marker = self.folder / "VERSION"
        try:
            if self.folder.is_symlink() or (self.folder.exists() and not self.folder.is_dir()):
                return False
            current = marker.read_text("utf-8") if marker.is_file() else None
            if current != version:
                for kind in _KINDS:  # format 1's folders
                    shutil.rmtree(self.folder / kind, ignore_errors=True)
                for prefix in (_MANIFEST, _FILES, _NOOP):
                    for manifest in self.folder.glob(f"{prefix}-*.json"):
                        manifest.unlink(missing_ok=True)
                self._remove_database()
            self.folder.mkdir(parents=True, exist_ok=True)
            if self._database.is_symlink():
                return False
            if current != version:
                marker.write_text(version, "utf-8")
        except OSError:
            return False
        return self._db() is not None

    def _remove_database(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self._database}{suffix}").unlink(missing_ok=True)

    def _db(self) -> sqlite3.Connection | None:
        """This process's connection to the database (opened on first use, in each process); None
        where the database cannot be used. A file SQLite cannot read is replaced, once."""
        if self._connection is not None and self._connection_pid == os.getpid():
            return self._connection
        # Connections are closed before every fork (_before_fork), so none is ever inherited (§2.6);
        # should one be all the same, it is left alone: never used, and kept (never closed).
        if self._connection is not None:
            _INHERITED.append(self._connection)
            self._connection = None
        for attempt in range(2):
            try:
                connection = sqlite3.connect(self._database, timeout=30, isolation_level=None, check_same_thread=False)
                try:
                    connection.execute("PRAGMA journal_mode=WAL")
                    connection.execute("PRAGMA synchronous=NORMAL")
                    connection.execute(
                        # A rowid table: its bodies are kilobytes (SQLite's "The WITHOUT ROWID
                        # Optimization" §4: best when rows are small), found by the key's index.
                        "CREATE TABLE IF NOT EXISTS entries (kind TEXT, key TEXT, body BLOB, PRIMARY KEY (kind, key))"
                    )
                except BaseException:
                    connection.close()
                    raise
            except sqlite3.DatabaseError:  # not a database, or a damaged one: it only costs time
                if attempt or os.getpid() != self._owner:
                    return None
                try:
                    self._remove_database()
                except OSError:
                    return None
                continue
            except (sqlite3.Error, OSError):
                return None
            self._connection, self._connection_pid = connection, os.getpid()
            _LIVE.add(self)
            return connection
        return None

    def disconnect(self) -> None:
        """Close this process's connection (the next use opens another)."""
        connection, self._connection = self._connection, None
        if connection is not None and self._connection_pid == os.getpid():
            try:
                connection.close()
            except sqlite3.Error:
                pass

    def close(self) -> None:
        """Store the entries still waiting, and close this process's connection."""
        self.flush()
        self.disconnect()

    # Entry keys ---------------------------------------------------------------

    def signed_key(self, site: Site, record: CredentialRecord, method: str) -> str:
        """The entry key of a record's signed credential."""
        # What every credential of one achievement shares is digested once per build (the memo
        # holds the objects, so their ids stay theirs).
        shared = self._shared.get((id(site), id(record.issuer), id(record.achievement)))
        if shared is None:
            digest = _sha("signed", self.code, site, _plain(record.issuer), _plain(record.achievement))
            shared = (site, record.issuer, record.achievement, digest)
            self._shared[(id(site), id(record.issuer), id(record.achievement))] = shared
        return _sha(
            "signed",
            shared[3],
            _plain(record.award),
            record.assignment,
            record.json_path,
            record.url,
            self.public_key,
            method,
        )

    def page_key(self, path: str, signed_digest: str, context: Any) -> str:
        """The entry key of a page rendered at *path* from *context*: every value its template
        sees (the site, the views) except the credential it embeds, which *signed_digest* stands for."""
        return _sha("page", self.code, self.templates, path, signed_digest, context)

    def qr_key(self, url: str) -> str:
        """The entry key of the QR code of *url* (a badge page URL never changes, and
        choosing the code's mask is the costly part of drawing it)."""
        return _sha("qr", self.code, url)

    def preview_key(self, card: Any) -> str:
        """The entry key of a link-preview card (site.preview_art.Card): its words, the bytes of
        its art, the fonts it is drawn with and Pillow's version."""
        from PIL import __version__ as pillow

        from .site.preview_art import FONT_FILES

        art = hashlib.sha256(card.art.read_bytes()).hexdigest() if card.art is not None else None
        fonts = [(path, _file_stat(path)) for paths in FONT_FILES.values() for path in paths]
        return _sha("preview", self.code, replace(card, art=None), art, fonts, pillow)

    # Entries ------------------------------------------------------------------

    def _tag(self, kind: str, key: str, body: bytes) -> bytes:
        return hmac.new(self._mac_key, f"{kind}\0{key}\0".encode() + body, hashlib.sha256).digest()

    def _read(self, path: Path, kind: str, key: str) -> bytes | None:
        try:
            data = path.read_bytes()
        except OSError:
            return None
        return self._untag(kind, key, data)

    def _untag(self, kind: str, key: str, data: bytes) -> bytes | None:
        """The body of a stored *data* (tag, then body), or None if its tag is not ours for *key*."""
        tag, body = data[:_TAG], data[_TAG:]
        if len(tag) != _TAG or not hmac.compare_digest(tag, self._tag(kind, key, body)):
            return None
        return body

    def _write(self, path: Path, kind: str, key: str, body: bytes) -> None:
        tmp = None
        try:
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
            with os.fdopen(fd, "wb") as handle:
                handle.write(self._tag(kind, key, body) + body)
            os.replace(tmp, path)
        except OSError:  # a cache that cannot be written only costs time later
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)

    def get(self, kind: str, key: str) -> bytes | None:
        """The body stored under *key*, or None: missing, unreadable or failing its tag."""
        self.used[kind].add(key)
        waiting = self._pending.get((kind, key))
        if waiting is not None:
            return waiting[_TAG:]
        connection = self._db() if self.usable else None
        if connection is None:
            return None
        try:
            row = connection.execute("SELECT body FROM entries WHERE kind = ? AND key = ?", (kind, key)).fetchone()
        except sqlite3.Error:
            return None
        return self._untag(kind, key, row[0]) if row is not None and isinstance(row[0], bytes) else None

    def mark_used(self, kind: str, key: str) -> None:
        """Keep *key* at :meth:`prune` (for entries read in worker processes)."""
        self.used[kind].add(key)

    def put(self, kind: str, key: str, body: bytes) -> None:
        """Store *body* under *key* (with the next :meth:`flush`). Only the build's own process
        stores entries: a worker hands what it made to it (elsewhere this only marks *key* used)."""
        self.used[kind].add(key)
        if not self.usable or os.getpid() != self._owner:
            return
        self._pending[kind, key] = self._tag(kind, key, body) + body
        self._pending_bytes += len(body)
        if self._pending_bytes > _FLUSH_BYTES:
            self.flush()

    def flush(self) -> None:
        """Store the waiting entries, in one transaction (a cache that cannot be written only
        costs time later)."""
        pending, self._pending, self._pending_bytes = self._pending, {}, 0
        connection = self._db() if pending and os.getpid() == self._owner else None
        if connection is None:
            return
        try:
            with _transaction(connection):
                connection.executemany(
                    "INSERT OR REPLACE INTO entries VALUES (?, ?, ?)", ((k, n, b) for (k, n), b in pending.items())
                )
        except sqlite3.Error:
            pass

    def prune(self) -> None:
        """Store the waiting entries, then remove those this build did not use."""
        self.flush()
        connection = self._db() if self.usable else None
        if connection is None:
            return
        try:
            # Usually every entry was used: reading the keys beats sending them all to SQLite.
            stale = [
                (kind, key)
                for kind, key in connection.execute("SELECT kind, key FROM entries")
                if key not in self.used.get(kind, ())
            ]
            if stale:
                with _transaction(connection):
                    connection.executemany("DELETE FROM entries WHERE kind = ? AND key = ?", stale)
        except sqlite3.Error:
            pass

    # Records of an output folder (a few small files) --------------------------

    def _manifest(self, out: Path, prefix: str = _MANIFEST) -> str:
        """The file name of *prefix*'s entry for the output folder *out* (one per output folder)."""
        return f"{prefix}-{_out_id(out)}.json"

    def record(self, prefix: str, out: Path) -> bytes | None:
        """The body of the output folder *out*'s entry *prefix*, or None (missing, failing its tag)."""
        name = self._manifest(out, prefix)
        return self._read(self.folder / name, "manifest", name) if self.usable else None

    def save_record(self, prefix: str, out: Path, body: bytes) -> None:
        """Store the output folder *out*'s entry *prefix*, atomically."""
        if self.usable:
            name = self._manifest(out, prefix)
            self._write(self.folder / name, "manifest", name, body)

    def output_files(self, out: Path) -> dict[str, FileEntry]:
        """Every file the previous build wrote into *out* (empty if unknown); also kept as
        :attr:`previous_files`, for the generators that give cache entries (output.writer.Known)."""
        body = self.record(_FILES, out)
        self.previous_files = (manifest.decode(body) or {}) if body is not None else {}
        return self.previous_files

    def save_output_files(self, out: Path, files: dict[str, FileEntry]) -> None:
        """Remember every file this build wrote into *out*."""
        self.save_record(_FILES, out, manifest.encode(files))

    def spare(self, out: Path) -> Path:
        """Where the folder swapped out of *out* is kept for the next build to recycle."""
        return self.folder / f"{_SPARE}-{_out_id(out)}"

    # What the previous build published ---------------------------------------

    def previous(self, out: Path) -> dict[str, tuple[str, bool]] | None:
        """What the previous build into *out* published: credential id -> (SHA-256 of its JSON,
        revoked?); None if unknown (no cache, or a cache entry failing its tag)."""
        body = self.record(_MANIFEST, out)
        if body is None:
            return None
        try:
            data = json.loads(body)
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        found: dict[str, tuple[str, bool]] = {}
        for credential_id, value in data.items():
            if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], str)):
                return None
            found[credential_id] = (value[0], bool(value[1]))
        return found

    def save_previous(self, out: Path, published: dict[str, tuple[str, bool]]) -> None:
        """Remember what this build published into *out* (credential id -> (JSON digest, revoked?))."""
        body = json.dumps({k: list(v) for k, v in published.items()}, sort_keys=True).encode("utf-8")
        self.save_record(_MANIFEST, out, body)


# Every cache with an open connection; each is closed before this process forks (workers), so
# that a worker opens its own instead of using or closing one it inherited (SQLite's "How To
# Corrupt An SQLite Database File" §2.6: carrying an open database connection across a fork).
_LIVE: weakref.WeakSet[BuildCache] = weakref.WeakSet()
_INHERITED: list[sqlite3.Connection] = []  # connections another process opened: kept, never closed here


def _before_fork() -> None:
    for cache in list(_LIVE):
        cache.disconnect()


os.register_at_fork(before=_before_fork)


class _transaction:
    """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on an error (the connection is in autocommit mode)."""

    def __init__(self, connection: sqlite3.Connection):
        self.connection = connection

    def __enter__(self) -> None:
        self.connection.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        if kind is None:
            self.connection.execute("COMMIT")
        else:
            self.connection.execute("ROLLBACK")
