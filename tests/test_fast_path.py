"""The no-op fast path and the incremental writer: a rebuild skips only what it may, and its
output and result are always those of a full build."""

from __future__ import annotations

import os
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import fixed_key
from test_incremental import Project, tree

from credpress import fast_path, pipeline
from credpress.build_cache import cache_folder
from credpress.cli import main
from credpress.errors import ContentError
from credpress.output.writer import MARKER
from credpress.vc import keys

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


class Counted:
    """Counts full builds (each one checks the content; the fast path does not)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.full = 0
        real = pipeline.check_content

        def counting(*args, **kwargs):
            self.full += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(pipeline, "check_content", counting)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    project = Project(tmp_path)
    # An unknown field: every build reports the same warning.
    cohort = project.content / "awards" / "cohort.yaml"
    cohort.write_text(cohort.read_text("utf-8") + "  colour: blue\n", "utf-8")
    project.apply(("add", 0))
    return project


def full_result(project: Project, monkeypatch: pytest.MonkeyPatch, out: str = "_site", **extra):
    """The result of a build of the same inputs with the fast path turned off."""
    with monkeypatch.context() as patch:
        patch.setattr(fast_path, "lookup", lambda *a, **k: None)
        return project.build(out, **extra)


def same_result(fast, full) -> None:
    assert (fast.out, fast.credentials, fast.files, fast.public_key, fast.development_key) == (
        full.out,
        full.credentials,
        full.files,
        full.public_key,
        full.development_key,
    )
    assert fast.warnings == full.warnings and fast.stacks == full.stacks
    assert fast.summary == full.summary


# --- The no-op fast path --------------------------------------------------------------------


def test_a_no_op_rebuild_returns_what_a_full_build_returns(project, monkeypatch):
    first = project.build("_site", now=NOW)
    assert first.warnings and first.summary.new == 6
    counted = Counted(monkeypatch)
    fast = project.build("_site", now=NOW)
    assert counted.full == 0
    assert (fast.summary.new, fast.summary.changed, fast.summary.unchanged) == (0, 0, 6)
    same_result(fast, full_result(project, monkeypatch, now=NOW))
    assert counted.full == 1


def test_the_fast_path_counts_expiry_as_of_now(project, monkeypatch):
    project.build("_site", now=NOW)
    counted = Counted(monkeypatch)
    later = NOW + timedelta(days=40)  # Grace Hopper's award expires 2027-01-01
    project.build("_site", now=later)  # another day: a full build
    fast = project.build("_site", now=later + timedelta(hours=1))
    assert counted.full == 1 and fast.summary.expired == 1
    same_result(fast, full_result(project, monkeypatch, now=later + timedelta(hours=1)))


def test_the_command_prints_the_same_after_a_no_op(project, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    args = ["build", "--key", str(project.key), "--json"]
    CliRunner().invoke(main, args)
    fast = CliRunner().invoke(main, args)
    monkeypatch.setattr(fast_path, "lookup", lambda *a, **k: None)
    full = CliRunner().invoke(main, args)
    assert fast.exit_code == full.exit_code == 0
    assert "warning: content/awards/cohort.yaml:" in fast.stderr
    strip = lambda text: "\n".join(line for line in text.splitlines() if '"as_of"' not in line)  # noqa: E731
    assert strip(fast.stdout) == strip(full.stdout) and fast.stderr == full.stderr


def test_workers_do_not_matter(project, monkeypatch):
    project.build("_site", now=NOW, workers=1)
    counted = Counted(monkeypatch)
    project.build("_site", now=NOW, workers=2)
    assert counted.full == 0


@pytest.mark.parametrize(
    "change",
    [
        "delete a page",
        "edit a page",
        "edit in place, same size",
        "add a file",
        "add a folder",
        "replace a file by a link",
    ],
)
def test_a_changed_output_folder_is_built_again(project, monkeypatch, change):
    project.build("_clean", now=NOW, cache=False)
    project.build("_site", now=NOW)
    site = project.root / "_site"
    page = next((site / "credentials").glob("*/index.html"))
    if change == "delete a page":
        page.unlink()
    elif change == "edit a page":
        page.write_bytes(page.read_bytes() + b"<!-- edited -->")
    elif change == "edit in place, same size":
        data = bytearray(page.read_bytes())
        data[-2] ^= 0x20
        before = page.stat().st_mtime_ns
        page.write_bytes(bytes(data))
        os.utime(page, ns=(before + 1_000_000, before + 1_000_000))
    elif change == "add a file":
        (site / "extra.html").write_text("not built")
    elif change == "add a folder":
        (site / "extra").mkdir()
    elif change == "replace a file by a link":
        target = project.root / "elsewhere.html"
        target.write_bytes(page.read_bytes())
        page.unlink()
        page.symlink_to(target)
    counted = Counted(monkeypatch)
    project.build("_site", now=NOW)
    assert counted.full == 1
    assert tree(site) == tree(project.root / "_clean")
    assert not any(p.is_symlink() for p in site.rglob("*"))
    project.build("_site", now=NOW)
    assert counted.full == 1  # and the next one is fast again


def edit_template(project: Project) -> None:
    (project.templates / "footer.html").write_text("<p>Another footer.</p>\n", "utf-8")


def edit_award(project: Project) -> None:
    project.apply(("narrative", 0))


def add_hidden_file(project: Project) -> None:
    (project.content / "images" / ".notes").write_text("a note")


def reformat_lock(project: Project) -> None:
    lock = project.content / "credpress.lock"
    lock.write_text(lock.read_text("utf-8") + "\n", "utf-8")


def edit_site(project: Project) -> None:
    site = project.content / "site.yaml"
    site.write_text(site.read_text("utf-8").replace("title:", "title: New", 1), "utf-8")


@pytest.mark.parametrize(
    ("change", "extra"),
    [
        (edit_template, {}),
        (edit_award, {}),
        (edit_site, {}),
        (add_hidden_file, {}),
        (reformat_lock, {}),
        (None, {"now": NOW + timedelta(days=1)}),
        (None, {"strict": True}),
        (None, {"frozen": True}),
        (None, {"templates": "other_templates"}),
    ],
)
def test_a_changed_input_is_built_again(project, monkeypatch, change, extra):
    project.build("_site", now=NOW)
    if change is not None:
        change(project)
    if "templates" in extra:
        shutil.copytree(project.templates, project.root / extra["templates"])
        extra["templates"] = project.root / extra["templates"]
    options = {"now": NOW, **extra}
    counted = Counted(monkeypatch)
    try:
        project.build("_site", **options)
    except ContentError:
        assert options.get("strict")  # the unknown field's warning is an error
    assert counted.full == 1
    shutil.rmtree(project.root / "_clean", ignore_errors=True)
    if not options.get("strict"):
        project.build("_clean", cache=False, **options)
        assert tree(project.root / "_site") == tree(project.root / "_clean")


def test_another_key_is_built_again(project, monkeypatch):
    project.build("_site", now=NOW)
    other = project.root / "other.pem"
    keys.write_key_file(other, keys.from_seed(bytes(range(1, 33)), "other"))
    counted = Counted(monkeypatch)
    result = pipeline.build(
        pipeline.BuildOptions(
            content=project.content, out=project.root / "_site", key_path=other, environ={}, now=NOW, warn=print
        )
    )
    assert counted.full == 1 and result.public_key != fixed_key().public_multibase


def test_a_key_from_the_environment_counts(project, monkeypatch):
    def build_with(key: keys.SigningKey):
        environ = {keys.ENV_VAR: key.pem().decode()}
        options = pipeline.BuildOptions(content=project.content, out=project.root / "_site", environ=environ, now=NOW)
        return pipeline.build(options)

    build_with(fixed_key())
    counted = Counted(monkeypatch)
    build_with(fixed_key())
    assert counted.full == 0
    other = keys.from_seed(bytes(range(1, 33)), "other")
    assert build_with(other).public_key == other.public_multibase and counted.full == 1


def test_a_lost_lock_is_refused_not_skipped(project, monkeypatch):
    project.build("_site", now=NOW)
    (project.content / "credpress.lock").unlink()
    with pytest.raises(ContentError) as refused:
        project.build("_site", now=NOW)
    assert "the lock file is missing" in refused.value.problems[0].message


def test_a_build_that_drew_new_ids_is_followed_by_a_fast_one(project, monkeypatch):
    project.build("_site", now=NOW)
    project.apply(("add", 1))  # new ids go into the lock file
    project.build("_site", now=NOW)
    counted = Counted(monkeypatch)
    project.build("_site", now=NOW)
    assert counted.full == 0


def test_an_award_coming_into_the_present_ends_its_warning(project, monkeypatch):
    awards = project.content / "awards" / "later.yaml"
    awards.write_text(
        "- achievement: alpha\n  recipient: {name: Later, email: later@example.org}\n  awarded: 2026-12-01T12:00:00Z\n",
        "utf-8",
    )
    morning = project.build("_site", now=NOW)
    assert any("is in the future" in w.message for w in morning.warnings)
    counted = Counted(monkeypatch)
    assert project.build("_site", now=NOW + timedelta(hours=1)).warnings == morning.warnings
    assert counted.full == 0
    afternoon = project.build("_site", now=NOW + timedelta(hours=4))
    assert counted.full == 1 and not any("is in the future" in w.message for w in afternoon.warnings)


def test_no_cache_turns_the_fast_path_off(project, monkeypatch):
    project.build("_site", now=NOW)
    counted = Counted(monkeypatch)
    project.build("_site", now=NOW, cache=False)
    assert counted.full == 1
    project.build("_site", now=NOW)  # the output was replaced without the cache: built again
    assert counted.full == 2


def test_a_record_failing_its_tag_is_not_trusted(project, monkeypatch):
    project.build("_site", now=NOW)
    (record,) = cache_folder(project.root).glob("no-op-*.json")
    data = record.read_bytes()
    record.write_bytes(data.replace(b'"credentials": 6', b'"credentials": 7'))
    counted = Counted(monkeypatch)
    assert project.build("_site", now=NOW).credentials == 6
    assert counted.full == 1


# --- The incremental writer -----------------------------------------------------------------


def inodes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*") if p.is_file()}


def test_unchanged_files_are_hard_links_of_the_previous_output(project):
    project.build("_site", now=NOW)
    before = inodes(project.root / "_site")
    project.apply(("narrative", 0))
    project.build("_site", now=NOW)
    project.build("_clean", now=NOW, cache=False)
    site = project.root / "_site"
    assert tree(site) == tree(project.root / "_clean")
    after = inodes(site)
    kept = {rel for rel in after if before.get(rel) == after[rel]}
    changed = set(after) - kept
    # one credential, its page, the status list (unchanged bytes keep theirs), nothing else
    assert len(kept) > 0.9 * len(after) and 1 <= len(changed) <= 4, sorted(changed)
    assert MARKER in kept
    leftovers = sorted(p.name for p in project.root.iterdir() if p.name.startswith("._site"))
    assert leftovers == []


def test_a_failure_mid_build_leaves_the_previous_output_intact(project, monkeypatch):
    from credpress.site import generators

    project.build("_site", now=NOW)
    site = project.root / "_site"
    before, before_inodes = tree(site), inodes(site)
    project.apply(("narrative", 0))
    project.apply(("add", 3))
    real = generators.GENERATORS

    def failing(site_data):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(generators, "GENERATORS", real[:6] + (failing,) + real[6:])
    with pytest.raises(RuntimeError, match="disk on fire"):
        project.build("_site", now=NOW)
    assert tree(site) == before and inodes(site) == before_inodes
    assert sorted(p.name for p in project.root.iterdir() if p.name.startswith("._site")) == []
    monkeypatch.setattr(generators, "GENERATORS", real)
    project.build("_site", now=NOW)
    project.build("_clean", now=NOW, cache=False)
    assert tree(site) == tree(project.root / "_clean")


def test_previews_are_drawn_once_then_come_from_the_cache(project, monkeypatch):
    from credpress.site import preview_art

    project.build("_clean", now=NOW, cache=False)
    project.build("_site", now=NOW)

    def no_drawing(card):
        raise AssertionError(f"preview {card.heading} drawn again")

    monkeypatch.setattr(preview_art, "draw", no_drawing)
    project.apply(("narrative", 0))  # a full build, every preview from the cache
    project.build("_site", now=NOW)
    monkeypatch.undo()
    project.build("_clean", now=NOW, cache=False)
    assert tree(project.root / "_site") == tree(project.root / "_clean")


def test_unchanged_pages_and_qr_codes_are_linked_without_reading_the_cache(project, monkeypatch):
    from credpress.build_cache import BuildCache

    project.build("_site", now=NOW)
    project.apply(("narrative", 0))
    project.build("_site", now=NOW)
    read: list[str] = []
    real = BuildCache.get
    monkeypatch.setattr(BuildCache, "get", lambda self, kind, key: read.append(kind) or real(self, kind, key))
    project.apply(("narrative", 1))
    project.build("_site", now=NOW)
    assert read.count("qr") == 0 and read.count("pages") == 1  # the changed credential's page (not cached)
    project.build("_clean", now=NOW, cache=False)
    assert tree(project.root / "_site") == tree(project.root / "_clean")


def test_the_development_key_warning_is_given_on_the_fast_path_too(project, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv(keys.ENV_VAR, raising=False)
    counted = Counted(monkeypatch)
    runs = [CliRunner().invoke(main, ["build"]) for _ in range(3)]
    assert [r.exit_code for r in runs] == [0, 0, 0]
    assert counted.full == 2  # the first build makes the key (no fingerprint before it exists)
    for run in runs:
        assert "signing with the DEVELOPMENT key" in run.stderr
        assert "WARNING: signed with a development key: do not deploy this build." in run.stderr
    same = [[line for line in r.stdout.splitlines() if "as of" not in line] for r in runs[1:]]
    assert same[0] == same[1] and runs[1].stderr == runs[2].stderr
