"""Stage 7, write: the one writer that owns the output folder.

Everything goes into a fresh temporary folder beside the output folder; only a
complete build replaces the output (rename old away, rename new in, delete old),
so a failed or interrupted build leaves the previous output untouched. The
writer refuses a path written twice and any path that resolves outside the
folder, and writes JSON with one fixed formatting.

It only ever replaces a folder that credpress wrote (it holds the marker file
``.credpress-site``, which every build writes) or an empty one, and never a
folder holding ``.git``; anything else is refused before any work. A failure to
write (full disk, read-only folder) is an OutputError that names the path.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import stat
import sys
import tempfile
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import OutputError

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


class Writer:
    """Fills a temporary folder beside *out_dir*; :meth:`commit` swaps it in.

    Refuses (before anything is written) an output folder it may not replace;
    see :func:`check_replaceable`. Every build's output holds the marker file.
    """

    def __init__(self, out_dir: Path):
        self.display = str(out_dir)
        self.out_dir = Path(out_dir).absolute()
        self.parent = self.out_dir.parent
        check_replaceable(self.out_dir, self.display)
        try:
            self.parent.mkdir(parents=True, exist_ok=True)
            self._remove_stale()
            self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.out_dir.name}{_TMP}", dir=self.parent))
        except OSError as exc:
            raise self._failed(exc, getattr(exc, "filename", None) or self.parent) from None
        self._tmp_resolved = self.tmp.resolve()
        self.written: set[str] = set()
        self.write_bytes(MARKER, MARKER_TEXT)

    def _failed(self, exc: OSError, path: object) -> OutputError:
        return OutputError(
            f"could not write {path}: {exc.strerror or exc}; the previous output {self.display} is intact"
        )

    def _remove_stale(self) -> None:
        """Clean up after a build that was killed.

        A build killed between its two renames left the previous output as
        ``.NAME.old-PID`` and no output folder: put it back. Other leftovers go.
        """
        for old in self.parent.glob(f".{self.out_dir.name}{_OLD}*"):
            pid = old.name.rsplit("-", 1)[-1]
            if pid.isdigit() and _alive(int(pid)) and int(pid) != os.getpid():
                continue
            if not self.out_dir.exists():
                os.replace(old, self.out_dir)
            else:
                shutil.rmtree(old, ignore_errors=True)
        for stale in self.parent.glob(f".{self.out_dir.name}{_TMP}*"):
            shutil.rmtree(stale, ignore_errors=True)

    def _target(self, rel: str) -> Path:
        posix = PurePosixPath(rel)
        if posix.is_absolute() or ".." in posix.parts or not posix.parts or rel.endswith("/"):
            raise OutputError(f"refusing to write {rel!r}: not a relative file path")
        if any(part in ("", ".") or "\\" in part or "\0" in part for part in posix.parts):
            raise OutputError(f"refusing to write {rel!r}: not a clean relative path")
        # No '..' and no absolute part, in a folder we just created and into which we
        # never write links: the path cannot resolve outside it (checked again below
        # for the folder the file goes in, once per folder).
        target = self._tmp_resolved.joinpath(*posix.parts)
        if posix.as_posix() in self.written:
            raise OutputError(f"refusing to write {rel!r} twice")
        self.written.add(posix.as_posix())
        return target

    def write_bytes(self, rel: str, data: bytes) -> None:
        """Write one output file (refused: twice, outside the folder, through a link)."""
        target = self._target(rel)
        try:
            self._make_folders(rel, target.parent)
            with open(target, "xb") as handle:  # "x": never through an existing file or link
                handle.write(data)
        except OSError as exc:
            raise self._failed(exc, f"{rel} (in {self.tmp})") from None

    def _make_folders(self, rel: str, folder: Path) -> None:
        """Create *folder* one level at a time, refusing any level that is not a real folder.

        Checked on every write (a few lstat calls), not once per folder, so a folder
        replaced by a link after an earlier write is refused too, and nothing is ever
        created outside the output folder before a refusal.
        """
        current = self._tmp_resolved
        for part in folder.relative_to(self._tmp_resolved).parts:
            current = current / part
            try:
                mode = os.lstat(current).st_mode
            except FileNotFoundError:
                current.mkdir()
                continue
            if not stat.S_ISDIR(mode):
                raise OutputError(f"refusing to write {rel!r}: it resolves outside the output folder")

    def commit(self) -> None:
        """Swap the finished folder in for the old output.

        On Linux the two folders are exchanged in one atomic step
        (renameat2 RENAME_EXCHANGE), so at every instant the output folder is
        either the old site or the new one. Elsewhere: rename the old output
        away, rename the new one in; a build killed between the two leaves
        ``.NAME.old-PID``, which the next build puts back or removes.
        """
        try:
            check_replaceable(self.out_dir, self.display)  # again: it may have changed during the build
        except OutputError:
            self.abort()
            raise
        try:
            if self.out_dir.exists():
                if _exchange(self.tmp, self.out_dir):
                    shutil.rmtree(self.tmp, ignore_errors=True)  # now holds the old output
                    return
                old = self.parent / f".{self.out_dir.name}{_OLD}{os.getpid()}"
                os.replace(self.out_dir, old)
                try:
                    os.replace(self.tmp, self.out_dir)
                except OSError:
                    os.replace(old, self.out_dir)
                    raise
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(self.tmp, self.out_dir)
        except OSError as exc:
            self.abort()
            raise self._failed(exc, self.out_dir) from None

    def abort(self) -> None:
        """Throw the unfinished folder away; the previous output stays as it was."""
        shutil.rmtree(self.tmp, ignore_errors=True)


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
