"""Synthetic content for benchmarks: the example provider with N generated awards."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

from credpress.pipeline import BuildOptions
from credpress.vc import keys

EXAMPLE = Path(__file__).resolve().parent.parent / "content"


COHORT = 250  # awards a file


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
