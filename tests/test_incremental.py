"""Incremental builds: a rebuild with the cache gives exactly a clean build's output."""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SMALL, fixed_key
from hypothesis import given, settings
from hypothesis import strategies as st

from credpress import workers
from credpress.build_cache import BuildCache, cache_folder
from credpress.cli import main
from credpress.output.writer import MARKER
from credpress.pipeline import BuildOptions, build
from credpress.vc import cryptosuites, keys


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def options(content: Path, out: Path, key_path: Path, **extra) -> BuildOptions:
    return BuildOptions(content=content, out=out, key_path=key_path, environ={}, warn=lambda m: None, **extra)


class Project:
    """The small fixture in a folder, with awards and templates the test edits."""

    def __init__(self, root: Path):
        self.root = root
        self.content = root / "content"
        shutil.copytree(SMALL, self.content)
        self.key = root / "key.pem"
        keys.write_key_file(self.key, fixed_key())
        self.extra: list[dict] = []
        self.templates = root / "site_templates"
        self.templates.mkdir()

    def write_awards(self) -> None:
        lines = []
        for award in self.extra:
            lines += [
                f"- achievement: {award['achievement']}",
                f"  recipient: {{name: Learner {award['n']}, email: learner{award['n']}@example.org}}",
                f"  awarded: 2026-0{1 + award['n'] % 9}-1{award['n'] % 10}",
            ]
            if award.get("narrative"):
                lines.append(f"  narrative: {award['narrative']}")
            if award.get("revoked"):
                lines.append("  revoked: {date: 2026-11-01, reason: Awarded in error}")
        (self.content / "awards" / "extra.yaml").write_text("\n".join(lines) + "\n" if lines else "[]\n", "utf-8")

    def apply(self, edit: tuple[str, int]) -> None:
        kind, n = edit
        if kind == "add":
            self.extra.append({"n": len(self.extra), "achievement": ("alpha", "beta", "cert")[n % 3]})
        elif kind == "narrative" and self.extra:
            self.extra[n % len(self.extra)]["narrative"] = f"Edited narrative {n}."
        elif kind == "revoke" and self.extra:
            self.extra[n % len(self.extra)]["revoked"] = True
        elif kind == "description":
            path = self.content / "achievements" / "alpha.yaml"
            text = path.read_text("utf-8").splitlines()
            text[2] = f"description: The learner can do **alpha** things, version {n}."
            path.write_text("\n".join(text) + "\n", "utf-8")
        elif kind == "template":
            (self.templates / "footer.html").write_text(f"<p>Footer version {n}.</p>\n", "utf-8")
        elif kind == "tamper":  # a file of the published output edited, removed or added by hand
            site = self.root / "_site"
            # (never the marker: without it the folder is not credpress's to replace)
            files = sorted(p for p in site.rglob("*") if p.is_file() and p.name != MARKER) if site.is_dir() else []
            if files:
                victim = files[n % len(files)]
                if n % 3 == 0:
                    victim.unlink()
                elif n % 3 == 1:
                    victim.write_bytes(victim.read_bytes() + b"edited")
                else:
                    (victim.parent / "extra.html").write_bytes(b"not built")
            return  # the content is as it was
        self.write_awards()

    def build(self, out: str, **extra):
        return build(options(self.content, self.root / out, self.key, **extra))


EDITS = st.tuples(
    st.sampled_from(["add", "narrative", "revoke", "description", "template", "nothing", "tamper"]), st.integers(0, 50)
)


@settings(max_examples=6, deadline=None)
@given(st.lists(EDITS, min_size=1, max_size=4))
def test_incremental_output_equals_clean_build_after_any_edits(edits):
    with tempfile.TemporaryDirectory() as tmp:
        project = Project(Path(tmp))
        project.apply(("add", 0))
        project.build("_site")
        for edit in edits:
            project.apply(edit)
            project.build("_site")  # with the cache of every build before it
            shutil.rmtree(project.root / "_clean", ignore_errors=True)
            project.build("_clean", cache=False)
            assert tree(project.root / "_site") == tree(project.root / "_clean"), edits


