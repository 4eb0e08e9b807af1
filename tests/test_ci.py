"""CI guards: browser tests fail (not skip) under CI=true without Chromium; tool pins agree."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# One browser test; the gate runs before any fixture builds a site, so this stays fast.
BROWSER_TEST = "tests/browser/test_verify_browser.py::test_good_badge_page_verifies"


def run_browser_test(tmp_path: Path, ci: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CI": ci, "CREDPRESS_CHROMIUM": str(tmp_path / "no-chromium"), "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", BROWSER_TEST],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_browser_tests_fail_under_ci_when_chromium_is_missing(tmp_path: Path) -> None:
    result = run_browser_test(tmp_path, ci="true")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 error" in result.stdout and "skipped" not in result.stdout
    assert f"Chromium not found at {tmp_path / 'no-chromium'}" in result.stdout
    assert "CI=true: the browser tests must run, not skip" in result.stdout


def test_browser_tests_skip_locally_when_chromium_is_missing(tmp_path: Path) -> None:
    result = run_browser_test(tmp_path, ci="")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout
    assert "(under CI=true this fails)" in result.stdout
