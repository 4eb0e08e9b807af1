"""The QR Code symbol of one version, for ``credpress.site.qr``: where its function
patterns are and where the codewords go, the data masks and the penalty that picks
one, and the format and version information. References are to ISO/IEC 18004:2015:

- §6.3.3 to §6.3.6 and Annex E (Table E.1): finder patterns, separators, timing
  patterns and alignment patterns; §6.3.7: the encoding region, with the format and
  version information areas; §7.7.3: the codewords in two-module columns, right to
  left, upwards then downwards; the remainder bits (§7.6) are the light modules left.
- §7.8.2, Table 10: the eight data masks, on the encoding region only.
- §7.8.3.1, Table 11: the penalty scores N1 to N4, computed as segno 1.6.6 computes
  them (segno/encoder.py, ``find_and_apply_best_mask`` and ``mask_scores``, BSD
  licence), since the aim is segno's mask: on the symbol without its format and
  version information, the dark module light; a 1:1:3:1:1 pattern counts with four
  light modules on either side, the outside of the symbol light, and a pattern that
  overlaps one already counted is skipped (segno resumes its search after it); N4
  with segno's floating point rounding. The first mask with the lowest score wins.
- §7.9.1, Table 12 and Annex C: format information, BCH (15, 5) with generator
  10100110111, XOR 101010000010010, and the dark module beside it.
- §7.10 and Annex D: version information from version 7 on, BCH (18, 6) with
  generator 1111100100101 (Figure 27).

A symbol is one integer: its rows one after the other, each followed by ``GUARD``
light modules, an empty row, then its columns the same way, the top left module the
most significant bit. A data mask is one XOR, and each penalty rule a few shifts and
ANDs on all rows and columns at once.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from typing import NamedTuple

GUARD = 4  # light modules after each row: the 1:1:3:1:1 rule's light area, and no more
LEVEL_BITS = {"L": 0b01, "M": 0b00, "Q": 0b11, "H": 0b10}  # §7.9.1, Table 12

# Table 10, i the row and j the column.
_MASKS: tuple[Callable[[int, int], bool], ...] = (
    lambda i, j: (i + j) % 2 == 0,
    lambda i, j: i % 2 == 0,
    lambda i, j: j % 3 == 0,
    lambda i, j: (i + j) % 3 == 0,
    lambda i, j: (i // 2 + j // 3) % 2 == 0,
    lambda i, j: (i * j) % 2 + (i * j) % 3 == 0,
    lambda i, j: ((i * j) % 2 + (i * j) % 3) % 2 == 0,
    lambda i, j: ((i + j) % 2 + (i * j) % 3) % 2 == 0,
)


def encoding_modules(version: int) -> int:
    """The modules left for codewords: (4v + 17)² less the finders with their separators
    and the format information (3 × 64 + 31), the timing patterns (2 × (4v + 1)), the
    alignment patterns (25 each, less 5 on a timing pattern) and the version information."""
    modules = (16 * version + 128) * version + 64
    if version >= 2:
        count = version // 7 + 2
        modules -= 25 * (count * count - 3) - 10 * (count - 2)
    return modules - 36 * (version >= 7)


class Layout(NamedTuple):
    """A version's symbol as integers: its rows, each followed by GUARD light modules,
    an empty row, then its columns the same way; the top left module is the highest bit."""

    size: int
    stride: int  # size + GUARD
    shift: int  # where the rows start: stride * (size + 1)
    stream_bits: int  # codeword bits (the remainder bits are the light modules left over)
    rows_of: Callable[[str], tuple[str, ...]]  # codeword bits + "01" → modules, row by row, with guards
    masks: tuple[int, ...]  # 1 where each data mask darkens an encoding module
    full: int  # 1 on every module, 0 on the guards
    pairs: int  # 1 on a module with a module on its left
    columns: int  # 1 on a module with a module above


def _alignment_centres(version: int) -> list[int]:
    """Annex E, Table E.1: the rows (and columns) of the alignment patterns' centres,
    evenly spaced (an even step) back from the last, the first always 6."""
    if version == 1:
        return []
    count = version // 7 + 2
    step = (version * 8 + count * 3 + 5) // (count * 4 - 4) * 2
    last = 4 * version + 10
    return [6] + [last - step * i for i in range(count - 2, -1, -1)]


def _function_modules(version: int) -> list[list[int | None]]:
    """1 dark, 0 light (the format and version areas too), None for an encoding module."""
    n = 4 * version + 17
    grid: list[list[int | None]] = [[None] * n for _ in range(n)]
    for top, left in ((0, 0), (0, n - 7), (n - 7, 0)):  # finders with their separators
        for r in range(max(top - 1, 0), min(top + 8, n)):
            for c in range(max(left - 1, 0), min(left + 8, n)):
                grid[r][c] = int(max(abs(r - top - 3), abs(c - left - 3)) in (0, 1, 3))
    for i in range(8, n - 8):  # timing patterns
        grid[6][i] = grid[i][6] = int(i % 2 == 0)
    centres = _alignment_centres(version)
    corners = {(6, 6), (6, n - 7), (n - 7, 6)}  # on the finders: none there
    for r in centres:
        for c in centres:
            if (r, c) not in corners:
                for dr in range(-2, 3):
                    for dc in range(-2, 3):
                        grid[r + dr][c + dc] = int(max(abs(dr), abs(dc)) != 1)
    for i in range(9):  # format information, and the dark module (light while masking)
        for r, c in ((i, 8), (8, i), (n - 1 - i, 8), (8, n - 1 - i)) if i < 8 else ((8, 8),):
            if grid[r][c] is None:
                grid[r][c] = 0
    if version >= 7:  # version information
        for i in range(6):
            for j in range(n - 11, n - 8):
                grid[i][j] = grid[j][i] = 0
    return grid


def _placement(grid: list[list[int | None]]) -> list[tuple[int, int]]:
    """The encoding modules in codeword order (§7.7.3): two-module columns from the
    right, upwards then downwards, skipping the vertical timing pattern."""
    n = len(grid)
    order: list[tuple[int, int]] = []
    right, upwards = n - 1, True
    while right > 0:
        if right == 6:
            right = 5
        for r in range(n - 1, -1, -1) if upwards else range(n):
            order.extend((r, c) for c in (right, right - 1) if grid[r][c] is None)
        right, upwards = right - 2, not upwards
    return order


@functools.cache
def layout(version: int) -> Layout:
    """A version's layout, made once: the function patterns and the codeword order in
    one itemgetter (codeword bits, then "0" and "1" for the light and dark modules)."""
    grid = _function_modules(version)
    n, stride = len(grid), len(grid) + GUARD
    order = _placement(grid)
    stream_bits = len(order) // 8 * 8
    light, dark = stream_bits, stream_bits + 1  # the source ends with "01"
    index = {rc: min(k, light) for k, rc in enumerate(order)}
    fixed = [
        [dark if v == 1 else light if v == 0 else index[r, c] for c, v in enumerate(row)] for r, row in enumerate(grid)
    ]

    def bits(on: Callable[[int, int], bool]) -> int:
        """An integer of the layout: 1 where on(row, column)."""
        return _from_rows("".join("".join("01"[on(r, c)] for c in range(n)) + "0" * GUARD for r in range(n)), n)

    def masked(mask: Callable[[int, int], bool]) -> Callable[[int, int], bool]:
        return lambda r, c: grid[r][c] is None and mask(r, c)

    full = bits(lambda r, c: True)
    return Layout(
        size=n,
        stride=stride,
        shift=stride * (n + 1),
        stream_bits=stream_bits,
        rows_of=operator.itemgetter(*(k for row in fixed for k in (*row, *[light] * GUARD))),
        masks=tuple(bits(masked(mask)) for mask in _MASKS),
        full=full,
        pairs=full & full >> 1,
        columns=full & full >> stride,
    )


def place(lay: Layout, codewords: str) -> int:
    """The symbol of the final message's bits (a string of "0" and "1"), unmasked."""
    return _from_rows("".join(lay.rows_of(codewords + "01")), lay.size)


