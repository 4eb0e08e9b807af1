"""The CLI is a switchboard: options reach the library, errors become exit codes."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import REPO

from credpress.cli import main
from credpress.vc import keys


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_has_help(command):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert main.commands[command].help and main.commands[command].help.strip().splitlines()[0] in result.output


def test_usage_error_exits_2():
    assert CliRunner().invoke(main, ["build", "--no-such-option"]).exit_code == 2
    assert CliRunner().invoke(main, ["no-such-command"]).exit_code == 2


def test_build_writes_site_and_reports(small_content, key_file, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "--key", str(key_file), "--out", "public"])
    assert result.exit_code == 0, result.output
    assert any(line.startswith("Built 5 credentials (") for line in result.output.splitlines())
    assert (tmp_path / "public" / "index.html").is_file()


def test_check_writes_nothing(small_content, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 0, result.output
    assert result.output == (
        "Certificate in Alpha and Beta: 1 complete, 0 auto-awarded this build, 0 revoked by cascade\n"
        "OK: 5 awards, 3 achievements, 1 issuers\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content"]
    assert not (small_content / "credpress.lock").exists()


def test_keygen_writes_a_0600_key_and_prints_public_and_secret(tmp_path):
    target = tmp_path / "secrets" / "key.pem"
    result = CliRunner().invoke(main, ["keygen", "--out", str(target), "--content", str(tmp_path / "content")])
    assert result.exit_code == 0, result.output
    assert target.stat().st_mode & 0o777 == 0o600
    key = keys.read_key_file(target)
    lines = result.output.splitlines()
    assert lines[1] == f"Public key (publicKeyMultibase): {key.public_multibase}"
    assert lines[3] == key.secret_multibase()
    again = CliRunner().invoke(main, ["keygen", "--out", str(target), "--content", str(tmp_path / "content")])
    assert again.exit_code == 1 and "already exists" in again.output


def test_keygen_refuses_the_content_folder(tmp_path):
    (tmp_path / "content").mkdir()
    result = CliRunner().invoke(
        main, ["keygen", "--out", str(tmp_path / "content" / "k.pem"), "--content", str(tmp_path / "content")]
    )
    assert result.exit_code == 1
    assert "refusing to write a private key inside the content folder" in result.output
    assert not (tmp_path / "content" / "k.pem").exists()


def test_build_py_is_credpress_build(tmp_path):
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    assert "Build the site" in result.stdout and "--strict" in result.stdout
