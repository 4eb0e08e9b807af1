"""Signed credentials' bytes, kept in a temporary file instead of in memory.

A build holds every signed credential until its pages and learner records are
made, and a credential's JSON is most of a record's memory (about 4 KB, 400 MB
at 100,000 awards). Worse, every worker process that reads a record's bytes
writes to their object (CPython's reference count) and so gets its own copy of
the page that holds it. A :class:`SignedStore` appends the bytes to one
anonymous temporary file and a record keeps only where they are; reading them
is one ``os.pread`` (no shared file position, so forked workers read the file
they inherit safely) from the operating system's page cache.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from typing import IO

_STORES: dict[int, SignedStore] = {}  # by number: a record keeps the number, never the file object
_NUMBERS = itertools.count(1)


class SignedStore:
    """An append-only temporary file of byte strings; closed (and so deleted) by :meth:`close`."""

    def __init__(self, folder: str | None = None) -> None:
        self._file: IO[bytes] | None = tempfile.TemporaryFile(prefix="credpress-signed-", dir=folder)
        self._fd = self._file.fileno()
        self._end = 0
        self.number = next(_NUMBERS)
        _STORES[self.number] = self

    def add(self, data: bytes) -> tuple[int, int, int]:
        """Append *data*; returns where it is: (store number, offset, length)."""
        offset, view = self._end, memoryview(data)
        while view:
            written = os.pwrite(self._fd, view, offset + len(data) - len(view))
            view = view[written:]
        self._end += len(data)
        return self.number, offset, len(data)

    def read(self, offset: int, length: int) -> bytes:
        data = os.pread(self._fd, length, offset)
        while len(data) < length:  # a short read (rare): the rest
            more = os.pread(self._fd, length - len(data), offset + len(data))
            if not more:
                raise OSError(f"signed credential store: {length} bytes at {offset} not found")
            data += more
        return data

    def close(self) -> None:
        _STORES.pop(self.number, None)
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> SignedStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read(where: tuple[int, int, int]) -> bytes:
    """The bytes stored at *where* (from :meth:`SignedStore.add`)."""
    number, offset, length = where
    store = _STORES.get(number)
    if store is None:
        raise ValueError("the signed credential store of this record is closed")
    return store.read(offset, length)
