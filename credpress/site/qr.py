"""A fast QR Code encoder for the badge pages' QR codes: byte mode, error correction
level M or better, the smallest version that fits, and the SVG that segno draws.

``encode`` makes the very symbol that segno 1.6.6 makes with ``segno.make(text,
error="m", micro=False)``, and ``svg`` the same bytes as its SVG writer with the options
of ``qr_codes.qr_svg``, some thirty times faster (segno's mask choice is pure Python,
module by module). Both return None where segno would not use byte mode, and for data
beyond version 40; segno stays the fallback and, in the tests, the reference. The
symbol itself (patterns, placement, masks, penalty) is ``qr_symbol``. References are to
ISO/IEC 18004:2015:

- §7.3.5, §7.4.5: byte mode. As segno does, the text is ISO/IEC 8859-1 if it can be,
  else Shift JIS, else UTF-8, with no ECI; data that fits numeric, alphanumeric or
  Kanji mode (§7.4.3, §7.4.4, §7.4.6) is segno's, which would use that mode.
- §7.4.1, Table 2 and Table 3: mode indicator 0100, and a character count indicator
  of 8 bits in versions 1 to 9, 16 in versions 10 to 40.
- §7.4.9, §7.4.10: terminator, padding to a codeword boundary, pad codewords 11101100
  and 00010001 in turn. segno pads eight zero bits when the terminator already ends on
  a codeword boundary, which in byte mode it always does, so there is a 00000000
  codeword before the pad codewords (where there is room); so it is here.
- §7.4.10, Table 7: the version is the smallest whose data capacity at level M holds
  the data; then, as segno's ``boost_error`` does, level Q, then H, while the data
  still fits that version (§7.5.1, Table 9: the error correction of each level).
- §7.5.2, Annex A: Reed–Solomon error correction codewords over GF(2⁸) with the
  prime polynomial 100011101 and the generator polynomial ∏(x − αⁱ), for each block
  (Table 9: the blocks with fewer data codewords first).
- §7.6: the final message, data codewords then error correction codewords, each taken
  from the blocks in turn.
- §6.3.8: the quiet zone of four modules, which the SVG draws; the SVG writer is
  segno's ``write_svg`` (segno/writers.py): one white square, then one path of
  horizontal lines, one per run of dark modules, each "m" relative to the end of the
  one before.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable
from typing import NamedTuple

from .qr_symbol import best_mask, encoding_modules, finish, layout, place

# Table 9: error correction codewords per block, and the number of blocks, versions 1 to 40.
# fmt: off
_EC_PER_BLOCK = {
    "M": (10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26,
          26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28),
    "Q": (13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30,
          28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30),
    "H": (17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28,
          30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30),
}
_BLOCKS = {
    "M": (1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16,
          17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49),
    "Q": (1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20,
          23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68),
    "H": (1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25,
          25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81),
}
# fmt: on
_BORDER = 4  # the quiet zone (§6.3.8), as qr_svg draws it


class Symbol(NamedTuple):
    """An encoded QR Code: version, error correction level, mask, and rows of "0"/"1" (1 dark)."""

    version: int
    level: str
    mask: int
    rows: list[str]


def encode(text: str) -> Symbol | None:
    """The QR Code segno makes of *text* (error="m", micro=False), or None where segno
    would use another mode than byte mode, or the data needs more than version 40."""
    data = _to_bytes(text)
    if data is None:
        return None
    version = _version_for(len(data))
    if version is None:
        return None
    level = _boosted_level(version, len(data))
    lay = layout(version)
    both = place(lay, format(int.from_bytes(_codewords(data, version, level), "big"), f"0{lay.stream_bits}b"))
    mask = best_mask(both, lay)
    return Symbol(version, level, mask, finish(both, lay, level, mask))


def svg(text: str) -> bytes | None:
    """segno's SVG of *text*'s QR Code as ``qr_svg`` asks for it (no XML declaration,
    no classes, no size, a four-module white background), or None where ``encode`` is."""
    symbol = encode(text)
    if symbol is None:
        return None
    width = len(symbol.rows) + 2 * _BORDER
    lines = "|".join(symbol.rows).rstrip("0|")  # the light modules at the end draw nothing
    body = lines.lstrip("0|")
    lead = lines[: len(lines) - len(body)]  # none: the finder pattern is in the top left corner
    move = f"M{_BORDER + len(lead) - lead.rfind('|') - 1} {_BORDER + 0.5 + lead.count('|')}"
    runs = body.replace("10", "1 0").replace("1|", "1 |").split(" ")  # light modules, then dark
    path = move + "".join(map(_path_pieces(len(symbol.rows)).__getitem__, runs))
    paths = (f'<path fill="#fff" d="M0 0h{width}v{width}h-{width}z"/>', f'<path stroke="#000" d="{path}"/>')
    head = f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {width}">'
    return (head + "".join(sorted(paths, key=len)) + "</svg>").encode()


# --- data ---------------------------------------------------------------------------

_NOT_BYTE_MODE = re.compile(rb"[0-9]+|[0-9A-Z $%*+\-./:]+")  # numeric, alphanumeric (§7.4.4, Table 5)


def _to_bytes(text: str) -> bytes | None:
    for encoding in ("iso-8859-1", "shift_jis", "utf-8"):
        try:
            data = text.encode(encoding)
            break
        except UnicodeError:
            continue
    else:
        return None  # segno raises the encoding error
    if _NOT_BYTE_MODE.fullmatch(data) or _is_kanji(data):
        return None
    return data


def _is_kanji(data: bytes) -> bool:
    """Shift JIS double bytes only, in the ranges of §7.4.6."""
    if not data or len(data) % 2:
        return False
    for i in range(0, len(data), 2):
        code = data[i] << 8 | data[i + 1]
        if not (0x8140 <= code <= 0x9FFC or 0xE040 <= code <= 0xEBBF):
            return False
    return True


def _data_codewords(version: int, level: str) -> int:
    total = encoding_modules(version) // 8
    return total - _BLOCKS[level][version - 1] * _EC_PER_BLOCK[level][version - 1]


def _bits_needed(version: int, length: int) -> int:
    return 4 + (8 if version < 10 else 16) + 8 * length  # mode indicator, count, data


@functools.lru_cache(maxsize=1)
def _byte_capacity() -> tuple[int, ...]:
    """The most bytes each version holds at level M."""
    return tuple((_data_codewords(v, "M") * 8 - _bits_needed(v, 0)) // 8 for v in range(1, 41))


def _version_for(length: int) -> int | None:
    for version, capacity in enumerate(_byte_capacity(), 1):
        if length <= capacity:
            return version
    return None


def _boosted_level(version: int, length: int) -> str:
    level = "M"
    for better in ("Q", "H"):
        if _data_codewords(version, better) * 8 < _bits_needed(version, length):
            break
        level = better
    return level


def _codewords(data: bytes, version: int, level: str) -> bytes:
    """Data and error correction codewords, interleaved (§7.4 to §7.6)."""
    count_bits = 8 if version < 10 else 16
    # Mode 0100, count, data, terminator 0000 and (segno's way) eight more zero bits.
    stream = ((4 << count_bits | len(data)) << 8 * len(data) | int.from_bytes(data, "big")) << 12
    size = _data_codewords(version, level)
    head = stream.to_bytes((count_bits + 16) // 8 + len(data), "big")[:size]
    pads = size - len(head)
    message = head + b"\xec\x11" * (pads // 2) + b"\xec" * (pads % 2)
    ec_size = _EC_PER_BLOCK[level][version - 1]
    bounds, interleave = _blocks(version, level)
    ec = b"".join([_reed_solomon(message[start:end], ec_size) for start, end in bounds])
    return bytes(interleave(message + ec))


@functools.cache
def _blocks(version: int, level: str) -> tuple[list[tuple[int, int]], Callable[[bytes], tuple[int, ...]]]:
    """Where each block's data codewords start and end in the message, and the order in
    which the symbol takes them and the error correction codewords after them (§7.6)."""
    blocks, ec_size = _BLOCKS[level][version - 1], _EC_PER_BLOCK[level][version - 1]
    size = _data_codewords(version, level)
    short, longer = divmod(size, blocks)  # the last *longer* blocks carry one more data codeword
    bounds, start = [], 0
    for b in range(blocks):
        bounds.append((start, start + short + (b >= blocks - longer)))
        start = bounds[-1][1]
    order = [start + i for i in range(short + 1) for start, end in bounds if start + i < end]
    order += [size + b * ec_size + i for i in range(ec_size) for b in range(blocks)]
    return bounds, operator.itemgetter(*order)


def _gf_tables() -> tuple[list[int], list[int]]:
    exp, log = [0] * 512, [0] * 256
    value = 1
    for power in range(255):
        exp[power] = exp[power + 255] = value
        log[value] = power
        value <<= 1
        if value & 0x100:
            value ^= 0x11D
    return exp, log


_EXP, _LOG = _gf_tables()


@functools.cache
def _rs_steps(degree: int) -> tuple[int, ...]:
    """For each leading coefficient f, f times the generator polynomial of *degree*
    (without its leading 1), as one integer: one XOR per data codeword."""
    poly = [1]
    for power in range(degree):  # (x − α⁰)(x − α¹)…
        poly = [a ^ (_EXP[_LOG[b] + power] if b else 0) for a, b in zip([*poly, 0], [0, *poly])]
    tail = poly[1:]
    return tuple(
        int.from_bytes(bytes(_EXP[_LOG[f] + _LOG[g]] if f and g else 0 for g in tail), "big") for f in range(256)
    )


def _reed_solomon(block: bytes, degree: int) -> bytes:
    steps = _rs_steps(degree)
    top, keep = 8 * (degree - 1), (1 << 8 * degree) - 1
    rest = 0
    for byte in block:
        rest = (rest << 8 & keep) ^ steps[rest >> top ^ byte]
    return rest.to_bytes(degree, "big")


# --- SVG path -------------------------------------------------------------------------


class _Pieces(dict[str, str]):
    """Path commands for light modules then dark ones: a move relative to the end of the
    previous dark run ("m<dx> <dy>"), then "h<length>"; rows are separated by "|"."""

    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def __missing__(self, run: str) -> str:
        dark = run.index("1")
        light, piece = run[:dark], f"h{len(run) - dark}"
        if "|" in light:  # to a later row: back from the previous run's end to this one's start
            after, before = light.index("|"), dark - light.rindex("|") - 1
            piece = f"m{after + before - self.size} {light.count('|')}" + piece
        elif light:
            piece = f"m{dark} 0" + piece
        self[run] = piece
        return piece


@functools.cache
def _path_pieces(size: int) -> _Pieces:
    return _Pieces(size)
