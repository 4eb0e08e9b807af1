"""Status indexes: one number in the lock, a status list and a bit in it on the site.

Each issuer publishes up to :data:`MAX_LISTS` status lists of ``LIST_BITS``
bits. The lock keeps one whole number per credential, its *status index*,
from 0 to ``MAX_LISTS * LIST_BITS - 1``: list ``index // LIST_BITS + 1``
(numbered from 1), bit ``index % LIST_BITS`` of it (the credential's
``statusListIndex``). Indexes 0 to 131,071 are list 1, so a lock written when
every issuer had one list still means exactly what it meant.

No two entries of a lock share an index, whatever their issuers, so the lock's
rules need no issuer. New indexes are drawn at random in the lowest list whose
range holds fewer than :data:`PER_LIST` (half its bits) of the lock's indexes:
a random draw then takes at most two tries on average, and each list holds tens
of thousands of credentials before the next opens (Bitstring Status List §6.1:
holders' group privacy comes from the list's length and how many of its entries
are allocated).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable

from ..errors import LockError
from ..vc.bitstring import LIST_BITS

RandomBytes = Callable[[int], bytes]

MAX_LISTS = 64  # status lists per issuer: 64 × 65,536 = 4,194,304 credentials per site
PER_LIST = LIST_BITS // 2  # indexes drawn in one list before the next one opens
INDEX_LIMIT = MAX_LISTS * LIST_BITS  # status indexes are 0 to INDEX_LIMIT - 1


def list_number(index: int) -> int:
    """The status list (from 1) that holds *index*."""
    return index // LIST_BITS + 1


def list_bit(index: int) -> int:
    """The bit of *index* in its own list: the credential's ``statusListIndex``."""
    return index % LIST_BITS


def status_index(number: int, bit: int) -> int:
    """The lock's status index of bit *bit* of list *number* (ValueError if out of range)."""
    if not 1 <= number <= MAX_LISTS or not 0 <= bit < LIST_BITS:
        raise ValueError(f"bit {bit} of status list {number} is outside the {MAX_LISTS} lists of {LIST_BITS} bits")
    return (number - 1) * LIST_BITS + bit


def describe(index: int) -> str:
    """How messages name a status index: ``14387`` in list 1, ``131075 (list 2, bit 3)`` in a later one."""
    number = list_number(index)
    return str(index) if number == 1 else f"{index} (list {number}, bit {list_bit(index)})"


def full_message(count: int) -> str:
    """Why *count* more credentials cannot be drawn."""
    return (
        f"no room for {count} more status {'index' if count == 1 else 'indexes'}: credpress fills each of an "
        f"issuer's {MAX_LISTS} status lists ({LIST_BITS:,} bits each) only half, so a site holds at most "
        f"{MAX_LISTS * PER_LIST:,} credentials"
    )


class IndexPool:
    """The status indexes a lock uses, and new ones drawn in the lowest list with room.

    Counting the indexes once per list keeps each draw cheap: no list a draw
    goes to is more than half full, so a random bit is free at least half the time.
    """

    def __init__(self, used: Iterable[int] = ()):
        self.used: set[int] = set()
        self.counts = [0] * MAX_LISTS
        self._open = 0  # lists before this one hold PER_LIST or more (counts only grow)
        for index in used:
            self.add(index)

    def __contains__(self, index: object) -> bool:
        return index in self.used

    def __len__(self) -> int:
        return len(self.used)

    def add(self, index: int) -> None:
        """Count *index* as used (an index already used counts once)."""
        if index not in self.used:
            self.used.add(index)
            if 0 <= index < INDEX_LIMIT:
                self.counts[index // LIST_BITS] += 1

    def room(self) -> int:
        """How many indexes can still be drawn."""
        return sum(max(0, PER_LIST - count) for count in self.counts)

    def draw(self, random_bytes: RandomBytes = secrets.token_bytes) -> int:
        """A random unused index in the lowest list with room, now used (LockError when none is left)."""
        while self._open < MAX_LISTS and self.counts[self._open] >= PER_LIST:
            self._open += 1
        if self._open == MAX_LISTS:
            raise LockError(full_message(1))
        offset = self._open * LIST_BITS
        while True:
            # 3 bytes, 2**24 a multiple of LIST_BITS: every bit equally likely; list 1 draws what it always drew.
            index = offset + int.from_bytes(random_bytes(3), "big") % LIST_BITS
            if index not in self.used:
                self.add(index)
                return index
