"""credpress init → build → verify, credpress list, credpress serve."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import yaml
from click.testing import CliRunner
from conftest import make_build

from credpress.cli import main
from credpress.content.scaffold import Scaffold, planned_files


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_init_build_verify_in_an_empty_folder(tmp_path, key_file, monkeypatch):
    site = tmp_path / "badges"
    result = run("init", str(site), "--name", "Café Académie", "--base-url", "https://org.github.io/badges/")
    assert result.exit_code == 0, result.output
    assert (site / ".gitignore").read_text("utf-8").splitlines()[1:3] == ["*.pem", ".credpress/"]
    assert "/_site/" in (site / ".gitignore").read_text("utf-8")
    pages = yaml.safe_load((site / ".github" / "workflows" / "pages.yml").read_text("utf-8"))
    runs = [s.get("run", "") for s in pages["jobs"]["build"]["steps"]]
    assert 'credpress check --strict --frozen --pages-url "$PAGES_BASE_URL"' in runs
    assert "credpress build --strict --frozen --out _site" in runs
    assert (site / "site_templates" / "README.md").is_file() and (
        site / "content" / "images" / "first-badge.png"
    ).is_file()
    assert "CREDPRESS_SIGNING_KEY" in (site / "README.md").read_text("utf-8")
    monkeypatch.chdir(site)
    built = run("build", "--key", str(key_file), "--strict")
    assert built.exit_code == 0, built.output
    assert "Café Académie · digital credentials" in next(
        (site / "_site" / "credentials").glob("*/index.html")
    ).read_text("utf-8")
    verified = run("verify", "_site", "--map", "https://org.github.io/badges/=_site", "--offline")
    assert verified.exit_code == 0, verified.output
    assert "1 credential: 1 genuine, 0 revoked, 0 expired, 0 failed" in verified.output
    assert run("check", "--pages-url", "https://org.github.io/badges").exit_code == 0
    wrong = run("check", "--pages-url", "https://org.github.io/other")
    assert wrong.exit_code == 1 and "content/site.yaml: base_url: is https://org.github.io/badges/" in wrong.output


def test_init_refuses_a_non_empty_folder_and_is_deterministic(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", "utf-8")
    result = run("init", str(tmp_path))
    assert result.exit_code == 1
    assert "is not empty" in result.output and "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    assert planned_files(Scaffold()) == planned_files(Scaffold())


def test_list_reports_every_award_with_its_url_and_state(small_content, tmp_path, key_file):
    out = tmp_path / "site"
    make_build(small_content, out, key_file)
    before = {p: p.stat().st_mtime_ns for p in small_content.rglob("*")}
    result = run("list", "--content", str(small_content), "--csv")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "name,achievement,awarded,state,url,email"
    assert len(lines) == 6
    for line in lines[1:]:
        name, achievement, awarded, state, url, _email = line.split(",")
        credential_id = re.fullmatch(r"https://example\.test/badges/credentials/([0-9a-f-]{36})/", url).group(1)
        page = (out / "credentials" / credential_id / "index.html").read_text("utf-8")
        assert name in page and f"achievements/{achievement}/" in page
        assert (state, awarded[:4]) == ("valid", "2026")
    one = run("list", "--content", str(small_content), "--achievement", "cert")
    assert one.exit_code == 0
    assert len(one.stdout.splitlines()) == 2 and "cert" in one.stdout.splitlines()[1]
    assert {p: p.stat().st_mtime_ns for p in small_content.rglob("*")} == before


def test_list_states_revoked_expired_and_not_built(small_content, tmp_path, key_file):
    cohort = small_content / "awards" / "cohort.yaml"
    cohort.write_text(
        cohort.read_text("utf-8")
        + "- achievement: alpha\n  recipient: {name: Old Timer, did: 'did:example:old'}\n"
        + "  awarded: 2020-01-01\n  expires: 2021-01-01\n"
        + "- achievement: beta\n  recipient: {name: Revoked One, did: 'did:example:rev'}\n"
        + "  awarded: 2026-01-01\n  revoked: {date: 2026-02-01, reason: In error}\n",
        "utf-8",
    )
    make_build(small_content, tmp_path / "site", key_file)
    cohort.write_text(
        cohort.read_text("utf-8") + "- achievement: beta\n  recipient: {name: New One, did: 'did:example:new'}\n"
        "  awarded: 2026-01-01\n",
        "utf-8",
    )
    rows = {
        line.split(",")[0]: line.split(",")
        for line in run("list", "--content", str(small_content), "--csv").stdout.splitlines()
    }
    assert rows["Old Timer"][3] == "expired" and rows["Revoked One"][3] == "revoked"
    assert rows["Ada Lovelace"][3] == "valid" and rows["Ada Lovelace"][5] == "ada@example.org"
    assert rows["New One"][3] == "not built" and rows["New One"][4] == ""


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str, str]:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8"), response.headers.get("Location", "")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace"), exc.headers.get("Location", "")


def _until(check, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = check()
        except (OSError, urllib.error.URLError):
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met before the timeout")
        time.sleep(0.2)


def test_serve_answers_at_the_base_path_rebuilds_and_shows_errors(small_content, tmp_path, key_file):
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
    env.pop("CI", None)
    command = [
        sys.executable,
        "-c",
        "from credpress.cli import main; main()",
        "serve",
        "--port",
        str(port),
        "--key",
        str(key_file),
    ]
    server = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        status, body, _ = _until(lambda: _get(base + "/badges/"))
        assert status == 200 and "<html" in body
        assert _get(base + "/")[0:3:2] == (302, "/badges/")
        assert _get(base + "/elsewhere/")[0] == 404
        credential = next((tmp_path / ".credpress" / "preview" / "credentials").glob("*.json")).name
        assert _get(f"{base}/badges/credentials/{credential}")[0] == 200
        achievement = small_content / "achievements" / "alpha.yaml"
        text = achievement.read_text("utf-8")
        achievement.write_text(text.replace("name: Alpha Skills", "name: Alpha Skills Renamed"), "utf-8")
        _until(lambda: "Alpha Skills Renamed" in _get(base + "/badges/achievements/alpha/")[1])
        achievement.write_text(text.replace("name: Alpha Skills", "name: [unclosed"), "utf-8")
        status, body, _ = _until(lambda: (r := _get(base + "/badges/achievements/alpha/"))[0] == 500 and r)
        assert "The last build failed" in body and "content/achievements/alpha.yaml:" in body
        assert _get(base + "/badges/anything")[0] == 500
        assert server.poll() is None
        achievement.write_text(text, "utf-8")
        _until(lambda: _get(base + "/badges/achievements/alpha/")[0] == 200)
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode("utf-8")
    assert "Serving " + base + "/badges/" in output
    assert "content/achievements/alpha.yaml:" in output


def test_serve_binds_loopback_only():
    from credpress.pipeline import BuildOptions
    from credpress.site.preview_server import Preview, make_server

    server = make_server(Preview(BuildOptions(out=Path("unused")), print), 0)
    try:
        assert server.server_address[0] == "127.0.0.1"
    finally:
        server.server_close()


def test_serve_watcher_misses_no_change_made_once_it_is_ready(tmp_path):
    """serve waits for the watcher before its first build: a change made right after is rebuilt."""
    import threading

    from credpress.site.preview_server import watch

    class Preview:
        def __init__(self) -> None:
            self.rebuilt = threading.Event()

        def echo(self, text: str) -> None:
            pass

        def rebuild(self) -> None:
            self.rebuilt.set()

    folder = tmp_path / "content"
    folder.mkdir()
    preview, stop, ready = Preview(), threading.Event(), threading.Event()
    watcher = threading.Thread(target=watch, args=(preview, [folder], stop, ready), daemon=True)
    watcher.start()
    try:
        assert ready.wait(30)
        (folder / "site.yaml").write_text("title: changed\n", "utf-8")  # at once, no delay
        assert preview.rebuilt.wait(30)
    finally:
        stop.set()
        watcher.join(10)
    assert not watcher.is_alive()
