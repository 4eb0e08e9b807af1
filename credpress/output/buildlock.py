"""One build of a repository at a time."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..errors import OutputError


class BuildLock:
    """One build of a repository at a time: an exclusive ``flock`` on
    ``.credpress/build.lock`` beside the content folder (released by the kernel
    if the build dies, so it can never be left stale)."""

    def __init__(self, project_root: Path):
        self.path = Path(project_root) / ".credpress" / "build.lock"
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
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise OutputError(
                f"another credpress build of this repository is running (pid {holder}); "
                "wait for it to finish and build again"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self.handle = handle
        return self

    def __exit__(self, *exc: object) -> None:
        if self.handle is not None:
            self.handle.close()  # closing releases the lock
            self.handle = None
