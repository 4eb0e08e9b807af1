"""The one writer: refuses duplicate and escaping paths; abort() keeps the old output, commit() swaps."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from credpress.output.writer import MARKER, OutputError, Writer, json_bytes


def tree(folder: Path) -> dict[str, bytes]:
    """Every file but the marker every build writes (tests/test_output_and_keys.py covers it)."""
    files = (path for path in sorted(folder.rglob("*")) if path.is_file() and path.name != MARKER)
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in files}


def leftovers(parent: Path, out: Path) -> list[str]:
    return sorted(path.name for path in parent.iterdir() if path.name.startswith(f".{out.name}."))


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """An output folder holding a previous build."""
    folder = tmp_path / "site"
    writer = Writer(folder)
    writer.write_bytes("index.html", b"old home")
    writer.write_bytes("credentials/a.json", b"old a")
    writer.commit()
    return folder


OLD = {"index.html": b"old home", "credentials/a.json": b"old a"}


# --- Paths it refuses --------------------------------------------------------------------


@pytest.mark.parametrize("second", ["a/b.json", "./a/b.json", "a//b.json", "a/./b.json"])
def test_a_path_written_twice_is_refused(tmp_path: Path, second: str) -> None:
    writer = Writer(tmp_path / "site")
    writer.write_bytes("a/b.json", b"first")
    with pytest.raises(OutputError, match=r"^refusing to write .* twice$"):
        writer.write_bytes(second, b"second")
    assert (writer.tmp / "a" / "b.json").read_text() == "first"
    writer.abort()


@pytest.mark.parametrize(
    ("rel", "why"),
    [
        ("../escape.txt", "not a relative file path"),
        ("a/../../escape.txt", "not a relative file path"),
        ("a/..", "not a relative file path"),
        ("/etc/escape.txt", "not a relative file path"),
        ("", "not a relative file path"),
        ("a/", "not a relative file path"),
        ("a\\b.txt", "not a clean relative path"),
        ("..\\escape.txt", "not a clean relative path"),
        ("a\0b.txt", "not a clean relative path"),
    ],
)
def test_a_path_that_is_not_a_clean_relative_file_path_is_refused(tmp_path: Path, rel: str, why: str) -> None:
    writer = Writer(tmp_path / "site")
    with pytest.raises(OutputError) as refused:
        writer.write_bytes(rel, b"x")
    assert str(refused.value) == f"refusing to write {rel!r}: {why}"
    assert list(writer.tmp.rglob("*")) == [writer.tmp / MARKER]
    assert sorted(path.name for path in tmp_path.iterdir()) == [writer.tmp.name]  # nothing beside it either
    writer.abort()


def test_a_path_through_a_symlinked_folder_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    writer = Writer(tmp_path / "site")
    writer.write_bytes("index.html", b"home")
    (writer.tmp / "credentials").symlink_to(outside, target_is_directory=True)
    with pytest.raises(OutputError, match=r"^refusing to write 'credentials/a\.json': it resolves outside"):
        writer.write_bytes("credentials/a.json", b"x")
    assert list(outside.iterdir()) == []
    writer.abort()


def test_a_written_folder_replaced_by_a_symlink_is_refused_below_it(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    writer = Writer(tmp_path / "site")
    writer.write_bytes("credentials/a.json", b"a")
    shutil.rmtree(writer.tmp / "credentials")
    (writer.tmp / "credentials").symlink_to(outside, target_is_directory=True)
    with pytest.raises(OutputError, match=r"^refusing to write 'credentials/deeper/b\.json': it resolves outside"):
        writer.write_bytes("credentials/deeper/b.json", b"b")
    assert not (outside / "deeper" / "b.json").exists()
    writer.abort()


def test_a_written_folder_replaced_by_a_symlink_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    writer = Writer(tmp_path / "site")
    writer.write_bytes("credentials/a.json", b"a")
    shutil.rmtree(writer.tmp / "credentials")
    (writer.tmp / "credentials").symlink_to(outside, target_is_directory=True)
    try:
        with pytest.raises(OutputError, match=r"^refusing to write 'credentials/b\.json': it resolves outside"):
            writer.write_bytes("credentials/b.json", b"b")
    finally:
        writer.abort()
    assert list(outside.iterdir()) == []


def test_a_refused_write_through_a_symlink_creates_nothing_outside(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    writer = Writer(tmp_path / "site")
    (writer.tmp / "link").symlink_to(outside, target_is_directory=True)
    with pytest.raises(OutputError):
        writer.write_bytes("link/deeper/b.json", b"b")
    writer.abort()
    assert list(outside.iterdir()) == []


# --- abort() and commit() ----------------------------------------------------------------


def test_abort_leaves_the_previous_output_untouched(out: Path) -> None:
    before = out.stat().st_ino
    writer = Writer(out)
    writer.write_bytes("index.html", b"new home")
    writer.write_bytes("credentials/b.json", b"new b")
    writer.abort()
    assert tree(out) == OLD
    assert out.stat().st_ino == before
    assert leftovers(out.parent, out) == []


def test_commit_replaces_the_output_with_exactly_the_new_files(out: Path) -> None:
    writer = Writer(out)
    writer.write_bytes("index.html", b"new home")
    writer.write_bytes("credentials/b.json", json_bytes({"b": "é"}))
    staged = writer.tmp.stat().st_ino
    writer.commit()
    assert tree(out) == {"index.html": b"new home", "credentials/b.json": '{"b":"é"}\n'.encode()}
    assert out.stat().st_ino == staged  # the staged folder itself, renamed in; no copying
    assert leftovers(out.parent, out) == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 RENAME_EXCHANGE is Linux-only")
def test_commit_on_linux_swaps_in_one_step(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No rename-away-then-rename-in (os.replace): the output folder never stops existing."""
    writer = Writer(out)
    writer.write_bytes("index.html", b"new home")

    def two_step(*args: object) -> None:
        raise AssertionError("commit() renamed the output away instead of exchanging it")

    monkeypatch.setattr(os, "replace", two_step)
    writer.commit()
    monkeypatch.undo()
    assert tree(out) == {"index.html": b"new home"}
    assert leftovers(out.parent, out) == []


def test_commit_without_atomic_exchange_still_replaces_the_output(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.modules[Writer.__module__], "_exchange", lambda a, b: False)  # as off Linux
    writer = Writer(out)
    writer.write_bytes("index.html", b"new home")
    writer.commit()
    assert tree(out) == {"index.html": b"new home"}
    assert leftovers(out.parent, out) == []


def test_commit_refuses_to_replace_a_file(tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.write_text("not a folder")
    with pytest.raises(OutputError, match="exists and is not a folder; not replacing it"):
        Writer(out)
    assert out.read_text() == "not a folder"
    assert leftovers(tmp_path, out) == []
