"""What an output folder holds: every file's size, modification time, inode and digest.

The writer records one :data:`FileEntry` per file it puts in a build's folder;
the build cache keeps them (:mod:`credpress.build_cache`) for the next build,
which uses them twice:

- the **incremental writer** (:class:`credpress.output.writer.Writer`) hard-links
  a previous file whose recorded digest equals the new bytes' digest (or, for
  bytes the build cache holds, whose recorded cache entry is the new file's),
  after checking that its size, modification time and inode are still the
  recorded ones (so a file edited since is written again);
- the **no-op fast path** (:mod:`credpress.fast_path`) compares a digest of the
  listing (:func:`listing_digest`) with one of the folder as it is now
  (:func:`scan`): any file or folder added, removed, replaced or edited since
  the build changes it.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

# size, mtime_ns, inode, content digest (hex), and the key of the cache entry the bytes came from
# ("" when the writer was given bytes alone: see output.writer.Known)
FileEntry = tuple[int, int, int, str, str]


def content_digest(data: bytes) -> str:
    """How two builds' copies of a file are compared: SHA-256 of its bytes (hex, 128 bits kept)."""
    return hashlib.sha256(data).hexdigest()[:32]


def _file_line(rel: str, size: int, mtime_ns: int, inode: int) -> str:
    return f"{rel}\0f\0{size}\0{mtime_ns}\0{inode}"


def listing_digest(files: Mapping[str, FileEntry], folders: Iterable[str]) -> str:
    """A digest of a folder's listing: every file (size, mtime, inode) and every folder, by path."""
    lines = [_file_line(rel, e[0], e[1], e[2]) for rel, e in files.items()]
    lines += [f"{rel}\0d" for rel in folders]
    lines.sort()
    return hashlib.sha256("\n".join(lines).encode("utf-8", "surrogateescape")).hexdigest()


def scan(folder: Path) -> str | None:
    """:func:`listing_digest` of *folder* as it is now (never following links); None if unreadable."""
    lines: list[str] = []

    def walk(path: str, prefix: str) -> None:
        with os.scandir(path) as entries:
            for entry in entries:
                rel = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    lines.append(f"{rel}\0d")
                    walk(entry.path, rel + "/")
                elif entry.is_file(follow_symlinks=False):
                    st = entry.stat(follow_symlinks=False)
                    lines.append(_file_line(rel, st.st_size, st.st_mtime_ns, st.st_ino))
                else:  # a link or anything else: never in a build's listing
                    lines.append(f"{rel}\0x")

    try:
        if not os.path.isdir(folder) or os.path.islink(folder):
            return None
        walk(os.fspath(folder), "")
    except OSError:
        return None
    lines.sort()
    return hashlib.sha256("\n".join(lines).encode("utf-8", "surrogateescape")).hexdigest()


def encode(files: Mapping[str, FileEntry]) -> bytes:
    """The manifest as bytes for the build cache."""
    return json.dumps([[rel, *entry] for rel, entry in files.items()], separators=(",", ":")).encode("utf-8")


def decode(body: bytes) -> dict[str, FileEntry] | None:
    """The manifest from :func:`encode`'s bytes; None if they are not one."""
    try:
        rows: Any = json.loads(body)
        return {
            rel: (int(size), int(mtime), int(inode), str(digest), str(source))
            for rel, size, mtime, inode, digest, source in rows
        }
    except (ValueError, TypeError):
        return None
