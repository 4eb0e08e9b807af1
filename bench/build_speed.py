#!/usr/bin/env python3
"""Full-build benchmark: N synthetic awards, ms per credential, peak memory.

    python bench/build_speed.py [N] [--once]        (default 10000)

Runs two builds: the first draws ids into a new lock file, the second is the
steady state (lock present, output replaced) with the cache turned off
(--no-cache), so everything is signed, rendered and written again; --once runs
the first only. Target (issue 2): under 30 s for 10,000 awards on 2 cores.

Peak memory (issue 12: under 1.5 GiB for 100,000 awards): the peak resident set
of this process and of the largest worker process, and the peak of the whole
process tree with each shared page counted once (summed PSS, bench/memory.py:
workers fork from the build and share its pages). The files are streamed to the
writer and signed credentials are kept as bytes, so memory does not grow with
the size of the output.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from memory import PeakMemory  # noqa: E402
from synthetic import disk_probe, make_project  # noqa: E402

from credpress.pipeline import build  # noqa: E402


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    count = int(args[0]) if args else 10_000
    runs = [("first build (new lock)", True), ("rebuild (lock present, --no-cache)", False)]
    if "--once" in sys.argv:
        runs = runs[:1]
    # Under the repository, not /tmp: this machine's /tmp is a slower file system.
    with tempfile.TemporaryDirectory(dir=Path(__file__).resolve().parent, prefix=".bench-") as tmp:
        root = Path(tmp)
        print(disk_probe(root))
        options = make_project(root, count)
        with PeakMemory() as tree:
            for label, cache in runs:
                options.cache = cache
                start = time.perf_counter()
                result = build(options)
                elapsed = time.perf_counter() - start
                print(
                    f"{label}: {result.credentials} credentials, {result.files} files in {elapsed:.2f} s "
                    f"= {1000 * elapsed / result.credentials:.2f} ms per credential"
                )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"peak memory: {peak:.0f} MiB RSS (build), {workers:.0f} MiB RSS (largest worker), "
        f"{tree.mib:.0f} MiB for the whole process tree (summed PSS)"
    )


if __name__ == "__main__":
    main()
