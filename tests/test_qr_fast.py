"""credpress.site.qr against segno: the same symbol (version, level, mask, modules) and the
same SVG bytes, for the URLs our sites make and for any text; segno for the rest."""

from __future__ import annotations

import io
import random
import shutil
import string
import subprocess
import uuid
from pathlib import Path

import pytest
import segno
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from segno import consts, encoder

from credpress.site import qr, qr_symbol
from credpress.site.generators import qr_codes

BASE = "https://badges.northwind-academy.example/credentials/"
LEVEL = {"M": consts.ERROR_LEVEL_M, "Q": consts.ERROR_LEVEL_Q, "H": consts.ERROR_LEVEL_H}


def segno_code(text: str) -> segno.QRCode:
    return segno.make(text, error="m", micro=False)


def segno_svg(code: segno.QRCode) -> bytes:
    out = io.BytesIO()
    code.save(out, kind="svg", **qr_codes.SEGNO_SVG)
    return out.getvalue()


def assert_same(text: str) -> qr.Symbol:
    """The fast encoder makes segno's symbol and SVG of *text*."""
    code = segno_code(text)
    ours = qr.encode(text)
    assert ours is not None, text
    assert (ours.version, ours.level, ours.mask) == (code.version, code.error, code.mask), text
    assert ours.rows == ["".join(map(str, row)) for row in code.matrix], text
    assert qr.svg(text) == segno_svg(code), text
    return ours


def capacity(version: int, level: str) -> int:
    """segno's byte capacity of a version at a level (its own table, not ours)."""
    bits = consts.SYMBOL_CAPACITY[version][LEVEL[level]]
    return (bits - 4 - (8 if version < 10 else 16)) // 8


def text_of(length: int, rnd: random.Random) -> str:
    """*length* bytes that segno puts in byte mode (a lower-case letter first)."""
    return "x" + "".join(rnd.choice(string.ascii_letters + string.digits + "/-._~:?&=#%") for _ in range(length - 1))


# --- tables ---------------------------------------------------------------------------


@pytest.mark.parametrize("version", range(1, 41))
def test_tables_are_segnos(version: int) -> None:
    for level, code in LEVEL.items():
        blocks = consts.ECC[version][code]
        assert qr._BLOCKS[level][version - 1] == sum(b.num_blocks for b in blocks)
        assert {qr._EC_PER_BLOCK[level][version - 1]} == {b.num_total - b.num_data for b in blocks}
        assert qr._data_codewords(version, level) * 8 == consts.SYMBOL_CAPACITY[version][code]
    assert qr._byte_capacity()[version - 1] == capacity(version, "M")
    grid = qr_symbol._function_modules(version)
    assert qr_symbol.encoding_modules(version) == len(qr_symbol._placement(grid))
    if version > 1:
        assert tuple(qr_symbol._alignment_centres(version)) == consts.ALIGNMENT_POS[version - 2]
    if version >= 7:
        assert qr_symbol._bch(version, 0x1F25, 12) == consts.VERSION_INFO[version - 7]


def test_format_information_is_segnos() -> None:
    for bits in qr_symbol.LEVEL_BITS.values():
        for mask in range(8):
            assert qr_symbol._bch(bits << 3 | mask, 0x537, 10) ^ 0x5412 == consts.FORMAT_INFO[bits << 3 | mask]


def test_reed_solomon_is_segnos() -> None:
    rnd = random.Random(7)
    for degree in (7, 10, 13, 16, 17, 18, 20, 22, 24, 26, 28, 30):
        data = bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 120)))
        buff = encoder.Buffer()
        for byte in data:
            buff.append_bits(byte, 8)
        ec = consts.EC(num_blocks=1, num_total=len(data) + degree, num_data=len(data))
        assert qr._reed_solomon(data, degree) == bytes(encoder.make_blocks([ec], buff)[1][0])


# --- the URLs our sites make ----------------------------------------------------------


def test_every_credential_page_of_the_example_site(example_site: Path) -> None:
    pages = sorted(example_site.glob("credentials/*/index.html"))
    assert len(pages) > 30
    for page in pages:
        url = f"https://badges.northwind-academy.example/{page.parent.relative_to(example_site).as_posix()}/"
        assert_same(url)
        assert (page.parent / "qr.svg").read_bytes() == qr_codes.segno_svg(url)


def test_random_credential_urls() -> None:
    rnd = random.Random(2026)
    hosts = ["badges.northwind-academy.example", "a.example", "credentials.some-long-university-name.example.org"]
    for i in range(1000):
        base = f"https://{hosts[i % 3]}/" + "x/" * rnd.randrange(4)
        assert_same(f"{base}credentials/{uuid.UUID(int=rnd.getrandbits(128), version=4)}/")


def test_random_urls_of_every_length() -> None:
    rnd = random.Random(18004)
    for _ in range(800):
        length = rnd.choice((rnd.randrange(1, 80), rnd.randrange(80, 300)))
        assert_same(text_of(length, rnd) if length <= 8 else "https://" + text_of(length - 8, rnd))


@pytest.mark.parametrize("version", range(1, 41))
def test_every_version_and_level_boundary(version: int) -> None:
    """The longest data of each level in each version, and one byte more: version 40's
    last byte, and every step from M to Q to H and on to the next version."""
    rnd = random.Random(version)
    lengths = {capacity(version, level) + extra for level in "MQH" for extra in (0, 1)}
    for length in sorted(n for n in lengths if 0 < n <= capacity(40, "M")):
        assert_same(text_of(length, rnd))
    assert qr.encode(text_of(capacity(version, "M"), rnd)).version == version  # type: ignore[union-attr]