def test_template_change_rerenders_without_resigning(tmp_path, monkeypatch):
    project = Project(tmp_path)
    project.build("_site")
    calls = []
    real = cryptosuites.sign_document
    monkeypatch.setattr(cryptosuites, "sign_document", lambda *a, **k: calls.append(a[2]) or real(*a, **k))
    project.apply(("template", 1))
    result = project.build("_site")
    assert len(calls) == 1 and "#key-1" in calls[0]  # only the issuer's status list is signed
    page = next((tmp_path / "_site" / "credentials").glob("*/index.html"))
    assert b"Footer version 1." in page.read_bytes()
    assert result.summary.unchanged == 5 and result.summary.changed == 0


def test_parallel_build_equals_serial(tmp_path, monkeypatch):
    project = Project(tmp_path)
    for n in range(4):
        project.apply(("add", n))
    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 2)
    monkeypatch.setattr(workers, "CHUNK", 2)
    project.build("_serial", cache=False, workers=1)
    project.build("_parallel", cache=False, workers=2)
    assert tree(tmp_path / "_serial") == tree(tmp_path / "_parallel")
    # and the cache written by forked workers is used by the next build
    project.build("_parallel", workers=2)
    result = project.build("_parallel", workers=2)
    assert tree(tmp_path / "_serial") == tree(tmp_path / "_parallel")
    assert result.summary.unchanged == 9
    # a change: the workers give the unchanged pages by their cache keys, the writer links them
    project.apply(("narrative", 1))
    project.build("_serial", workers=1)
    result = project.build("_parallel", workers=2)
    assert tree(tmp_path / "_serial") == tree(tmp_path / "_parallel")
    assert (result.summary.changed, result.summary.unchanged) == (1, 8)


def test_summary_counts_what_changed(tmp_path):
    project = Project(tmp_path)
    project.apply(("add", 0))
    project.apply(("add", 1))
    first = project.build("_site").summary
    assert (first.new, first.changed, first.unchanged, first.revoked) == (7, 0, 0, 0)
    assert len(first.new_urls) == 7 and all(
        u.startswith("https://example.test/badges/credentials/") for u in first.new_urls
    )
    again = project.build("_site").summary
    assert (again.new, again.changed, again.unchanged, again.revoked, again.newly_revoked) == (0, 0, 7, 0, 0)
    project.apply(("add", 2))  # one new
    project.apply(("narrative", 0))  # one changed
    project.apply(("revoke", 1))  # revoked: the status list changes, the credential does not
    result = project.build("_site")
    third = result.summary
    assert (third.new, third.changed, third.unchanged, third.revoked, third.newly_revoked) == (1, 1, 6, 1, 1)
    assert third.credentials == 8 and third.warnings == len(result.warnings) and third.stacks_awarded == 0


def test_summary_without_cache_compares_with_previous_output(tmp_path):
    project = Project(tmp_path)
    project.build("_site")
    shutil.rmtree(cache_folder(tmp_path))
    project.apply(("add", 0))
    summary = project.build("_site").summary
    assert (summary.new, summary.changed, summary.unchanged) == (1, 0, 5)


def test_summary_counts_expired_as_of_the_build_clock(tmp_path):
    from datetime import datetime, timezone

    project = Project(tmp_path)
    before = project.build("_site", now=datetime(2026, 12, 1, tzinfo=timezone.utc)).summary
    after = project.build("_site", now=datetime(2027, 2, 1, tzinfo=timezone.utc)).summary
    assert (before.expired, after.expired) == (0, 1)  # Grace Hopper's award expires 2027-01-01
    assert tree(tmp_path / "_site")  # the output itself does not depend on the clock:
    project.build("_other", now=datetime(2026, 12, 1, tzinfo=timezone.utc))
    assert tree(tmp_path / "_site") == tree(tmp_path / "_other")


def test_build_json_summary(small_content, key_file, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "--key", str(key_file), "--out", "public", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {
        "out", "public_key", "credentials", "files", "new", "changed", "unchanged", "revoked",
        "newly_revoked", "expired", "as_of", "stacks_awarded", "warnings", "new_urls", "lines", "stacks",
    }  # fmt: skip
    assert (data["credentials"], data["new"], data["changed"], data["unchanged"]) == (5, 5, 0, 0)
    assert len(data["new_urls"]) == 5
    again = json.loads(CliRunner().invoke(main, ["build", "--key", str(key_file), "--out", "public", "--json"]).stdout)
    assert (again["new"], again["unchanged"], again["new_urls"]) == (0, 5, [])


def test_no_progress_bar_when_not_a_terminal(small_content, key_file, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "--key", str(key_file), "--out", "public"])
    assert result.exit_code == 0 and "\r" not in result.output


