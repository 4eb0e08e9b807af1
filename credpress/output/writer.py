"""Stage 7, write: the one writer that owns the output folder.

Everything goes into a temporary folder beside the output folder; only a
complete build replaces the output (the two folders are exchanged in one step),
so a failed or interrupted build leaves the previous output untouched. The
writer refuses a path written twice and any path that resolves outside the
folder, and writes JSON with one fixed formatting.

**Incremental writing** (:class:`Reuse`, given by a build with its cache): a file
whose bytes are those the previous build wrote at the same path (same digest,
:mod:`.manifest`), and which is still as that build left it (same size,
modification time and inode), is hard-linked from the previous output instead
of written. Files are never changed in place, so the previous output stays
intact until the swap. Creating and removing folders is the other cost (one
per badge page), so the folder the swap takes out is not deleted: it is kept
as the *spare* (in the build cache) and becomes the next build's temporary
folder, where unchanged files are already in place and anything the new build
does not write is removed before the swap.

It only ever replaces a folder that credpress wrote (it holds the marker file
``.credpress-site``, which every build writes) or an empty one, and never a
folder holding ``.git``; anything else is refused before any work. A failure to
write (full disk, read-only folder) is an OutputError that names the path.
"""

from __future__ import annotations

import ctypes
import json
import os
import secrets
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import OutputError
from .manifest import FileEntry, content_digest, listing_digest

_TMP = ".tmp-"
_OLD = ".old-"
MARKER = ".credpress-site"
MARKER_TEXT = (
    b"This folder was written by credpress (https://pypi.org/project/credpress/).\n"
    b"`credpress build` replaces it entirely on every build: keep nothing else here.\n"
)


def check_replaceable(out_dir: Path, display: str | None = None) -> None:
    """Refuse an output folder credpress may not replace: OutputError saying nothing was changed.

    Allowed: a folder that does not exist, an empty folder, or one holding the
    marker file a build writes. Never: a folder holding ``.git``, a file, a link.
    """
    out_dir = Path(out_dir)
    name = display or str(out_dir)
    if out_dir.is_symlink() or (out_dir.exists() and not out_dir.is_dir()):
        raise OutputError(f"{name} exists and is not a folder; not replacing it (nothing was changed)")
    if not out_dir.exists():
        return
    try:
        if (out_dir / ".git").exists():
            raise OutputError(
                f"refusing to replace {name}: it holds .git (a repository); nothing was changed. "
                "Build into another folder"
            )
        if (out_dir / MARKER).is_file() or not any(out_dir.iterdir()):
            return
    except OSError as exc:
        raise OutputError(f"cannot read {name}: {exc.strerror or exc}; nothing was changed") from None
    raise OutputError(
        f"refusing to replace {name}: it is not empty and credpress did not write it (it has no {MARKER} file); "
        "nothing was changed. Build into a new or empty folder, or remove it yourself"
    )


