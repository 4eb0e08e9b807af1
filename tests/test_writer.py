"""The one writer: refuses duplicate and escaping paths; abort() keeps the old output, commit() swaps."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pytest

from credpress.output.writer import MARKER, OutputError, Reuse, Writer, json_bytes


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


@pytest.mark.parametrize("rel", ["credentials/b.json", "credentials/deeper/b.json"])
def test_a_written_folder_replaced_by_a_symlink_is_refused(tmp_path: Path, rel: str) -> None:
    # At the level of the swapped folder and below it: nothing is created outside.
    outside = tmp_path / "outside"
    outside.mkdir()
    writer = Writer(tmp_path / "site")
    writer.write_bytes("credentials/a.json", b"a")
    shutil.rmtree(writer.tmp / "credentials")
    (writer.tmp / "credentials").symlink_to(outside, target_is_directory=True)
    try:
        with pytest.raises(OutputError, match=rf"^refusing to write '{re.escape(rel)}': it resolves outside"):
            writer.write_bytes(rel, b"b")
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


# --- Incremental writing: hard links from the previous output, the recycled spare ----------


def build_with_reuse(out: Path, spare: Path, previous: dict, files: dict[str, bytes]) -> Writer:
    writer = Writer(out, Reuse(spare, previous))
    for rel, data in files.items():
        writer.write_bytes(rel, data)
    writer.commit()
    return writer


def test_unchanged_files_are_linked_and_the_old_folder_becomes_the_spare(tmp_path: Path) -> None:
    out, spare = tmp_path / "site", tmp_path / "cache" / "spare"
    first = build_with_reuse(out, spare, {}, {"index.html": b"home", "a/b.json": b"b", "a/c.json": b"c"})
    assert not spare.exists()  # nothing was swapped out
    inode = (out / "a" / "b.json").stat().st_ino
    second = build_with_reuse(out, spare, first.files, {"index.html": b"new home", "a/b.json": b"b"})
    assert tree(out) == {"index.html": b"new home", "a/b.json": b"b"}
    assert (out / "a" / "b.json").stat().st_ino == inode and second.linked == 2  # and the marker
    assert tree(spare) == {"index.html": b"home", "a/b.json": b"b", "a/c.json": b"c"}  # the old output
    assert leftovers(tmp_path, out) == []
    third = build_with_reuse(out, spare, second.files, {"index.html": b"new home", "d/e.json": b"e"})
    assert tree(out) == {"index.html": b"new home", "d/e.json": b"e"}
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == [MARKER, "d", "d/e.json", "index.html"]
    assert third.linked == 2 and leftovers(tmp_path, out) == []


def test_an_output_file_edited_since_is_written_again(tmp_path: Path) -> None:
    out, spare = tmp_path / "site", tmp_path / "spare"
    first = build_with_reuse(out, spare, {}, {"a.json": b"a", "b.json": b"b"})
    (out / "a.json").write_bytes(b"A")  # same size, another time
    (out / "b.json").unlink()
    (out / "b.json").write_bytes(b"b")  # same bytes, another file
    second = build_with_reuse(out, spare, first.files, {"a.json": b"a", "b.json": b"b"})
    assert tree(out) == {"a.json": b"a", "b.json": b"b"} and second.linked == 1  # only the marker


def test_a_recycled_spare_ends_up_holding_exactly_the_new_files(tmp_path: Path) -> None:
    out, spare = tmp_path / "site", tmp_path / "spare"
    first = build_with_reuse(out, spare, {}, {"a/b.json": b"b", "c.json": b"c"})
    outside = tmp_path / "outside"
    outside.mkdir()
    spare.mkdir()
    (spare / "a").symlink_to(outside, target_is_directory=True)  # a link where a folder goes
    (spare / "c.json").mkdir()  # a folder where a file goes
    (spare / "stale").mkdir()
    (spare / "stale" / "x.json").write_bytes(b"x")
    (spare / "link.json").symlink_to(outside / "nothing")
    build_with_reuse(out, spare, first.files, {"a/b.json": b"b", "c.json": b"c", "new/d.json": b"d"})
    assert tree(out) == {"a/b.json": b"b", "c.json": b"c", "new/d.json": b"d"}
    assert not any(p.is_symlink() for p in out.rglob("*")) and list(outside.iterdir()) == []


def test_abort_keeps_the_unfinished_folder_as_the_spare(out: Path) -> None:
    spare = out.parent / "spare"
    writer = Writer(out, Reuse(spare, {}))
    writer.write_bytes("index.html", b"new home")
    writer.abort()
    assert tree(out) == OLD and leftovers(out.parent, out) == []
    assert tree(spare) == {"index.html": b"new home"}


def test_the_listing_is_that_of_the_committed_folder(tmp_path: Path) -> None:
    from credpress.output import manifest

    out, spare = tmp_path / "site", tmp_path / "spare"
    first = build_with_reuse(out, spare, {}, {"a/b/c.json": b"c", "d.json": b"d"})
    assert manifest.scan(out) == first.listing()
    second = build_with_reuse(out, spare, first.files, {"a/b/c.json": b"c", "e.json": b"e"})
    assert manifest.scan(out) == second.listing() != first.listing()
    (out / "a" / "x").mkdir()
    assert manifest.scan(out) != second.listing()
