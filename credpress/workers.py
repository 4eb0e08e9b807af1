"""Spread per-award work over the machine's cores (fork, Linux/macOS).

The state a job needs is set before the workers are forked and inherited by
them, so nothing secret (the signing key) is ever pickled or sent between
processes; only results come back. Small jobs run in this process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")

PARALLEL_THRESHOLD = 400
CHUNK = 200

_STATE: dict[str, Any] = {}
_LIMIT: list[int] = []  # set by limit(): the most workers any map may use


@contextmanager
def limit(workers: int | None) -> Iterator[None]:
    """Use at most *workers* processes inside the block (None: every core)."""
    _LIMIT.append(workers or 0)
    try:
        yield
    finally:
        _LIMIT.pop()


def _run_chunk(func: Callable[[Any, int], T], start: int, stop: int) -> list[T]:
    state = _STATE["state"]
    return [func(state, index) for index in range(start, stop)]


def map_indices(
    func: Callable[[Any, int], T],
    count: int,
    state: Any,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[T]:
    """``[func(state, i) for i in range(count)]``, on all cores when it is worth it.

    *func* must be a module-level function (workers look it up by name).
    *progress*, if given, is called in this process with the number of items done so far.
    """
    workers = workers or (_LIMIT[-1] if _LIMIT and _LIMIT[-1] else None) or os.cpu_count() or 1
    if workers < 2 or count < PARALLEL_THRESHOLD or "fork" not in multiprocessing.get_all_start_methods():
        results: list[T] = []
        for index in range(count):
            results.append(func(state, index))
            if progress is not None and (index + 1) % CHUNK == 0:
                progress(index + 1)
        if progress is not None:
            progress(count)
        return results
    _STATE["state"] = state
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            starts = range(0, count, CHUNK)
            chunks = pool.map(_run_chunk, [func] * len(starts), starts, [min(s + CHUNK, count) for s in starts])
            results = []
            for chunk in chunks:
                results += chunk
                if progress is not None:
                    progress(len(results))
            return results
    finally:
        _STATE.clear()
