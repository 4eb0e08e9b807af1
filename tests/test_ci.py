"""CI guards: browser tests fail (not skip) under CI=true without Chromium; ruff pins agree; workflow shape."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

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


def workflow(name: str) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((REPO / ".github" / "workflows" / name).read_text("utf-8"))
    return document


def test_workflows_are_yaml_and_only_the_pages_deploy_job_can_write() -> None:
    yaml.safe_load((REPO / ".github" / "actions" / "test-env" / "action.yml").read_text("utf-8"))
    writers = {}
    for path in sorted((REPO / ".github" / "workflows").glob("*.yml")):
        document = workflow(path.name)
        assert document["permissions"] == {"contents": "read"}, path.name
        for name, job in document["jobs"].items():
            granted = job.get("permissions", {})
            if "write" in granted.values():
                writers[f"{path.name}:{name}"] = granted
    assert writers == {"pages.yml:deploy": {"pages": "write", "id-token": "write"}}


def test_pages_tests_then_checks_base_url_and_content_before_building() -> None:
    jobs = workflow("pages.yml")["jobs"]
    assert jobs["build"]["needs"] == "test" and jobs["deploy"]["needs"] == "build"
    assert [step.get("run") for step in jobs["test"]["steps"]][-1] == "python -m pytest -q"
    steps = jobs["build"]["steps"]
    runs = [step.get("run", step.get("uses", "")) for step in steps]
    order = [
        "actions/configure-pages@v5",
        'python scripts/check_base_url.py "$PAGES_BASE_URL"',
        "credpress check --strict --frozen",
        "python build.py --strict --frozen --out _site",
        "actions/upload-pages-artifact@v3",
    ]
    assert [run for run in runs if run in order] == order
    assert steps[runs.index(order[1])]["env"] == {"PAGES_BASE_URL": "${{ steps.pages.outputs.base_url }}"}


def test_ci_runs_dot_ci_run_under_ci_true() -> None:
    steps = workflow("ci.yml")["jobs"]["test"]["steps"]
    assert {"uses": "./.github/actions/test-env"}.items() <= steps[1].items()
    assert steps[-1]["run"] == "bash .ci/run" and steps[-1]["env"] == {"CI": "true"}
