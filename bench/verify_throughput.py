#!/usr/bin/env python3
"""Verification throughput: ``credpress verify`` over a site of N synthetic awards.

    python bench/verify_throughput.py [N] [--workers W] [--rebuild] [--profile]

Builds the example provider with N generated awards (default 10,000) and a fixed
key into a cache folder (reused on the next run), then runs the real command,
``credpress verify SITE/credentials --map BASE=SITE --offline --json``, and
prints credentials per second. Target (issue 3): at least 500/s on 2 cores.
``--profile`` instead profiles 300 credentials in one process (cProfile).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import make_content  # noqa: E402

from credpress.pipeline import BuildOptions, build  # noqa: E402
from credpress.vc import keys  # noqa: E402

BASE_URL = "https://badges.northwind-academy.example/"
SEED = bytes(range(32))  # fixed key: the same N gives the same site


def ensure_site(count: int, rebuild: bool) -> Path:
    root = Path(tempfile.gettempdir()) / f"credpress-verify-bench-{count}"
    site = root / "_site"
    marker = root / "built"
    if marker.exists() and not rebuild:
        print(f"reusing {site} ({count} awards)")
        return site
    content = make_content(root / "content", count)
    key_path = root / "key.pem"
    key_path.unlink(missing_ok=True)
    keys.write_key_file(key_path, keys.from_seed(SEED, "benchmark key"))
    start = time.perf_counter()
    result = build(BuildOptions(content=content, out=site, key_path=key_path, environ={}, warn=lambda m: None))
    print(f"built {result.credentials} credentials into {site} in {time.perf_counter() - start:.1f} s")
    marker.write_text("ok\n")
    return site


def run_cli(site: Path, workers: int | None) -> None:
    command = ["credpress", "verify", str(site / "credentials"), "--map", f"{BASE_URL}={site}", "--offline", "--json"]
    if workers:
        command += ["--workers", str(workers)]
    load_before = os.getloadavg()[0]
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    counts = json.loads(done.stdout)["summary"]
    total = counts["total"]
    print(
        f"credpress verify: {total} credentials in {elapsed:.2f} s = {total / elapsed:.0f} credentials/s "
        f"(exit {done.returncode}, {counts['verified']} verified)"
    )
    # On a shared machine wall-clock time depends on everything else running; the CPU
    # time does much less, so also show what it implies for idle cores.
    cores = os.cpu_count() or 1
    print(
        f"CPU {cpu:.1f} s = {1000 * cpu / total:.2f} ms per credential -> {total * cores / cpu:.0f} credentials/s "
        f"on {cores} idle cores; load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
    )
    if done.returncode != 0:
        sys.exit("not every credential verified: " + done.stderr[-2000:])


def profile(site: Path) -> None:
    from datetime import datetime, timezone

    from credpress.verify.fetch import Resolver
    from credpress.verify.run import find_targets, verify_targets

    targets = find_targets([str(site / "credentials")])[:300]
    resolver = Resolver([(BASE_URL, site)], offline=True)
    now = datetime.now(timezone.utc)
    list(verify_targets(targets[:20], resolver, now, workers=1))  # warm caches
    profiler = cProfile.Profile()
    profiler.enable()
    start = time.perf_counter()
    results = list(verify_targets(targets, resolver, now, workers=1))
    elapsed = time.perf_counter() - start
    profiler.disable()
    print(f"one process: {len(results)} credentials in {elapsed:.2f} s (under cProfile)")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    site = ensure_site(args.count, args.rebuild)
    if args.profile:
        profile(site)
    else:
        run_cli(site, args.workers)


if __name__ == "__main__":
    main()
