#!/usr/bin/env python3
"""Incremental-build benchmark: full build, no-op rebuild, one award changed.

    python bench/incremental.py [N ...]        (default 2000 10000)

For each N: a clean build of N synthetic awards (new lock, empty cache), a
rebuild with nothing changed, and a rebuild after one award's narrative changed.
Targets (issue 12, 2 cores): no-op rebuild of 10,000 under 1 s, one changed under 2 s.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import make_content  # noqa: E402

from credpress.pipeline import BuildOptions, build  # noqa: E402
from credpress.vc import keys  # noqa: E402


def timed(label: str, options: BuildOptions) -> None:
    start = time.perf_counter()
    result = build(options)
    elapsed = time.perf_counter() - start
    s = result.summary
    print(
        f"  {label}: {elapsed:.2f} s ({result.credentials} credentials, {result.files} files; "
        f"{s.new} new, {s.changed} changed, {s.unchanged} unchanged)"
    )


def run(count: int) -> None:
    # Under the repository, not /tmp: this machine's /tmp is a slower file system.
    with tempfile.TemporaryDirectory(dir=Path(__file__).resolve().parent, prefix=".bench-") as tmp:
        root = Path(tmp)
        content = make_content(root / "content", count)
        key_path = root / "key.pem"
        keys.write_key_file(key_path, keys.generate())
        options = BuildOptions(content=content, out=root / "_site", key_path=key_path, environ={}, warn=lambda m: None)
        print(f"N = {count}")
        timed("full build (new lock, empty cache)", options)
        timed("no-op rebuild", options)
        awards = content / "awards" / "generated.yaml"
        text = awards.read_text("utf-8")
        # The middle award gets a narrative: one credential and one page change.
        marker = f"    name: Learner Number {count // 2}\n"
        head, sep, tail = text.partition(marker)
        assert sep, "synthetic content changed shape"
        first, nl, rest = tail.partition("\n")
        awards.write_text(head + sep + first + nl + "  narrative: Changed for the benchmark.\n" + rest, "utf-8")
        timed("one award changed", options)


def main() -> None:
    for count in [int(a) for a in sys.argv[1:]] or [2_000, 10_000]:
        run(count)


if __name__ == "__main__":
    main()
