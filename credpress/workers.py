"""Spread per-award work over the machine's cores (fork, Linux/macOS).

The state a job needs is set before the workers are forked and inherited by
them, so nothing secret (the signing key) is ever pickled or sent between
processes; only results come back. Small jobs run in this process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
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


def _workers(workers: int | None, count: int) -> int:
    """How many processes a map of *count* items uses (1: this one)."""
    workers = workers or (_LIMIT[-1] if _LIMIT and _LIMIT[-1] else None) or os.cpu_count() or 1
    if workers < 2 or count < PARALLEL_THRESHOLD or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return workers


def imap_indices(
    func: Callable[[Any, int], T],
    count: int,
    state: Any,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Iterator[T]:
    """``func(state, i) for i in range(count)``, in order, on all cores when it is worth it, with
    at most two chunks per worker made ahead of the consumer (the results are never all held).

    *func* must be a module-level function (workers look it up by name). While the iterator is
    not exhausted, no other map may start. *progress*, if given, is called in this process with
    the number of items done so far.
    """
    workers = _workers(workers, count)
    if workers == 1:
        for index in range(count):
            yield func(state, index)
            if progress is not None and (index + 1) % CHUNK == 0:
                progress(index + 1)
        if progress is not None:
            progress(count)
        return
    _STATE["state"] = state
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    try:
        starts = iter(range(0, count, CHUNK))
        pending: deque[Future[list[T]]] = deque()

        def submit() -> None:
            start = next(starts, None)
            if start is not None:
                pending.append(pool.submit(_run_chunk, func, start, min(start + CHUNK, count)))

        for _ in range(2 * workers):
            submit()
        done = 0
        while pending:
            chunk = pending.popleft().result()
            submit()
            yield from chunk
            done += len(chunk)
            if progress is not None:
                progress(done)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _STATE.clear()


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
    return list(imap_indices(func, count, state, workers, progress))
