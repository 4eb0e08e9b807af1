"""Synthetic content for benchmarks: the example provider with N generated awards."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

from credpress.pipeline import BuildOptions
from credpress.vc import keys

EXAMPLE = Path(__file__).resolve().parent.parent / "content"


def make_content(target: Path, awards: int) -> Path:
    """Copy content/ to *target* and replace its awards with *awards* generated ones."""
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
    # 10,000 awards (5 lines each) a file: a content file may not exceed 2 MiB.
    per_file = 5 * 10_000
    for number, start_line in enumerate(range(0, len(lines), per_file)):
        name = "generated.yaml" if len(lines) <= per_file else f"generated-{number:03d}.yaml"
        (target / "awards" / name).write_text("\n".join(lines[start_line : start_line + per_file]) + "\n", "utf-8")
    return target


def make_project(root: Path, awards: int) -> BuildOptions:
    """A provider project under *root* (content with *awards* generated awards, a new signing
    key beside it) and the options that build it into ``root/_site``, quietly."""
    content = make_content(root / "content", awards)
    key_path = root / "key.pem"
    keys.write_key_file(key_path, keys.generate())
    return BuildOptions(content=content, out=root / "_site", key_path=key_path, environ={}, warn=lambda m: None)