def test_progress_line_draws_and_clears():
    from credpress.cli.build import _ProgressLine

    written: list[str] = []
    bar = _ProgressLine(written.append)
    bar("Signing", 50, 200)
    bar("Signing", 200, 200)
    bar.clear()
    assert written[0].startswith("\rSigning") and written[0].endswith(" 50/200")
    assert "#" * _ProgressLine.WIDTH in written[1] and written[-1].strip() == ""


def entries(cache: Path, kind: str | None = None) -> list[tuple[str, str, bytes]]:
    """The rows of the cache database (of *kind*)."""
    with closing(sqlite3.connect(cache / "entries.sqlite")) as db:
        rows = db.execute("SELECT kind, key, body FROM entries").fetchall()
    return [row for row in rows if kind is None or row[0] == kind]


def rewrite_entries(cache: Path, change: Callable[[bytes], bytes]) -> int:
    """Replace the body of every cache entry (database rows and record files) by change(body)."""
    count = 0
    for path in cache.glob("*.json"):
        path.write_bytes(change(path.read_bytes()))
        count += 1
    with closing(sqlite3.connect(cache / "entries.sqlite")) as db, db:
        for kind, key, body in db.execute("SELECT kind, key, body FROM entries").fetchall():
            db.execute("UPDATE entries SET body = ? WHERE kind = ? AND key = ?", (change(body), kind, key))
            count += 1
    return count


def test_corrupt_cache_is_ignored(tmp_path):
    project = Project(tmp_path)
    project.build("_clean", cache=False)
    project.build("_site")
    # flip one byte of each body: same length, same tag, different bytes
    assert rewrite_entries(cache_folder(tmp_path), lambda data: data[:-2] + bytes([data[-2] ^ 0x20]) + data[-1:]) > 10
    project.build("_site")
    assert tree(tmp_path / "_site") == tree(tmp_path / "_clean")
    # truncated and garbage entries too
    rewrite_entries(cache_folder(tmp_path), lambda data: b"{}" if len(data) % 2 else b"")
    project.build("_site")
    assert tree(tmp_path / "_site") == tree(tmp_path / "_clean")


@pytest.mark.parametrize("damage", ["garbage", "truncated", "folder"])
def test_a_cache_database_sqlite_cannot_read_is_replaced(tmp_path, damage):
    project = Project(tmp_path)
    project.build("_clean", cache=False)
    project.build("_site")
    database = cache_folder(tmp_path) / "entries.sqlite"
    for stale in database.parent.glob("entries.sqlite-*"):  # what SQLite keeps beside it
        stale.unlink()
    if damage == "garbage":
        database.write_bytes(b"not a database\n" * 1000)
    elif damage == "truncated":
        database.write_bytes(database.read_bytes()[:1500])
    else:
        database.unlink()
        database.mkdir()
        (database / "x").write_text("x")
    project.apply(("narrative", 0))
    project.build("_clean", cache=False)
    project.build("_site")
    assert tree(tmp_path / "_site") == tree(tmp_path / "_clean")
    if damage != "folder":  # a file SQLite could not read was replaced, and the cache works again
        assert len(entries(cache_folder(tmp_path), "signed")) == len(project_credentials(tmp_path / "_clean"))
        assert project.build("_site").summary.unchanged == len(project_credentials(tmp_path / "_clean"))


def project_credentials(site: Path) -> list[Path]:
    return list((site / "credentials").glob("*.json"))


