"""The output folder (only ours is replaced), where a key may live, and failures to write."""

from __future__ import annotations

import errno
import os
import re
import signal
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import fixed_key, make_build
from test_lock_rules import refused

from credpress.cli import main
from credpress.output import writer
from credpress.vc import keys


def _build(content: Path, out: Path, key: Path) -> list[str]:
    return ["build", "--content", str(content), "--out", str(out), "--key", str(key)]


# --- --out only replaces what credpress wrote ----------------------------------------------------


def test_every_build_writes_the_marker(small_content, key_file, tmp_path):
    make_build(small_content, tmp_path / "site", key_file)
    marker = (tmp_path / "site" / ".credpress-site").read_text()
    assert marker.startswith("This folder was written by credpress") and "replaces it entirely" in marker
    make_build(small_content, tmp_path / "site", key_file)  # ours: replaced


def test_a_folder_credpress_did_not_write_is_never_replaced(small_content, key_file, tmp_path):
    out = tmp_path / "docs"
    out.mkdir()
    (out / "thesis.tex").write_text("years of work")
    assert refused(_build(small_content, out, key_file), small_content, out) == [
        f"error: refusing to replace {out}: it is not empty and credpress did not write it (it has no "
        ".credpress-site file); nothing was changed. Build into a new or empty folder, or remove it yourself"
    ]
    assert not (small_content / "credpress.lock").exists()


def test_a_repository_is_never_replaced_even_with_the_marker(small_content, key_file, tmp_path):
    make_build(small_content, tmp_path / "site", key_file)
    (tmp_path / "site" / ".git").mkdir()
    (tmp_path / "site" / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    assert refused(_build(small_content, tmp_path / "site", key_file), small_content, tmp_path / "site") == [
        f"error: refusing to replace {tmp_path / 'site'}: it holds .git (a repository); nothing was changed. "
        "Build into another folder"
    ]


def test_an_empty_folder_or_a_new_one_is_fine(small_content, key_file, tmp_path):
    (tmp_path / "empty").mkdir()
    make_build(small_content, tmp_path / "empty", key_file)
    make_build(small_content, tmp_path / "new" / "deeper", key_file)
    assert (tmp_path / "empty" / ".credpress-site").is_file() and (tmp_path / "new" / "deeper" / "index.html").is_file()


def test_a_file_is_not_replaced(small_content, key_file, tmp_path):
    (tmp_path / "site").write_text("a file")
    result = CliRunner().invoke(main, _build(small_content, tmp_path / "site", key_file))
    assert result.exit_code == 1
    assert (
        result.output
        == f"error: {tmp_path / 'site'} exists and is not a folder; not replacing it (nothing was changed)\n"
    )
    assert (tmp_path / "site").read_text() == "a file"


# --- where the key may be ----------------------------------------------------------------------


def _secrets() -> list[str]:
    key = fixed_key()
    pem = key.pem().decode()
    body = "".join(line for line in pem.splitlines() if not line.startswith("-----"))
    return [key.secret_multibase(), body, body[:24], bytes(range(32)).hex()]


def _no_secret(lines: list[str]) -> None:
    text = "\n".join(lines)
    assert not any(secret in text for secret in _secrets())


def test_a_key_inside_the_output_folder_is_refused(small_content, key_file, tmp_path):
    out = tmp_path / "site"
    make_build(small_content, out, key_file)
    inside = out / "signing-key.pem"
    keys.write_key_file(inside, fixed_key())
    lines = refused(_build(small_content, out, inside), small_content, out)
    assert lines == [
        f"error: the key file {inside} is inside the output folder {out}, which the build replaces and which is "
        "published: move the key out of it (for example to ~/.config/credpress/)"
    ]
    assert inside.is_file()
    _no_secret(lines)


def test_a_key_inside_the_content_folder_is_refused(small_content, tmp_path):
    inside = small_content / "secrets" / "signing-key.pem"
    keys.write_key_file(inside, fixed_key())
    lines = refused(_build(small_content, tmp_path / "site", inside), small_content, tmp_path / "site")
    assert lines == [
        f"error: the key file {inside} is inside the content folder {small_content}, which is committed to git: "
        "move it out (for example to ~/.config/credpress/); if it was ever committed, treat it as leaked "
        "(credpress keygen --rotate)"
    ]
    assert not (tmp_path / "site").exists()
    _no_secret(lines)


def test_a_link_into_the_content_folder_is_refused_too(small_content, tmp_path):
    inside = small_content / "signing-key.pem"
    keys.write_key_file(inside, fixed_key())
    (tmp_path / "link.pem").symlink_to(inside)
    lines = refused(_build(small_content, tmp_path / "site", tmp_path / "link.pem"), small_content)
    assert "is inside the content folder" in lines[0]


@pytest.fixture
def alarm():
    """Fail instead of hanging forever."""

    def hung(*_):
        raise TimeoutError("the command hung")

    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(30)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


@pytest.mark.parametrize("kind", ["fifo", "folder", "device"])
def test_a_key_that_is_not_a_regular_file_is_refused_without_hanging(small_content, tmp_path, alarm, kind):
    path = tmp_path / "key"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    else:
        path = Path("/dev/zero")
    lines = refused(_build(small_content, tmp_path / "site", path), small_content, tmp_path / "site")
    assert lines == [f"error: key file {path} is not a regular file (a pipe, device or folder?); give a key file"]


def test_a_fifo_swapped_in_after_the_check_cannot_block(tmp_path, alarm, monkeypatch):
    """Between stat and open the path may change: the open itself never blocks."""
    path = tmp_path / "key"
    os.mkfifo(path)
    real_stat = os.stat
    monkeypatch.setattr(
        keys.os, "stat", lambda p, *a, **k: real_stat(__file__) if Path(p) == path else real_stat(p, *a, **k)
    )
    with pytest.raises(Exception, match="is not a regular file"):
        keys.read_key_file(path)


# --- a full disk or a read-only folder ---------------------------------------------------------


def _change(content: Path) -> None:
    """Change one award, so the next build has a credential to write (a rebuild of the very same
    inputs returns the previous build's result and writes nothing: credpress.fast_path)."""
    cohort = content / "awards" / "cohort.yaml"
    text = cohort.read_text("utf-8")
    cohort.write_text(text.replace("  awarded: 2026-03-01\n", "  awarded: 2026-03-01\n  narrative: Changed.\n", 1))


def _raise(code: int):
    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    return fail


def test_a_full_disk_while_writing_the_output(small_content, key_file, tmp_path, monkeypatch):
    out = tmp_path / "site"
    make_build(small_content, out, key_file)
    _change(small_content)
    real_open = open
    monkeypatch.setattr(
        writer,
        "open",
        lambda path, mode="r", *a, **k: (
            _raise(errno.ENOSPC)() if "credentials" in str(path) else real_open(path, mode, *a, **k)
        ),
        raising=False,
    )
    lines = refused(_build(small_content, out, key_file), small_content, out)
    assert len(lines) == 1 and re.fullmatch(
        rf"error: could not write credentials/\S+ \(in {re.escape(str(tmp_path))}/\.site\.tmp-\w+\): "
        rf"No space left on device; the previous output {re.escape(str(out))} is intact",
        lines[0],
    ), lines
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".credpress",
        "content",
        "keys",
        "site",
    ]  # no temporary folder left


