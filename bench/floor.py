#!/usr/bin/env python3
"""The floor: the work no Python build of a credential can skip, timed on this machine.

    python bench/floor.py [N]        (default 2000)

Issue 12 puts the work a build cannot avoid at "about 0.4 ms per credential on
one core" (hash, sign, JSON, page, writes) and sets its targets from it. This
script times that work alone, with the fastest means Python has, on N credentials
of the example's size (a credential and a badge page of the golden site,
tests/golden/small), and nothing of credpress but its QR encoder:

- hash: SHA-256 of the canonical N-Quads and of the proof options, for each of
  the two proofs (eddsa-rdfc-2022 and eddsa-jcs-2022): four digests;
- sign: two Ed25519 signatures (``cryptography``) and their base58btc text;
- JSON: the credential serialized twice (its file, and the sorted JCS form);
- page: the badge page as one ``str.format`` of its final bytes with the
  credential's fifteen values escaped (no template engine, no data model);
- QR code: the badge page URL's QR Code as SVG (``credpress.site.qr``, the
  fastest encoder we have; segno takes 30 times longer);
- files: the credential's JSON file, its page folder, the page and the QR code
  created on this disk (a fresh folder beside this script).

Canonicalization (RDFC-1.0) is left out, as if it were free, and so are the
content checks, the data-model check, the status lists, the lock and every
site-wide file: the sum is a lower bound of a whole build's time per credential.

Each figure is the best of five runs in CPU time (files: wall time). On a file
system without a journal (this machine's), creating a file is slower for a few
minutes after many files were deleted (ext4 skips inodes freed in the last
minute, five while their table is unwritten): run it on a quiet disk.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from credpress.site import qr  # noqa: E402
from credpress.vc.multibase import b58encode  # noqa: E402

GOLDEN = ROOT / "tests" / "golden" / "small" / "credentials"


def _examples() -> tuple[dict, bytes, bytes]:
    """A credential of the golden site, its badge page and its QR code (the largest of each)."""
    files = sorted(GOLDEN.glob("*.json"), key=lambda p: p.stat().st_size)
    if not files:
        raise SystemExit(f"no credentials in {GOLDEN}: the golden site is part of the repository")
    credential = files[-1]
    folder = credential.with_suffix("")
    return json.loads(credential.read_bytes()), (folder / "index.html").read_bytes(), (folder / "qr.svg").read_bytes()


def best(run: Callable[[int], None], count: int, clock: Callable[[], float] = time.process_time) -> float:
    """Milliseconds per credential, best of five runs of *run(count)*."""
    times = []
    for attempt in range(5):
        start = clock()
        run(attempt)
        times.append(clock() - start)
    return min(times) / count * 1000


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    credential, page, qr_svg = _examples()
    nquads = [f"{i}".encode() + b"x" * 3000 for i in range(count)]  # the size of the example's N-Quads
    options = b"y" * 300
    key = Ed25519PrivateKey.generate()
    digests = [hashlib.sha256(q).digest() * 2 for q in nquads]
    documents = []
    for i in range(count):
        document = json.loads(json.dumps(credential))
        document["id"] = f"https://example.org/credentials/{uuid.UUID(int=i)}.json"
        document["credentialSubject"]["id"] = f"urn:uuid:{uuid.UUID(int=i + count)}"
        documents.append(document)
    # The page as a format string: fifteen of its values become fields (escaped when filled).
    text = page.decode("utf-8").replace("{", "{{").replace("}", "}}")
    fields = [f"{{{n}}}" for n in range(15)]
    step = max(1, len(text) // 16)
    template = "".join(text[i * step : (i + 1) * step] + fields[i] for i in range(15)) + text[15 * step :]
    values = [[f"Learner {i} <{n}> & co" for n in range(15)] for i in range(count)]
    urls = [f"https://badges.example.org/credentials/{uuid.UUID(int=i)}/" for i in range(count)]

    def hashing(_: int) -> None:
        for q in nquads:
            hashlib.sha256(options).digest()
            hashlib.sha256(q).digest()
            hashlib.sha256(options).digest()
            hashlib.sha256(q).digest()

    def signing(_: int) -> None:
        for d in digests:
            b58encode(key.sign(d))
            b58encode(key.sign(d))

    def serializing(_: int) -> None:
        for d in documents:
            json.dumps(d, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
            json.dumps(d, separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode("utf-8")

    def rendering(_: int) -> None:
        for v in values:
            template.format(*[html.escape(x) for x in v]).encode("utf-8")

    def drawing(_: int) -> None:
        for url in urls:
            qr.svg(url)

    here = Path(__file__).resolve().parent
    folder = Path(tempfile.mkdtemp(dir=here, prefix=".bench-floor-"))
    body = json.dumps(documents[0], separators=(",", ":")).encode("utf-8")

    def writing(attempt: int) -> None:
        base = folder / str(attempt) / "credentials"
        base.mkdir(parents=True)
        for i in range(count):
            name = f"{base}/{uuid.UUID(int=i)}"
            with open(f"{name}.json", "xb") as handle:
                handle.write(body)
            os.mkdir(name)
            with open(f"{name}/index.html", "xb") as handle:
                handle.write(page)
            with open(f"{name}/qr.svg", "xb") as handle:
                handle.write(qr_svg)

    try:
        figures = {
            "hash (4 × SHA-256)": best(hashing, count),
            "sign (2 × Ed25519, base58btc)": best(signing, count),
            "JSON (file + JCS)": best(serializing, count),
            "page (one str.format)": best(rendering, count),
            "QR code (credpress.site.qr)": best(drawing, count),
            "files (3 files + 1 folder, wall)": best(writing, count, time.perf_counter),
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    total = sum(figures.values())
    print(f"The floor per credential, one core, N = {count} (credential {len(body):,} B, page {len(page):,} B):")
    for name, ms in figures.items():
        print(f"  {name:<34} {ms:6.3f} ms")
    print(f"  {'sum (a lower bound)':<34} {total:6.3f} ms   (issue 12's estimate: 0.4 ms)")
    for awards, target in ((10_000, 5), (100_000, 60)):
        bound = total * awards / 2 / 1000
        print(f"  {awards:,} awards on 2 cores, perfectly parallel: at least {bound:.1f} s (target {target} s)")


if __name__ == "__main__":
    main()
