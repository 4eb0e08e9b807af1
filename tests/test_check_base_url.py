"""scripts/check_base_url.py: site.yaml's base_url must be the GitHub Pages URL (pages.yml)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "check_base_url.py"
_spec = importlib.util.spec_from_file_location("check_base_url", SCRIPT)
assert _spec is not None and _spec.loader is not None
check_base_url = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_base_url)


@pytest.mark.parametrize(
    ("site", "pages"),
    [
        ("https://badges.example.org/", "https://badges.example.org"),
        ("https://badges.example.org", "https://badges.example.org/"),
        ("https://org.github.io/repo/", "https://org.github.io/repo"),
        ("https://Org.GitHub.IO/repo/", "https://org.github.io/repo"),
        ("HTTPS://org.github.io/repo/", "https://org.github.io/repo"),
        ("https://org.github.io:443/repo/", "https://org.github.io/repo"),
        ("https://org.github.io/a/b//", "https://org.github.io/a/b"),
    ],
)
def test_same_site(site: str, pages: str) -> None:
    assert check_base_url.same_site(site, pages)


@pytest.mark.parametrize(
    ("site", "pages"),
    [
        ("https://org.github.io/", "https://org.github.io/repo"),  # user site vs project site
        ("https://org.github.io/repo/", "https://org.github.io"),
        ("https://org.github.io/Repo/", "https://org.github.io/repo"),  # paths compare exactly
        ("https://org.github.io/repo-2/", "https://org.github.io/repo"),
        ("http://org.github.io/repo/", "https://org.github.io/repo"),
        ("https://badges.example.org/", "https://org.github.io/repo"),
        ("https://org.github.io:8443/repo/", "https://org.github.io/repo"),
        ("https://org.github.io:x/repo/", "https://org.github.io/repo"),
    ],
)
def test_different_site(site: str, pages: str) -> None:
    assert not check_base_url.same_site(site, pages)


def content_with(tmp_path: Path, site_yaml: str) -> Path:
    (tmp_path / "site.yaml").write_text(site_yaml, "utf-8")
    return tmp_path


def test_match_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = content_with(tmp_path, "base_url: https://org.github.io/repo/\ntitle: T\n")
    assert check_base_url.main(["https://org.github.io/repo", "--content", str(content)]) == 0
    assert "base_url https://org.github.io/repo/ is where GitHub Pages publishes this site" in capsys.readouterr().out


def test_mismatch_exits_1_and_says_how_to_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    content = content_with(tmp_path, "base_url: https://badges.example.org/\n")
    assert check_base_url.main(["https://org.github.io/repo", "--content", str(content)]) == 1
    captured = capsys.readouterr()
    site_yaml = content / "site.yaml"
    assert captured.out == ""
    assert captured.err == (
        f"{site_yaml}: base_url is https://badges.example.org/ but GitHub Pages publishes this site at "
        "https://org.github.io/repo/. Every credential address and did:web identifier is built from base_url, "
        "so these credentials could not be verified there. Set base_url: https://org.github.io/repo/ in "
        f"{site_yaml}, or set that custom domain in Settings → Pages.\n"
    )


def test_mismatch_on_github_actions_is_also_an_annotation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    content = content_with(tmp_path, "base_url: https://badges.example.org/\n")
    assert check_base_url.main(["https://org.github.io/repo", "--content", str(content)]) == 1
    site_yaml = content / "site.yaml"
    assert capsys.readouterr().out.startswith(f"::error file={site_yaml}::{site_yaml}: base_url is")


@pytest.mark.parametrize("site_yaml", [None, "title: no base_url\n", "base_url: [1]\n", "base_url: ': bad\n"])
def test_missing_or_unreadable_base_url_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], site_yaml: str | None
) -> None:
    if site_yaml is not None:
        content_with(tmp_path, site_yaml)
    assert check_base_url.main(["https://org.github.io/repo", "--content", str(tmp_path)]) == 1
    assert str(tmp_path / "site.yaml") in capsys.readouterr().err


def test_pages_url_must_be_absolute(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exited:
        check_base_url.main(["org.github.io/repo", "--content", str(tmp_path)])
    assert exited.value.code == 2


def test_the_script_runs_on_the_example_content() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "https://BADGES.northwind-academy.example"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    base_url = "https://badges.northwind-academy.example/"
    assert done.stdout == f"content/site.yaml: base_url {base_url} is where GitHub Pages publishes this site\n"