def _from_rows(rows: str, n: int) -> int:
    """The layout's integer from its rows (each with its guard)."""
    guard = "0" * GUARD
    cols = guard.join([rows[c :: n + GUARD] for c in range(n)]) + guard
    return int(rows + "0" * (n + GUARD) + cols, 2)  # an empty row between: 2 × 2 blocks stay apart


def best_mask(symbol: int, lay: Layout) -> int:
    """The data mask with the lowest penalty, the first of equals (as segno picks)."""
    scores = [_penalty(symbol ^ mask, lay) for mask in lay.masks]
    return scores.index(min(scores))


def finish(symbol: int, lay: Layout, level: str, mask: int) -> list[str]:
    """The rows of the masked symbol with its format and version information, "1" dark."""
    rows = (symbol ^ lay.masks[mask]) >> lay.shift | _overlay(lay.size, level, mask)
    bits = format(rows, f"0{lay.shift - lay.stride}b")
    return [bits[i : i + lay.size] for i in range(0, len(bits), lay.stride)]


def _bch(value: int, generator: int, bits: int) -> int:
    """*value* followed by the remainder of its division by *generator* (Annexes C and D)."""
    rest = value << bits
    for shift in range(rest.bit_length() - generator.bit_length(), -1, -1):
        if rest >> (shift + generator.bit_length() - 1) & 1:
            rest ^= generator << shift
    return value << bits | rest


