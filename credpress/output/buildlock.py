"""One credpress command that changes a repository at a time (build, revoke, erase, lock …)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..errors import OutputError


class BuildLock:
    """One command that changes a repository at a time: an exclusive ``flock`` on
    ``.credpress/build.lock`` beside the content folder (released by the kernel
    if the command dies, so it can never be left stale). The build and every
    command that edits the content or the lock file (revoke, erase, lock repair,
    lock recover) take it, so none of their changes can be lost to another's."""

    def __init__(self, project_root: Path, command: str = "build"):
        self.path = Path(project_root) / ".credpress" / "build.lock"
        self.command = command
        self.handle: Any = None

    def __enter__(self) -> BuildLock:
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        ignore = self.path.parent / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n", "utf-8")
        handle = open(self.path, "a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            pid, _, command = (handle.read().strip() or "unknown").partition(" ")
            handle.close()
            holder = f"credpress {command}, pid {pid}" if command else f"pid {pid}"  # empty: it is just starting
            raise OutputError(
                f"another credpress command is changing this repository ({holder}); wait for it to finish and try again"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()} {self.command}")
        handle.flush()
        self.handle = handle
        return self

    def __exit__(self, *exc: object) -> None:
        if self.handle is not None:
            self.handle.close()  # closing releases the lock
            self.handle = None
