#!/usr/bin/env python3
"""Incremental-build benchmark: no-op rebuild and one award changed, for N awards.

    python bench/incremental.py [N ...] [--one-file]        (default 10000)

The awards are in files of 250 (bench/synthetic.py), as `credpress import`
writes one file per roster; --one-file puts up to 10,000 in one file (the
change then makes the build parse all of them again).

For each N: a clean build of N synthetic awards (new lock, empty cache), then,
each timed in this process:

- a no-op rebuild (nothing changed: the fast path, credpress.fast_path);
- one award changed (its narrative): one credential and its page change. The
  first such build after a clean build has no spare folder to recycle yet
  (output.writer), so a second change is timed too: the steady state;
- a no-op rebuild again.

Targets (issue 12, 2 cores): no-op rebuild of 10,000 awards under 1 s, one
award changed under 2 s. Peak memory of a whole build: bench/build_speed.py.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import disk_probe, make_project  # noqa: E402

from credpress import pipeline  # noqa: E402
from credpress.pipeline import BuildOptions, build  # noqa: E402


class FullBuilds:
    """Counts the builds that loaded the content (the fast path does not)."""

    def __init__(self) -> None:
        self.count = 0
        self.real = pipeline.check_content
        pipeline.check_content = self

    def __call__(self, *args: object, **kwargs: object) -> object:
        self.count += 1
        return self.real(*args, **kwargs)


def timed(label: str, options: BuildOptions, full: FullBuilds) -> float:
    before = full.count
    start = time.perf_counter()
    result = build(options)
    elapsed = time.perf_counter() - start
    s = result.summary
    how = "full build" if full.count > before else "fast path"
    print(
        f"  {label}: {elapsed:.2f} s ({how}; {result.credentials} credentials, {result.files} files; "
        f"{s.new} new, {s.changed} changed, {s.unchanged} unchanged)"
    )
    return elapsed


def change_one_award(folder: Path, count: int, text: str) -> None:
    """Give the middle award a narrative (or another one), in the file that holds it."""
    marker = f"    name: Learner Number {count // 2}\n"
    awards = next(p for p in sorted(folder.glob("*.yaml")) if marker in p.read_text("utf-8"))
    content = awards.read_text("utf-8")
    head, sep, tail = content.partition(marker)
    assert sep, "synthetic content changed shape"
    first, nl, rest = tail.partition("\n")
    if rest.startswith("  narrative:"):
        rest = rest.partition("\n")[2]
    awards.write_text(head + sep + first + nl + f"  narrative: {text}\n" + rest, "utf-8")


def run(count: int, full: FullBuilds, one_file: bool) -> None:
    # Under the repository, not /tmp: this machine's /tmp is a slower file system.
    with tempfile.TemporaryDirectory(dir=Path(__file__).resolve().parent, prefix=".bench-") as tmp:
        root = Path(tmp)
        print(disk_probe(root))
        options = make_project(root, count, one_file)
        content = options.content
        awards = content / "awards"
        files = len(list(awards.glob("*.yaml")))
        print(f"N = {count} ({files} award files)")
        timed("full build (new lock, empty cache)", options, full)
        timed("no-op rebuild", options, full)
        change_one_award(awards, min(count, 10_000), "Changed for the benchmark.")
        timed("one award changed (first: no spare folder yet)", options, full)
        change_one_award(awards, min(count, 10_000), "Changed again.")
        timed("one award changed again (steady state)", options, full)
        timed("no-op rebuild", options, full)


def main() -> None:
    full = FullBuilds()
    counts = [int(a) for a in sys.argv[1:] if not a.startswith("--")] or [10_000]
    for count in counts:
        run(count, full, "--one-file" in sys.argv)


if __name__ == "__main__":
    main()
