"""Peak memory of a process tree, counted once: the sum of every process's PSS.

Worker processes fork from the build and share its pages copy-on-write, so adding
up each process's peak RSS counts the shared pages once per process. Linux's
proportional set size (PSS, /proc/PID/smaps_rollup) divides each shared page among
the processes that map it, so the sum over the tree is the memory the build really
holds. A thread samples it every *interval* seconds; the peak is what it saw.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_pss_mib(root: int | None = None) -> float:
    """The PSS of *root* (default: this process) and all its descendants, in MiB."""
    pending, total = [root or os.getpid()], 0
    while pending:
        pid = pending.pop()
        total += _pss_kib(pid)
        pending += _children(pid)
    return total / 1024


class PeakMemory:
    """``with PeakMemory() as peak: ...`` then ``peak.mib``: the largest tree PSS sampled."""

    def __init__(self, root: int | None = None, interval: float = 0.05):
        self.root, self.interval, self.mib = root, interval, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.mib = max(self.mib, tree_pss_mib(self.root))
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.mib = max(self.mib, tree_pss_mib(self.root))