def test_short_and_odd_texts() -> None:
    for text in ("", "a", "ab", "a ", "a b", "é", "ÿ" * 30, "https://exämple.example/ü", "\x00\x01\n\t", "ｱｲｳ/a"):
        assert_same(text)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=120))
def test_any_text(text: str) -> None:
    expected = qr_codes.segno_svg(text)
    assert qr_codes.qr_svg(text) == expected
    assert qr.svg(text) in (None, expected)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=string.printable + "é日本語ｱ€", max_size=200))
def test_any_printable_text(text: str) -> None:
    if qr.encode(text) is not None:
        assert_same(text)
    else:
        assert qr_codes.qr_svg(text) == qr_codes.segno_svg(text)


# --- the penalty, on any symbol -----------------------------------------------------------

PIECES = ["1011101", "0000", "1", "0", "11111", "00000", "10111011101", "1011101011101"]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([1, 2, 7]), st.randoms(use_true_random=False))
def test_penalty_is_segnos_on_any_matrix(version: int, rnd: random.Random) -> None:
    """Runs, blocks and finder-like patterns (overlapping ones too) as segno scores them."""
    lay = qr_symbol.layout(version)
    n = lay.size
    rows = []
    for _ in range(n):
        row = ""
        while len(row) < n:
            row += rnd.choice(PIECES)
        rows.append(row[:n])
    if rnd.random() < 0.5:  # the columns get the patterns too
        rows = ["".join(row[c] for row in rows) for c in range(n)]
    symbol = qr_symbol._from_rows("".join(row + "0" * qr_symbol.GUARD for row in rows), n)
    matrix = tuple(bytearray(int(bit) for bit in row) for row in rows)
    assert qr_symbol._penalty(symbol, lay) == sum(encoder.mask_scores(matrix, n, n))


def test_a_pattern_overlapping_a_counted_one_is_skipped_as_segno_skips_it() -> None:
    lay = qr_symbol.layout(1)
    row = "0000101110111010000"  # two patterns; segno counts the first only
    rows = [row + "01", *["01" * 10 + "1"] * 20]
    matrix = tuple(bytearray(int(bit) for bit in r) for r in rows)
    symbol = qr_symbol._from_rows("".join(r + "0000" for r in rows), 21)
    n1, n2, n3, n4 = encoder.mask_scores(matrix, 21, 21)
    assert qr_symbol._penalty(symbol, lay) == n1 + n2 + n3 + n4


# --- what the fast encoder leaves to segno -----------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "0123456789",  # numeric mode
        "HTTPS://BADGES.EXAMPLE/CREDENTIALS/0470402B/",  # alphanumeric mode
        "日本語",  # Kanji mode (Shift JIS)
        "\x81\x40\x9f\xfc",  # Latin-1 whose bytes are Shift JIS Kanji: Kanji mode too
    ],
)
def test_other_modes_are_segnos(text: str) -> None:
    assert qr.encode(text) is None and qr.svg(text) is None
    assert qr_codes.qr_svg(text) == qr_codes.segno_svg(text)
    assert segno_code(text).mode != "byte"


def test_data_beyond_version_40_is_segnos_error() -> None:
    assert qr.encode("x" * capacity(40, "M")) is not None
    too_long = "x" * (capacity(40, "M") + 1)
    assert qr.encode(too_long) is None
    with pytest.raises(segno.DataOverflowError):
        qr_codes.qr_svg(too_long)


def test_text_no_encoding_takes_is_segnos_error() -> None:
    assert qr.encode("a\ud800") is None
    with pytest.raises(UnicodeEncodeError):
        qr_codes.qr_svg("a\ud800")


def test_qr_svg_takes_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    url = BASE + "0470402b-3e37-47a3-a725-2e6a8ad485b7/"
    expected = qr_codes.qr_svg(url)
    monkeypatch.setattr(qr_codes.segno, "make", lambda *a, **k: pytest.fail("segno used"))
    assert qr_codes.qr_svg(url) == expected


# --- a reader reads it ----------------------------------------------------------------------


def test_zbar_reads_the_fast_symbols(tmp_path: Path) -> None:
    zbarimg = shutil.which("zbarimg")
    if zbarimg is None:
        pytest.fail("zbarimg is not installed (apt-get install zbar-tools)", pytrace=False)
    rnd = random.Random(3)
    texts = [
        BASE + "0470402b-3e37-47a3-a725-2e6a8ad485b7/",
        "https://a.example/é?q=日本",
        text_of(capacity(12, "M"), rnd),
    ]
    for i, text in enumerate(texts):
        symbol = qr.encode(text)
        assert symbol is not None
        size = len(symbol.rows) + 8
        image = Image.new("L", (size, size), 255)
        image.putdata(
            [
                0 if 4 <= r < size - 4 and 4 <= c < size - 4 and symbol.rows[r - 4][c - 4] == "1" else 255
                for r in range(size)
                for c in range(size)
            ]
        )
        png = tmp_path / f"{i}.png"
        image.resize((size * 4, size * 4), Image.NEAREST).save(png)
        decoded = subprocess.run(
            [zbarimg, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", "-Sbinary", str(png)],
            capture_output=True,
            check=True,
        )
        assert decoded.stdout.rstrip(b"\n") == text.encode(), text