def atomic_write(path: Path, text: str) -> None:
    """Replace the file *path* with *text* all at once: a temporary file in the same
    folder, flushed to disk, then renamed over it; the temporary file never stays."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # raises OSError: callers name the file
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def json_bytes(data: Any) -> bytes:
    """Fixed formatting: compact (no indentation: a fifth of a credential's bytes
    would be spaces), UTF-8, key order as built, final newline."""
    return (json.dumps(data, separators=(",", ":"), ensure_ascii=False) + "\n").encode("utf-8")


@dataclass(frozen=True)
class Known:
    """An output file whose bytes a build cache entry holds: *source*, the entry's key (its bytes
    are a function of it), and *load*, which returns them. The writer links the previous build's
    file when that build wrote the bytes of the same entry there, and calls *load* only otherwise."""

    source: str
    load: Callable[[], bytes]


@dataclass
class Reuse:
    """What a build may reuse of the previous one: its files (path -> :data:`FileEntry`, as the
    previous writer recorded them) and the spare folder (kept between builds, on the output's
    file system, recycled as the temporary folder)."""

    spare: Path
    previous: Mapping[str, FileEntry] = field(default_factory=dict)


class Writer:
    """Fills a temporary folder beside *out_dir*; :meth:`commit` swaps it in.

    Refuses (before anything is written) an output folder it may not replace;
    see :func:`check_replaceable`. Every build's output holds the marker file.
    With *reuse*, unchanged files are hard-linked from the previous output and
    :attr:`files` records every file written (for the next build's *reuse*).
    """

    def __init__(self, out_dir: Path, reuse: Reuse | None = None):
        self.display = str(out_dir)
        self.out_dir = Path(out_dir).absolute()
        self.parent = self.out_dir.parent
        self.reuse = reuse
        self.recycled = False  # the temporary folder is the previous build's spare (not empty)
        check_replaceable(self.out_dir, self.display)
        try:
            self.parent.mkdir(parents=True, exist_ok=True)
            self._remove_stale()
            self.tmp = self._recycle() or Path(tempfile.mkdtemp(prefix=f".{self.out_dir.name}{_TMP}", dir=self.parent))
        except OSError as exc:
            raise self._failed(exc, getattr(exc, "filename", None) or self.parent) from None
        self._tmp_str = os.fspath(self.tmp.resolve())
        self._out = os.fspath(self.out_dir)
        self.written: set[str] = set()
        self.folders: set[str] = set()  # folders checked (or made) by this build, relative
        self.files: dict[str, FileEntry] = {}  # with reuse: every file written, for the next build
        self.linked = 0  # files hard-linked (or already in place) instead of written
        self.write_bytes(MARKER, MARKER_TEXT)

    def _failed(self, exc: OSError, path: object) -> OutputError:
        return OutputError(
            f"could not write {path}: {exc.strerror or exc}; the previous output {self.display} is intact"
        )

    def _recycle(self) -> Path | None:
        """The spare folder, moved beside the output as this build's temporary folder (or None)."""
        if self.reuse is None:
            return None
        spare = self.reuse.spare
        try:
            if not stat.S_ISDIR(os.lstat(spare).st_mode):
                return None
            tmp = self.parent / f".{self.out_dir.name}{_TMP}{secrets.token_hex(4)}"
            os.rename(spare, tmp)  # fails across file systems: then a fresh folder
        except OSError:
            return None
        self.recycled = True
        return tmp

    def _keep_spare(self, folder: Path) -> None:
        """Keep *folder* (the previous output, or an unfinished build) as the next build's spare;
        delete it where it cannot be kept."""
        if self.reuse is not None:
            try:
                self.reuse.spare.parent.mkdir(parents=True, exist_ok=True)
                if not self.reuse.spare.exists():
                    os.rename(folder, self.reuse.spare)
                    return
            except OSError:
                pass
        shutil.rmtree(folder, ignore_errors=True)

    def _remove_stale(self) -> None:
        """Clean up after a build that was killed.

        A build killed between its two renames left the previous output as
        ``.NAME.old-PID`` and no output folder: put it back. Other leftovers go
        (or become the spare).
        """
        for old in self.parent.glob(f".{self.out_dir.name}{_OLD}*"):
            pid = old.name.rsplit("-", 1)[-1]
            if pid.isdigit() and _alive(int(pid)) and int(pid) != os.getpid():
                continue
            if not self.out_dir.exists():
                os.replace(old, self.out_dir)
            else:
                self._keep_spare(old)
        for stale in self.parent.glob(f".{self.out_dir.name}{_TMP}*"):
            self._keep_spare(stale)

    def _target(self, rel: str) -> tuple[str, str]:
        """The clean relative path of *rel* and where it goes; refused: not clean, or twice."""
        shown, parts = rel, rel.split("/")
        if rel.startswith("/") or any(p in ("", ".", "..") or "\\" in p or "\0" in p for p in parts):
            posix = PurePosixPath(rel)  # the unusual cases, refused or made clean
            if posix.is_absolute() or ".." in posix.parts or not posix.parts or rel.endswith("/"):
                raise OutputError(f"refusing to write {rel!r}: not a relative file path")
            if any(part in ("", ".") or "\\" in part or "\0" in part for part in posix.parts):
                raise OutputError(f"refusing to write {rel!r}: not a clean relative path")
            rel = posix.as_posix()
        # No '..' and no absolute part, in a folder we just created and into which we
        # never write links: the path cannot resolve outside it (checked again below
        # for the folder the file goes in, once per folder).
        if rel in self.written:
            raise OutputError(f"refusing to write {shown!r} twice")
        self.written.add(rel)
        return rel, f"{self._tmp_str}/{rel}"  # rel is clean: no join needed

    def write(self, rel: str, data: bytes | Known) -> None:
        """Write one output file, given its bytes or the cache entry that holds them."""
        if isinstance(data, bytes):
            self.write_bytes(rel, data)
        elif self.reuse is None:
            self.write_bytes(rel, data.load())
        else:
            self._write(rel, None, data.source, data.load)

    def write_bytes(self, rel: str, data: bytes) -> None:
        """Write one output file (refused: twice, outside the folder, through a link)."""
        self._write(rel, data, "", None)

    def _write(self, rel: str, data: bytes | None, source: str, load: Callable[[], bytes] | None) -> None:
        shown = rel
        rel, target = self._target(rel)
        try:
            self._make_folders(shown, rel)
            if self.reuse is None:
                assert data is not None
                with open(target, "xb") as handle:  # "x": never through an existing file or link
                    handle.write(data)
                return
            previous = self.reuse.previous.get(rel)
            if data is None:
                if previous is not None and previous[4] == source and self._link(rel, target, previous):
                    return
                assert load is not None
                data = load()
            digest = content_digest(data)
            if previous is not None and previous[3] == digest and self._link(rel, target, previous, source):
                return
            if self.recycled:
                _remove(target)
            with open(target, "xb") as handle:
                handle.write(data)
                handle.flush()
                written = os.fstat(handle.fileno())
            self.files[rel] = (written.st_size, written.st_mtime_ns, written.st_ino, digest, source)
        except OSError as exc:
            raise self._failed(exc, f"{shown} (in {self.tmp})") from None

    def _link(self, rel: str, target: str, previous: FileEntry, source: str | None = None) -> bool:
        """Put the previous output's file at *rel* in place (a hard link), if it is still as the
        previous build wrote it (recorded with *source*, when given); False to write the bytes instead."""
        old = f"{self._out}/{rel}"
        try:
            found = os.lstat(old)
        except OSError:
            return False
        if not stat.S_ISREG(found.st_mode) or (found.st_size, found.st_mtime_ns, found.st_ino) != previous[:3]:
            return False  # edited, replaced or removed since: written again
        here = _lstat(target) if self.recycled else None
        if here is None or not (
            stat.S_ISREG(here.st_mode) and (here.st_ino, here.st_dev) == (found.st_ino, found.st_dev)
        ):
            if here is not None:
                _remove(target)
            try:
                os.link(old, target, follow_symlinks=False)
            except OSError:  # another file system, a file system without links…: written instead
                return False
            made = _lstat(target)
            if made is None or not stat.S_ISREG(made.st_mode) or made.st_ino != found.st_ino:
                _remove(target)
                return False
        self.files[rel] = previous if source is None else (*previous[:4], source)
        self.linked += 1
        return True

    def _make_folders(self, shown: str, rel: str) -> None:
        """Create the folders of *rel* one level at a time, refusing any level that is not a real folder.

        Checked on every write (a few lstat calls), not once per folder, so a folder
        replaced by a link after an earlier write is refused too, and nothing is ever
        created outside the output folder before a refusal. In a recycled folder, a
        level this build has not yet checked that is not a folder (a file or link
        left by an earlier build) is removed and made a folder.
        """
        end = rel.find("/")
        while end != -1:
            level = rel[:end]
            current = f"{self._tmp_str}/{level}"
            try:
                mode = os.lstat(current).st_mode
            except FileNotFoundError:
                os.mkdir(current)
                self.folders.add(level)
                end = rel.find("/", end + 1)
                continue
            if not stat.S_ISDIR(mode):
                if not self.recycled or level in self.folders:
                    raise OutputError(f"refusing to write {shown!r}: it resolves outside the output folder")
                os.unlink(current)  # a link is removed, never followed
                os.mkdir(current)
            self.folders.add(level)
            end = rel.find("/", end + 1)

    def _sweep(self) -> None:
        """Remove from a recycled folder everything this build did not write."""

        def walk(path: str, prefix: str) -> None:
            with os.scandir(path) as entries:
                for entry in entries:
                    rel = prefix + entry.name
                    if entry.is_dir(follow_symlinks=False):
                        if rel in self.folders:
                            walk(entry.path, rel + "/")
                        else:
                            shutil.rmtree(entry.path)
                    elif rel not in self.written:
                        os.unlink(entry.path)

        walk(os.fspath(self.tmp), "")

    def listing(self) -> str:
        """The digest of the committed folder's listing (:func:`.manifest.listing_digest`)."""
        return listing_digest(self.files, self.folders)

    def commit(self) -> None:
        """Swap the finished folder in for the old output.

        On Linux the two folders are exchanged in one atomic step
        (renameat2 RENAME_EXCHANGE), so at every instant the output folder is
        either the old site or the new one. Elsewhere: rename the old output
        away, rename the new one in; a build killed between the two leaves
        ``.NAME.old-PID``, which the next build puts back or removes. The old
        output is then deleted, or kept as the spare (with *reuse*).
        """
        try:
            check_replaceable(self.out_dir, self.display)  # again: it may have changed during the build
        except OutputError:
            self.abort()
            raise
        try:
            if self.recycled:
                self._sweep()
            if self.out_dir.exists():
                if _exchange(self.tmp, self.out_dir):
                    self._keep_spare(self.tmp)  # now holds the old output
                    return
                old = self.parent / f".{self.out_dir.name}{_OLD}{os.getpid()}"
                os.replace(self.out_dir, old)
                try:
                    os.replace(self.tmp, self.out_dir)
                except OSError:
                    os.replace(old, self.out_dir)
                    raise
                self._keep_spare(old)
            else:
                os.replace(self.tmp, self.out_dir)
        except OSError as exc:
            self.abort()
            raise self._failed(exc, self.out_dir) from None

    def abort(self) -> None:
        """Throw the unfinished folder away (or keep it as the spare); the previous output stays
        as it was."""
        if self.tmp.exists():
            self._keep_spare(self.tmp)


def _lstat(path: str) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None


def _remove(path: str) -> None:
    """Remove whatever is at *path* in a recycled folder (a folder with what it holds; a link
    itself, never what it points to)."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISDIR(mode):
        shutil.rmtree(path)
    else:
        os.unlink(path)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two folders (Linux renameat2); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
