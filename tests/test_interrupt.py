"""Interrupted and concurrent builds: the output folder and the lock are never half-written."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import fixed_key, make_build

from credpress.errors import OutputError
from credpress.output.buildlock import BuildLock


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_concurrent_build_is_refused_with_a_clear_message(small_content, key_file, tmp_path):
    with BuildLock(tmp_path):
        with pytest.raises(OutputError) as caught:
            make_build(small_content, tmp_path / "site", key_file)
    assert str(caught.value) == (
        f"another credpress command is changing this repository (credpress build, pid {os.getpid()}); "
        "wait for it to finish and try again"
    )
    assert not (tmp_path / "site").exists()
    make_build(small_content, tmp_path / "site", key_file)  # released: builds again


def _start_build(content: Path, out: Path) -> subprocess.Popen:
    env = {**os.environ, "CREDPRESS_SIGNING_KEY": fixed_key().secret_multibase(), "CI": "true"}
    return subprocess.Popen(
        [sys.executable, "-m", "credpress", "build", "--content", str(content), "--out", str(out)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_sigkill_at_random_moments_leaves_old_or_new_output(example_content, tmp_path):
    out = tmp_path / "_site"
    assert _start_build(example_content, out).wait(timeout=120) == 0
    old = _tree(out)
    start = time.perf_counter()
    assert _start_build(example_content, tmp_path / "timing").wait(timeout=120) == 0
    duration = time.perf_counter() - start
    rng = random.Random(2026)
    trials = 8
    outcomes: list[tuple[str, str]] = []  # (how the build process ended, what the output folder holds)
    for attempt in range(trials):
        awards = example_content / "awards" / f"extra-{attempt}.yaml"
        awards.write_text(
            f"- achievement: python-foundations\n  recipient:\n    name: Extra {attempt}\n"
            f"    email: extra{attempt}@example.org\n  awarded: 2026-10-{attempt + 1:02d}\n"
        )
        process = _start_build(example_content, out)
        time.sleep(rng.uniform(0.05, duration * 1.1))
        process.send_signal(signal.SIGKILL)  # does nothing if the build has already exited
        code = process.wait(timeout=60)
        ended = "killed" if code == -signal.SIGKILL else "finished" if code == 0 else f"exit status {code}"
        json.loads((example_content / "credpress.lock").read_text())  # never half-written
        now = _tree(out)
        if now == old:
            held = "old"
        else:
            reference = tmp_path / f"reference-{attempt}"
            assert _start_build(example_content, reference).wait(timeout=120) == 0
            assert now == _tree(reference), "output folder is neither the old site nor a complete new one"
            held = "new"
        outcomes.append((ended, held))
        old = now
    assert _start_build(example_content, out).wait(timeout=120) == 0
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith("._site")]
    assert leftovers == []
    assert [p.name for p in example_content.iterdir() if p.name.startswith(".")] == []
    # Every trial added an award, so the new site always differs from the old one. A
    # build that finished before the kill has published the new site; a killed build
    # left the old site, or the complete new one if it died after the final rename.
    assert len(outcomes) == trials
    assert set(outcomes) <= {("finished", "new"), ("killed", "old"), ("killed", "new")}, outcomes
    # The kill times are 13%..95% of a build's duration (seeded): at least one kill
    # must land mid-build, or the test did not interrupt anything.
    assert ("killed", "old") in outcomes, outcomes


@pytest.mark.parametrize("cache", [True, False])
def test_a_problem_found_while_signing_leaves_the_previous_output_untouched(
    small_content, key_file, tmp_path, monkeypatch, cache
):
    """Credential files are written while the others are signed; a credential that cannot be
    issued, found after some were written, still fails the build with nothing published."""
    from credpress import sign
    from credpress.errors import ContentError, Problem

    out = tmp_path / "_site"
    make_build(small_content, out, key_file, cache=cache)
    before = _tree(out)
    written: list[str] = []
    calls = {"n": 0}
    real = sign.credential_problems

    def last_one_invalid(record, document):
        calls["n"] += 1
        if calls["n"] == 5:  # the fifth credential signed (after four were written)
            return [Problem(record.award.source, record.award.line, "", "credential would be invalid: test")]
        return real(record, document)

    monkeypatch.setattr(sign, "credential_problems", last_one_invalid)
    from credpress.output import writer as writer_module

    real_method = writer_module.Writer.write

    def spy(self, rel, data):
        written.append(rel)
        return real_method(self, rel, data)

    monkeypatch.setattr(writer_module.Writer, "write", spy)
    shutil.rmtree(tmp_path / ".credpress" / "cache", ignore_errors=True)  # everything is signed again
    with pytest.raises(ContentError) as failure:
        make_build(small_content, out, key_file, cache=cache)
    assert [p.message for p in failure.value.problems] == ["credential would be invalid: test"]
    assert any(rel.endswith(".json") and rel.startswith("credentials/") for rel in written)
    assert _tree(out) == before
    assert not list(tmp_path.glob(f".{out.name}.tmp-*"))