@functools.cache
def _overlay(n: int, level: str, mask: int) -> int:
    """The dark modules of the format information, the dark module and the version information."""
    version, stride = (n - 17) // 4, n + GUARD
    fmt = _bch(LEVEL_BITS[level] << 3 | mask, 0x537, 10) ^ 0x5412
    cells = {(n - 8, 8)}  # the dark module (§7.9.1); (row, column) from here on
    near = [(r, 8) for r in (0, 1, 2, 3, 4, 5, 7, 8)] + [(8, c) for c in (7, 5, 4, 3, 2, 1, 0)]
    far = [(8, n - 1 - i) for i in range(8)] + [(n - 7 + i, 8) for i in range(7)]
    for bit in range(15):
        if fmt >> bit & 1:
            cells |= {near[bit], far[bit]}
    if version >= 7:  # Figure 27: bit b at row b // 3, column n - 11 + b % 3, and transposed
        info = _bch(version, 0x1F25, 12)
        for bit in range(18):
            if info >> bit & 1:
                cells |= {(bit // 3, n - 11 + bit % 3), (n - 11 + bit % 3, bit // 3)}
    last = n * stride - 1
    return sum(1 << (last - (r * stride + c)) for r, c in cells)


def _penalty(both: int, lay: Layout) -> int:
    """The symbol's penalty, rows and columns at once (they share the 2 × 2 blocks and
    the dark modules, counted twice)."""
    same = (both ^ both >> 1 ^ lay.pairs) & lay.pairs  # as the module on its left
    fours = same & same >> 1
    fours &= fours >> 2  # N1: the fifth and later modules of a run of one colour
    score = fours.bit_count() + 2 * (fours ^ (fours & fours << 1)).bit_count()
    blocks = same & same >> lay.stride & (both ^ both >> lay.stride ^ lay.columns)  # N2
    score += 3 * (blocks.bit_count() // 2)
    light = both ^ lay.full  # N3: 1011101, its left module here
    found = both & both << 2 & both << 3 & both << 4 & both << 6 & light << 1 & light << 5
    if found:
        near = both | both >> 1
        near |= near >> 2  # any dark among this module and the three on its left
        counts = found ^ (found & near >> 1 & near << 10)  # four light on the left or right
        seen = found
        while True:  # segno resumes its search after a counted pattern: overlaps are skipped
            counted = seen & counts
            after = found ^ (found & (counted >> 4 | counted >> 6))
            if after == seen:
                break
            seen = after
        score += 40 * counted.bit_count()
    percent = float(both.bit_count() // 2) / (lay.size * lay.size)  # N4, as segno rounds it
    return score + 10 * int(abs(percent * 100 - 50) / 5)