def test_workers_read_the_cache_and_the_build_stores_what_they_made(tmp_path, monkeypatch):
    """Pages and QR codes are made in worker processes (forked): each opens its own connection,
    and only the build's process stores entries, in one database that stays readable."""
    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(workers, "CHUNK", 2)
    project = Project(tmp_path)
    for n in range(4):
        project.apply(("add", n))
    project.build("_clean", cache=False, workers=1)
    first = project.build("_site", workers=2)
    assert first.summary.new == 9
    cache = cache_folder(tmp_path)
    assert {kind for kind, _, _ in entries(cache)} >= {"signed", "pages", "qr"}
    assert len(entries(cache, "pages")) == len(entries(cache, "qr")) == 9
    with closing(sqlite3.connect(cache / "entries.sqlite")) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    # the workers now find every page in the cache (the previous files are gone, so none is linked)
    shutil.rmtree(tmp_path / "_site")
    monkeypatch.setattr(
        "credpress.site.generators.credentials._badge_page",
        lambda *a: (_ for _ in ()).throw(AssertionError("page rendered again")),
    )
    project.build("_site", workers=2)
    assert tree(tmp_path / "_site") == tree(tmp_path / "_clean")


def test_qr_codes_are_drawn_once_then_come_from_the_cache(tmp_path, monkeypatch):
    from credpress.site.generators import qr_codes

    project = Project(tmp_path)
    project.build("_clean", cache=False)
    project.build("_site")
    assert len(entries(cache_folder(tmp_path), "qr")) == len(project_credentials(tmp_path / "_clean"))

    def no_drawing(url: str) -> bytes:
        raise AssertionError(f"QR code of {url} drawn again")

    monkeypatch.setattr(qr_codes, "qr_svg", no_drawing)
    project.build("_site")
    assert tree(tmp_path / "_site") == tree(tmp_path / "_clean")


def test_cache_entries_of_another_key_or_version_are_not_used(tmp_path):
    folder = cache_folder(tmp_path)
    ours = BuildCache(folder, fixed_key(), None)
    ours.put("signed", "k", b"signed bytes")
    assert ours.get("signed", "k") == b"signed bytes"
    other = BuildCache(folder, keys.from_seed(bytes(range(1, 33)), "other"), None)
    assert other.get("signed", "k") is None  # its tag was made with another key
    ours.close()
    (folder / "VERSION").write_text("credpress cache 0.0.1 format 0\n", "utf-8")
    (folder / "signed").mkdir()  # format 1 kept a file per entry, in a folder per kind
    (folder / "signed" / "k").write_bytes(b"old")
    emptied = BuildCache(folder, fixed_key(), None)  # another version's cache is emptied
    assert emptied.get("signed", "k") is None and not (folder / "signed").exists()


def test_cache_entries_are_stored_when_the_build_ends_and_unused_ones_pruned(tmp_path):
    folder = cache_folder(tmp_path)
    cache = BuildCache(folder, fixed_key(), None)
    cache.put("pages", "a", b"page a")
    cache.put("pages", "b", b"page b")
    assert cache.get("pages", "a") == b"page a"
    assert entries(folder) == []  # stored in one transaction when the build ends (or flushes)
    cache.close()
    again = BuildCache(folder, fixed_key(), None)
    assert again.get("pages", "a") == b"page a"
    again.prune()  # "b" was not used by this build
    again.close()
    assert [key for _, key, _ in entries(folder)] == ["a"]


def test_cache_keys_ignore_where_an_award_is_written(tmp_path):
    """Editing one award must not re-sign the awards after it in the same file (their lines move)."""
    project = Project(tmp_path)
    for n in range(3):
        project.apply(("add", n))
    project.build("_site")
    project.apply(("narrative", 0))  # the first extra award grows by one line
    summary = project.build("_site").summary
    assert (summary.changed, summary.unchanged) == (1, 7)


def test_cache_lives_outside_the_output(tmp_path):
    project = Project(tmp_path)
    project.build("_site")
    cache = cache_folder(tmp_path)
    assert entries(cache, "signed") and entries(cache, "pages")
    assert (tmp_path / "_site").resolve() not in cache.resolve().parents
    published = {p.name for p in (tmp_path / "_site").rglob("*")}
    assert not published & {"cache", ".credpress", "VERSION", "signed", "pages"}
    assert (tmp_path / ".credpress" / ".gitignore").read_text() == "*\n"


def test_build_into_the_cache_folder_does_not_use_the_cache(tmp_path):
    project = Project(tmp_path)
    result = build(options(project.content, cache_folder(tmp_path), project.key))
    assert result.summary.new == 5
    assert not (cache_folder(tmp_path) / "entries.sqlite").exists()