def test_a_read_only_content_folder_when_the_lock_changes(small_content, key_file, tmp_path, monkeypatch):
    out = tmp_path / "site"
    make_build(small_content, out, key_file)
    with (small_content / "awards" / "cohort.yaml").open("a") as handle:
        handle.write(
            "- achievement: alpha\n  recipient:\n    name: New\n    email: new@example.org\n  awarded: 2026-07-01\n"
        )
    monkeypatch.setattr(writer.tempfile, "mkstemp", _raise(errno.EROFS))
    assert refused(_build(small_content, out, key_file), small_content, out) == [
        "error: could not write content/credpress.lock: Read-only file system; nothing was changed "
        "(the previous lock file and output are intact)"
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".credpress", "content", "keys", "site"]


def test_a_read_only_output_parent(small_content, key_file, tmp_path, monkeypatch):
    out = tmp_path / "site"
    make_build(small_content, out, key_file)
    _change(small_content)
    monkeypatch.setattr(writer.tempfile, "mkdtemp", _raise(errno.EROFS))
    assert refused(_build(small_content, out, key_file), small_content, out) == [
        f"error: could not write {tmp_path}: Read-only file system; the previous output {out} is intact"
    ]


def test_a_failed_swap_keeps_the_previous_output(small_content, key_file, tmp_path, monkeypatch):
    out = tmp_path / "site"
    make_build(small_content, out, key_file)
    _change(small_content)
    monkeypatch.setattr(writer, "_exchange", lambda a, b: False)
    real_replace = os.replace
    monkeypatch.setattr(
        writer.os, "replace", lambda a, b: _raise(errno.EIO)() if ".site.tmp-" in str(a) else real_replace(a, b)
    )
    lines = refused(_build(small_content, out, key_file), small_content, out)
    assert lines == [
        f"error: could not write {out.absolute()}: Input/output error; the previous output {out} is intact"
    ]
