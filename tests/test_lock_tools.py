"""Working with branches and losses: credpress lock-merge, lock repair, lock recover."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import make_build, seeded_random
from test_lock_rules import refused, tree

from credpress.cli import main
from credpress.content.lock import Lock, award_key
from credpress.content.lock_merge import merge
from credpress.pipeline import check_content

NEW = "- achievement: alpha\n  recipient:\n    name: {name}\n    email: {email}\n  awarded: 2026-07-01\n"


@pytest.fixture
def built(small_content, key_file, tmp_path):
    make_build(small_content, tmp_path / "site", key_file, random_bytes=seeded_random())
    return small_content, tmp_path / "site", key_file


def _lock(content: Path) -> dict[str, dict]:
    return json.loads((content / "credpress.lock").read_text())["awards"]


def _branch(content: Path, tmp_path: Path, name: str, key: Path) -> Path:
    """A copy of *content* with one new award, built with the same random draws as every other branch."""
    copy = tmp_path / name / "content"
    shutil.copytree(content, copy)
    (copy / "awards" / f"{name}.yaml").write_text(NEW.format(name=name, email=f"{name}@example.org"))
    make_build(copy, tmp_path / name / "site", key, random_bytes=seeded_random(99))
    return copy


# --- lock-merge --------------------------------------------------------------------------------


def test_merge_redraws_the_merged_in_sides_collisions(built, tmp_path):
    content, _, key = built
    base = (content / "credpress.lock").read_text()
    ours, theirs = _branch(content, tmp_path, "ours", key), _branch(content, tmp_path, "theirs", key)
    (ours_key,) = set(_lock(ours)) - set(_lock(content))
    (theirs_key,) = set(_lock(theirs)) - set(_lock(content))
    assert _lock(ours)[ours_key] == _lock(theirs)[theirs_key]  # same draws: a collision on id and index
    result = merge(
        base, (ours / "credpress.lock").read_text(), (theirs / "credpress.lock").read_text(), seeded_random(5)
    )
    merged = json.loads(result.text)["awards"]
    assert {k: v for k, v in merged.items() if k != theirs_key} == _lock(ours)
    assert merged[theirs_key]["id"] != _lock(ours)[ours_key]["id"]
    assert merged[theirs_key]["status_index"] != _lock(ours)[ours_key]["status_index"]
    old = _lock(theirs)[theirs_key]
    assert result.redrawn == [
        f"award {theirs_key}: credential id {old['id']} was taken, re-drawn as {merged[theirs_key]['id']}",
        f"award {theirs_key}: status index {old['status_index']} was taken, re-drawn as "
        f"{merged[theirs_key]['status_index']}",
    ]
    assert result.problems == []


def test_merge_keeps_ours_for_an_award_added_on_both_sides(built):
    content, _, _ = built
    base = _lock(content)
    ours, theirs = dict(base), dict(base)
    ours["f" * 32] = {"id": "00000000-0000-4000-8000-000000000001", "salt": "1" * 16, "status_index": 1}
    theirs["f" * 32] = {"id": "00000000-0000-4000-8000-000000000002", "salt": "2" * 16, "status_index": 2}
    text = lambda entries: json.dumps({"version": 1, "awards": entries}, indent=2)  # noqa: E731
    merged = json.loads(merge(text(base), text(ours), text(theirs)).text)["awards"]
    assert merged == ours


def test_merge_keeps_an_erasure_made_on_either_side(built):
    content, _, _ = built
    base = _lock(content)
    key, entry = next(iter(base.items()))
    theirs = {k: v for k, v in base.items() if k != key}
    theirs[f"erased-{entry['id']}"] = {
        "id": entry["id"],
        "status_index": entry["status_index"],
        "erased": {"date": "2026-12-01", "reason": "Asked", "issuer": "acme"},
    }
    text = lambda entries: json.dumps({"version": 1, "awards": entries}, indent=2)  # noqa: E731
    for ours_side, theirs_side in ((base, theirs), (theirs, base)):
        result = merge(text(base), text(ours_side), text(theirs_side))
        assert json.loads(result.text)["awards"] == dict(sorted(theirs.items())) and not result.problems


def test_merge_driver_refuses_a_broken_side_and_leaves_ours(built, tmp_path):
    content, _, _ = built
    ours = tmp_path / "ours.lock"
    shutil.copy(content / "credpress.lock", ours)
    (tmp_path / "theirs.lock").write_text("<<<<<<< HEAD\n")
    before = ours.read_bytes()
    result = CliRunner().invoke(
        main, ["lock-merge", str(content / "credpress.lock"), str(ours), str(tmp_path / "theirs.lock")]
    )
    assert result.exit_code == 1
    assert result.output.splitlines()[0].startswith("theirs:1: lock file is not valid JSON")
    assert ours.read_bytes() == before


def _git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(sys.path),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    done = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.skipif(shutil.which("git") is None or shutil.which("credpress") is None, reason="needs git and credpress")
def test_git_merge_of_two_branches_that_each_add_awards(built, tmp_path, monkeypatch):
    content, _, key = built
    repo = tmp_path / "repo"
    shutil.copytree(content, repo / "content")
    _git(repo, "init", "-q", "-b", "main")
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(main, ["lock-merge", "--install"])
    assert result.exit_code == 0, result.output
    assert (repo / ".gitattributes").read_text() == "content/credpress.lock merge=credpress-lock\n"
    assert _git(repo, "config", "merge.credpress-lock.driver").strip() == "credpress lock-merge %O %A %B"
    assert CliRunner().invoke(main, ["lock-merge", "--install"]).exit_code == 0  # twice: no second line
    assert (repo / ".gitattributes").read_text() == "content/credpress.lock merge=credpress-lock\n"
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "base")
    for name in ("a", "b"):
        _git(repo, "checkout", "-qb", name, "main")
        (repo / "content" / "awards" / f"{name}.yaml").write_text(NEW.format(name=name, email=f"{name}@example.org"))
        make_build(repo / "content", tmp_path / f"site-{name}", key, random_bytes=seeded_random(99))
        _git(repo, "add", "-A")
        _git(repo, "commit", "-qm", name)
    _git(repo, "checkout", "-q", "a")
    _git(repo, "merge", "-q", "--no-edit", "b")
    lock = Lock.read(repo / "content")  # checked: no collision
    assert len(lock.entries) == 7
    make_build(repo / "content", tmp_path / "site-merged", key, frozen=True)


# --- lock repair -------------------------------------------------------------------------------


def _add_colliding(content: Path, with_entry: dict, same_id: bool) -> str:
    """Add an award whose lock entry collides with *with_entry* (as a bad merge leaves it); its key."""
    (content / "awards" / "new.yaml").write_text(NEW.format(name="New", email="new@example.org"))
    model, _ = check_content(content)
    key = next(award_key(a) for a in model.awards if a.recipient.name == "New")
    data = json.loads((content / "credpress.lock").read_text())
    data["awards"][key] = {
        "id": with_entry["id"] if same_id else "00000000-0000-4000-8000-00000000000a",
        "salt": "ab" * 8,
        "status_index": with_entry["status_index"],
    }
    data["awards"] = dict(sorted(data["awards"].items()))
    (content / "credpress.lock").write_text(json.dumps(data, indent=2) + "\n")
    return key


@pytest.mark.parametrize("same_id", [False, True])
def test_repair_redraws_only_what_is_not_published(built, same_id):
    content, site, key = built
    published = dict(_lock(content))
    first = next(iter(published.values()))
    new_key = _add_colliding(content, first, same_id)
    line = next(n for n, text in enumerate((content / "credpress.lock").read_text().splitlines(), 1) if new_key in text)
    result = CliRunner().invoke(main, ["lock", "repair", "--site", str(site), "--content", str(content)])
    assert result.exit_code == 0, result.output
    after = _lock(content)
    assert {k: v for k, v in after.items() if k != new_key} == published
    new = after[new_key]
    assert new["status_index"] != first["status_index"]
    expected = []
    if same_id:
        assert new["id"] != first["id"] and new["salt"] != "ab" * 8
        expected.append(
            f"content/credpress.lock:{line}: credential id {first['id']} re-drawn as {new['id']} (not published)"
        )
    expected.append(
        f"content/credpress.lock:{line}: status index {first['status_index']} of credential {new['id']} "
        f"re-drawn as {new['status_index']} (not published)"
    )
    assert result.output.splitlines() == [*expected, "Repaired. Now build, commit and publish."]
    make_build(content, site, key)
    assert Lock.read(content)


def test_repair_needs_the_site(built):
    content, site, _ = built
    _add_colliding(content, next(iter(_lock(content).values())), False)
    assert refused(["lock", "repair", "--content", str(content)], content, site) == [
        "error: lock repair needs --site DIR: the built or deployed output, to tell which credentials are "
        "published (they keep their values; only unpublished ones are re-drawn). Nothing was changed"
    ]
    assert refused(["lock", "repair", "--site", str(content), "--content", str(content)], content, site) == [
        f"error: {content} is not a credpress site (it has no credentials/ folder); nothing was changed"
    ]


def test_repair_refuses_when_both_are_published(built):
    content, site, _ = built
    data = json.loads((content / "credpress.lock").read_text())
    (a, b, *_) = data["awards"].values()
    b["status_index"] = a["status_index"]
    (content / "credpress.lock").write_text(json.dumps(data, indent=2) + "\n")
    lines = refused(["lock", "repair", "--site", str(site), "--content", str(content)], content, site)
    assert lines == [
        "error: cannot repair without changing a published credential:",
        f"status index {a['status_index']} is used by the entries at line 4 and line 9 (credentials {a['id']} and "
        f"{b['id']}): revoking one would revoke the other, and every one of them is published; this needs a "
        "person: reissue one of the awards as a new award and revoke the copy already published",
    ]


def test_repair_with_nothing_to_repair(built):
    content, site, _ = built
    result = CliRunner().invoke(main, ["lock", "repair", "--content", str(content)])
    assert result.exit_code == 0 and result.output == "content/credpress.lock has no collisions: nothing to repair.\n"


# --- lock recover ------------------------------------------------------------------------------


def test_recover_rebuilds_the_lost_lock_exactly(built):
    content, site, key = built
    before, published = _lock(content), tree(site)
    (content / "credpress.lock").unlink()
    result = CliRunner().invoke(main, ["lock", "recover", "--site", str(site), "--content", str(content)])
    assert result.exit_code == 0, result.output
    assert result.output == "Recovered 5 of 5 published credentials into content/credpress.lock.\n"
    after = _lock(content)
    assert set(after) == set(before)
    for award, entry in before.items():
        assert after[award]["id"] == entry["id"] and after[award]["status_index"] == entry["status_index"]
    model, _ = check_content(content)
    for award in model.awards:
        if award.recipient.email:  # the salt is published with the hash: recovered as it was
            assert after[award_key(award)]["salt"] == before[award_key(award)]["salt"]
    make_build(content, site, key, frozen=True)
    assert tree(site) == published


def test_recover_keeps_erased_bits_retired(built):
    content, site, key = built
    grace = next(
        e["id"] for k, e in _lock(content).items() if "salt" in e and e["status_index"] == _grace_index(content)
    )
    assert (
        CliRunner()
        .invoke(main, ["erase", grace, "--reason", "Asked", "--date", "2026-12-01", "--content", str(content)])
        .exit_code
        == 0
    )
    make_build(content, site, key)
    published = tree(site)
    (content / "credpress.lock").unlink()
    result = CliRunner().invoke(main, ["lock", "recover", "--site", str(site), "--content", str(content)])
    assert result.output.splitlines() == [
        "Recovered 4 of 4 published credentials into content/credpress.lock.",
        "Kept 1 status bits retired (erased credentials).",
    ]
    make_build(content, site, key, frozen=True)
    assert tree(site) == published


def _grace_index(content: Path) -> int:
    model, _ = check_content(content)
    award = next(a for a in model.awards if a.recipient.name == "Grace Hopper")
    return _lock(content)[award_key(award)]["status_index"]


def test_recover_reports_unmatched_credentials_and_the_build_keeps_them(built):
    content, site, key = built
    ada = next(
        e["id"]
        for k, e in _lock(content).items()
        if k == award_key(next(a for a in check_content(content)[0].awards if a.recipient.name == "Ada Lovelace"))
    )
    (content / "credpress.lock").unlink()
    awards = content / "awards" / "cohort.yaml"
    awards.write_text(awards.read_text().replace("awarded: 2026-03-01", "awarded: 2026-03-02", 1))
    result = CliRunner().invoke(main, ["lock", "recover", "--site", str(site), "--content", str(content)])
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "Recovered 4 of 5 published credentials into content/credpress.lock.",
        "warning: 1 published credentials match no award:",
        f"  credentials/{ada}.json: no award in the content matches it",
        "They are in the lock as unmatched-<id>, so the build refuses until each is dealt with: erase it "
        "(`credpress erase ID --reason …`), or correct its award, delete the lock and recover again.",
    ]
    assert _lock(content)[f"unmatched-{ada}"]["id"] == ada
    lines = refused(["build", "--content", str(content), "--out", str(site), "--key", str(key)], content, site)
    assert lines[0].endswith(
        f"credential {ada} (https://example.test/badges/credentials/{ada}.json) was issued "
        "but its award is no longer in the content: restore the award, revoke it (revoked: "
        f"date/reason keeps it published), or erase it with `credpress erase {ada} --reason …`"
    )


def test_recover_refuses_an_existing_lock_and_needs_a_site(built):
    content, site, _ = built
    assert refused(["lock", "recover", "--site", str(site), "--content", str(content)], content, site) == [
        "error: content/credpress.lock exists: recover only rebuilds a lost lock file (restore it from git if you "
        "can); nothing was changed"
    ]
    (content / "credpress.lock").unlink()
    assert refused(["lock", "recover", "--content", str(content)], content, site)[0].startswith(
        "error: lock recover needs --site DIR"
    )
    assert not (content / "credpress.lock").exists()


def test_lock_commands_hold_the_build_lock(built):
    from credpress.output.buildlock import BuildLock

    content, site, _ = built
    with BuildLock(content.parent):
        for command in (["lock", "repair", "--site", str(site)], ["lock", "recover", "--site", str(site)]):
            assert refused([*command, "--content", str(content)], content, site)[0].startswith(
                "error: another credpress command is changing this repository (credpress build"
            )
