#!/usr/bin/env python3
"""QR code speed: milliseconds per badge page QR code (SVG), segno against credpress.site.qr.

    python bench/qr_speed.py [N]        (default 2000)

N credential page URLs (seeded random UUIDs, so version 6 at level M, as on a real
site), each drawn once by segno (``qr_codes.segno_svg``, the reference) and once by the
fast encoder (``credpress.site.qr.svg``, what ``qr_svg`` uses), in one process; the fast
encoder's per-version tables are built before the clock starts. Also checks that both
give the same bytes.
"""

from __future__ import annotations

import random
import sys
import time
import uuid

from credpress.site import qr
from credpress.site.generators import qr_codes


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    rnd = random.Random(2000)
    base = "https://badges.northwind-academy.example/credentials/"
    urls = [f"{base}{uuid.UUID(int=rnd.getrandbits(128), version=4)}/" for _ in range(count)]
    qr.svg(urls[0])  # the layout of the version, once
    timings = {}
    outputs = {}
    for label, draw in (("segno", qr_codes.segno_svg), ("fast", qr.svg)):
        start = time.perf_counter()
        outputs[label] = [draw(url) for url in urls]
        timings[label] = (time.perf_counter() - start) / count * 1000
    same = outputs["segno"] == outputs["fast"]
    print(f"{count} credential URLs, {len(outputs['fast'][0])} bytes each")
    for label, ms in timings.items():
        print(f"{label:>6}: {ms:7.3f} ms per code")
    print(f"speed-up: {timings['segno'] / timings['fast']:.1f}x; same bytes: {same}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
