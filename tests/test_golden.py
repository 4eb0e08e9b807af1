"""A fresh build of the small fixture equals the committed golden tree byte for byte.

After an intended change to the output, run `python tests/golden.py` and review
the diff of tests/golden/ like any other change.
"""

from __future__ import annotations

from pathlib import Path

from golden import GOLDEN, build_fixture, golden_view


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_build_matches_golden_tree(tmp_path):
    built = golden_view(build_fixture(tmp_path))
    golden = _tree(GOLDEN)
    assert sorted(built) == sorted(golden), "files differ: run `python tests/golden.py` if intended"
    changed = [name for name in built if built[name] != golden[name]]
    assert changed == [], f"contents differ in {changed}: run `python tests/golden.py` if intended"
