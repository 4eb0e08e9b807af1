"""Synthetic content for benchmarks: the example provider with N generated awards."""

from __future__ import annotations

import shutil
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from credpress.pipeline import BuildOptions
from credpress.vc import keys

EXAMPLE = Path(__file__).resolve().parent.parent / "content"


COHORT = 250  # awards a file


def disk_probe(folder: Path, files: int = 500) -> str:
    """How long creating a file takes on *folder*'s disk right now, as a line to print beside
    a benchmark's figures.

    On ext4 without a journal (this machine's root file system), creating files is
    several times slower for minutes after many were deleted: the inode allocator skips
    the inodes freed in the last minute (five while their inode table block is
    unwritten), one by one, on every allocation (``recently_deleted()`` in
    fs/ext4/ialloc.c). A benchmark run just after another one (which deleted its
    scratch folder) measures that, not credpress: this line tells which case it is.
    """
    scratch = tempfile.mkdtemp(dir=folder, prefix=".bench-probe-")
    try:
        start = time.perf_counter()
        for number in range(files):
            with open(f"{scratch}/{number}", "xb") as handle:
                handle.write(b"x" * 4096)
        per_file = (time.perf_counter() - start) / files * 1e6
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    verdict = "quiet" if per_file < 150 else "slow: files were deleted here minutes ago? figures below are inflated"
    return f"disk: creating a 4 KiB file takes {per_file:.0f} µs now ({verdict})"


def make_content(target: Path, awards: int, one_file: bool = False) -> Path:
    """Copy content/ to *target* and replace its awards with *awards* generated ones, in files of
    COHORT awards (*one_file*: as few files as the 2 MiB limit allows)."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("credpress.lock", "awards"))
    (target / "awards").mkdir()
    slugs = sorted(p.stem for p in (target / "achievements").glob("*.yaml"))
    lines = []
    start = date(2026, 1, 5)
    for i in range(awards):
        awarded = start + timedelta(days=i % 300)
        lines += [
            f"- achievement: {slugs[i % len(slugs)]}",
            "  recipient:",
            f"    name: Learner Number {i}",
            f"    email: learner{i}@example.org",
            f"  awarded: {awarded.isoformat()}",
        ]
    # Cohorts of COHORT awards a file, as `credpress import` writes one file per roster (a
    # content file may not exceed 2 MiB anyway); --one-file: all in one (at most 10,000 a file).
    per_file = 5 * (10_000 if one_file else COHORT)
    for number, start_line in enumerate(range(0, len(lines), per_file)):
        name = f"cohort-{number:04d}.yaml"
        (target / "awards" / name).write_text("\n".join(lines[start_line : start_line + per_file]) + "\n", "utf-8")
    return target


def make_project(root: Path, awards: int, one_file: bool = False) -> BuildOptions:
    """A provider project under *root* (content with *awards* generated awards, a new signing
    key beside it) and the options that build it into ``root/_site``, quietly."""
    content = make_content(root / "content", awards, one_file)
    key_path = root / "key.pem"
    keys.write_key_file(key_path, keys.generate())
    return BuildOptions(content=content, out=root / "_site", key_path=key_path, environ={}, warn=lambda m: None)
