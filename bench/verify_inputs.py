#!/usr/bin/env python3
"""Time against size for what ``credpress verify`` reads besides JSON: hostile badge
pages (``credpress.verify.page``) and baked PNG and SVG badges (``credpress.verify.baked``).

    python bench/verify_inputs.py

Each line is one input at a few sizes and the milliseconds it took; linear growth
means the time per megabyte stays flat as the size doubles.
"""

from __future__ import annotations

import struct
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from credpress.verify.baked import BakedError, unbake  # noqa: E402
from credpress.verify.page import PageError, credential_link  # noqa: E402

PAGE = "https://badges.example.org/credentials/abc/"


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


PAGES: dict[str, Callable[[int], bytes]] = {
    "unfinished <link tags": lambda n: b"<link " * (n // 6),
    "unterminated comments": lambda n: b"<!--" * (n // 4),
    "unterminated <script>": lambda n: b"<script>" * (n // 8),
    "one long attribute": lambda n: b"<link href=" + b"a" * n + b">",
    "many empty tags": lambda n: b"<a>" * (n // 3),
}
IMAGES: dict[str, tuple[str, Callable[[int], bytes]]] = {
    "PNG of empty chunks": ("png", lambda n: b"\x89PNG\r\n\x1a\n" + chunk(b"tEXt", b"") * (n // 12)),
    "PNG with one big iTXt": (
        "png",
        lambda n: b"\x89PNG\r\n\x1a\n" + chunk(b"iTXt", b"openbadgecredential\x00\x00\x00\x00\x00{" + b" " * n + b"}"),
    ),
    "SVG of many elements": ("svg", lambda n: b"<svg>" + b"<g/>" * (n // 4) + b"</svg>"),
}


def timed(run: Callable[..., object], *args: object) -> float:
    """Milliseconds *run(*args)* took (the input is made before the clock starts)."""
    start = time.perf_counter()
    try:
        run(*args)
    except (PageError, BakedError):
        pass
    return (time.perf_counter() - start) * 1000


def main() -> None:
    """Print the figures."""
    for name, make in PAGES.items():
        sizes = (250_000, 500_000, 1_000_000)  # the page limit is 1 MB
        figures = [f"{size // 1000} kB {timed(credential_link, make(size), PAGE):.1f} ms" for size in sizes]
        print(f"page scan, {name}: {', '.join(figures)}")
    for name, (kind, make) in IMAGES.items():
        sizes = (2_000_000, 4_000_000, 7_000_000)  # the image limit is 8 MB
        figures = [f"{size // 1_000_000} MB {timed(unbake, make(size), kind):.1f} ms" for size in sizes]
        print(f"unbake, {name}: {', '.join(figures)}")


if __name__ == "__main__":
    main()
