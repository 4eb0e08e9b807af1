"""CI guards: browser tests fail (not skip) under CI=true without Chromium; ruff pins agree."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

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


def test_pre_commit_runs_the_ruff_pinned_in_pyproject() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
    pins = [spec for spec in project["optional-dependencies"]["dev"] if re.match(r"ruff\b", spec)]
    assert len(pins) == 1 and re.fullmatch(r"ruff==\d+\.\d+\.\d+", pins[0]), f"ruff must be pinned exactly: {pins}"
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text("utf-8"))
    revs = [repo["rev"] for repo in config["repos"] if repo["repo"] == "https://github.com/astral-sh/ruff-pre-commit"]
    assert revs == ["v" + pins[0].removeprefix("ruff==")]
    hooks = [hook["id"] for repo in config["repos"] for hook in repo["hooks"]]
    assert {"ruff", "ruff-format", "credpress-private-keys"} <= set(hooks)
