"""Synthetic content for benchmarks: the example provider with N generated awards."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

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
