"""The lock file's rules: a broken lock is refused by build and check, naming the lines, writing nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import make_build, seeded_random

from credpress.cli import main
from credpress.content.lock import Lock, parse_lock

HINT = "after a git merge, run `credpress lock repair --site DIR` (README: Working with branches)"


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under *folder*, path -> bytes (to show nothing was written)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def refused(args: list[str], content: Path, out: Path | None = None) -> list[str]:
    """Run a command that must be refused: exit 1, output folder and lock byte-identical; its message lines."""
    lock = content / "credpress.lock"
    before = (tree(out) if out and out.exists() else None, lock.read_bytes() if lock.exists() else None)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    after = (tree(out) if out and out.exists() else None, lock.read_bytes() if lock.exists() else None)
    assert after == before
    return result.output.splitlines()


@pytest.fixture
def built(small_content, key_file, tmp_path):
    """The small fixture built once (seeded ids): (content, out, key)."""
    make_build(small_content, tmp_path / "site", key_file, random_bytes=seeded_random())
    return small_content, tmp_path / "site", key_file


def _entries(content: Path) -> list[tuple[str, dict]]:
    return list(json.loads((content / "credpress.lock").read_text())["awards"].items())


def _edit(content: Path, change) -> None:
    data = json.loads((content / "credpress.lock").read_text())
    items = list(data["awards"].items())
    change(items)
    data["awards"] = dict(items)
    (content / "credpress.lock").write_text(json.dumps(data, indent=2) + "\n")


def _build_args(content: Path, out: Path, key: Path) -> list[str]:
    return ["build", "--content", str(content), "--out", str(out), "--key", str(key)]


def test_entries_keep_the_line_of_their_key(built):
    content, _, _ = built
    text = (content / "credpress.lock").read_text()
    lines = [entry.line for entry in parse_lock(text, "content/credpress.lock")]
    assert lines == [4, 9, 14, 19, 24]
    assert [text.splitlines()[n - 1].strip().split('"')[1] for n in lines] == [k for k, _ in _entries(content)]


def _duplicate_index(items):
    items[1][1]["status_index"] = items[0][1]["status_index"]


def _duplicate_id(items):
    items[3][1]["id"] = items[0][1]["id"]


def test_two_credentials_sharing_one_status_bit_are_refused(built):
    content, out, key = built
    _edit(content, _duplicate_index)
    (first, a), (_, b) = _entries(content)[:2]
    message = (
        f"content/credpress.lock:9: status index {a['status_index']} is used by the entries at line 4 and line 9 "
        f"(credentials {a['id']} and {b['id']}): revoking one would revoke the other; {HINT}"
    )
    assert refused(_build_args(content, out, key), content, out) == [message, "Aborted with 1 content error"]
    assert refused(["check", "--content", str(content)], content) == [message, "Aborted with 1 content error"]


def test_two_credentials_sharing_one_id_are_refused(built):
    content, out, key = built
    _edit(content, _duplicate_id)
    credential_id = _entries(content)[0][1]["id"]
    assert refused(_build_args(content, out, key), content, out) == [
        f"content/credpress.lock:19: credential id {credential_id} is used by the entries at line 4 and line 19: "
        f"two credentials would share one URL; {HINT}",
        "Aborted with 1 content error",
    ]


def test_one_award_with_two_entries_is_refused(built):
    """What keeping both sides of a git conflict gives when both branches added the same award."""
    content, out, key = built
    path = content / "credpress.lock"
    lines = path.read_text().splitlines(keepends=True)
    copy = lines[3:8]
    copy[1] = '      "id": "00000000-0000-4000-8000-000000000000",\n'
    copy[3] = '      "status_index": 1\n'
    path.write_text("".join(lines[:8] + copy + lines[8:]))
    key_name = _entries(content)[0][0]
    assert refused(_build_args(content, out, key), content, out) == [
        f"content/credpress.lock:9: award {key_name!r} has two entries, at line 4 and line 9; {HINT}",
        "Aborted with 1 content error",
    ]


RANGE = "is not a whole number from 0 to 8388607 (64 status lists of 131072 bits)"
MALFORMED = {
    "index-too-large": (lambda e: e.update(status_index=8_388_608), f"status index 8388608 {RANGE}"),
    "index-negative": (lambda e: e.update(status_index=-1), f"status index -1 {RANGE}"),
    "index-text": (lambda e: e.update(status_index="12"), f"status index '12' {RANGE}"),
    "index-bool": (lambda e: e.update(status_index=True), f"status index True {RANGE}"),
    "index-float": (lambda e: e.update(status_index=131072.0), f"status index 131072.0 {RANGE}"),
    "id-not-uuid": (
        lambda e: e.update(id="ada-1"),
        "credential id 'ada-1' is not a UUID (like 0470402b-3e37-47a3-a725-2e6a8ad485b7)",
    ),
    "id-upper-case": (lambda e: e.update(id=e["id"].upper()), None),
    "salt-short": (lambda e: e.update(salt="abc"), "salt 'abc' is not 16 lower-case hex digits"),
    "salt-number": (lambda e: e.update(salt=12), "salt 12 is not 16 lower-case hex digits"),
    "lacks-salt": (lambda e: e.pop("salt"), "lacks 'salt'"),
    "lacks-index": (lambda e: e.pop("status_index"), "lacks 'status_index'"),
    "unknown-field": (lambda e: e.update(note="x"), "has an unknown field 'note'"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_entries_are_refused_with_their_line(built, case):
    content, out, key = built
    change, expected = MALFORMED[case]
    _edit(content, lambda items: change(items[2][1]))
    name, entry = _entries(content)[2]
    if expected is None:
        expected = f"credential id {entry['id']!r} is not a UUID (like 0470402b-3e37-47a3-a725-2e6a8ad485b7)"
    separator = " " if expected.startswith(("lacks", "has")) else ": "
    line = f"content/credpress.lock:14: entry {name!r}{separator}{expected}"
    assert refused(_build_args(content, out, key), content, out) == [line, "Aborted with 1 content error"]


def test_an_entry_that_is_not_an_object_is_refused(built):
    content, out, key = built
    _edit(content, lambda items: items.__setitem__(4, (items[4][0], [1, 2])))
    name = _entries(content)[4][0]
    assert refused(_build_args(content, out, key), content, out) == [
        f"content/credpress.lock:24: entry {name!r} is not an object",
        "Aborted with 1 content error",
    ]


def test_lines_are_found_in_a_lock_not_written_by_credpress(built):
    """A hand-merged lock on one line: still refused, the entries named by key as well."""
    content, out, key = built
    _edit(content, _duplicate_index)
    data = json.loads((content / "credpress.lock").read_text())
    (content / "credpress.lock").write_text(json.dumps(data))
    (a_key, _), (b_key, _) = _entries(content)[:2]
    lines = refused(_build_args(content, out, key), content, out)
    assert lines[0].startswith("content/credpress.lock:1: status index ")
    assert f"used by the entries at entry {a_key!r} (line 1) and entry {b_key!r} (line 1) (credentials" in lines[0]


def test_line_scan_is_linear():
    """50,000 entries are parsed with their lines in seconds (a quadratic scan would take minutes)."""
    import time

    entries = {
        f"{i:032x}": {"id": f"00000000-0000-4000-8000-{i:012x}", "salt": "0" * 16, "status_index": i}
        for i in range(50_000)
    }
    text = json.dumps({"version": 1, "awards": entries}, indent=2)
    start = time.perf_counter()
    parsed = parse_lock(text, "content/credpress.lock")
    assert time.perf_counter() - start < 5
    assert parsed[-1].line == 4 + 5 * 49_999


def test_a_good_lock_reads(built):
    content, _, _ = built
    assert len(Lock.read(content).entries) == 5


# --- A credential the lock says was issued never disappears silently ------------------------


def _missing(content: Path, credential_id: str, line: int) -> str:
    return (
        f"content/credpress.lock:{line}: credential {credential_id} "
        f"(https://example.test/badges/credentials/{credential_id}.json) was issued but its award is no longer "
        "in the content: restore the award, revoke it (revoked: date/reason keeps it published), or erase it with "
        f"`credpress erase {credential_id} --reason …`"
    )


def _line_of(content: Path, credential_id: str) -> int:
    lock = Lock.read(content)
    return next(lock.lines[k] for k, e in lock.entries.items() if e["id"] == credential_id)


def _id_of(content: Path, name: str, achievement: str) -> str:
    from credpress.content.lock import award_key
    from credpress.pipeline import check_content

    model, _ = check_content(content)
    award = next(a for a in model.awards if a.recipient.name == name and a.achievement == achievement)
    return Lock.read(content).entries[award_key(award)]["id"]


GRACE = (
    "- achievement: beta\n  recipient:\n    name: Grace Hopper\n"
    "    email_hash: sha256$1d0c57387493a84e14406b063b74c13353243c600d40c7e30d3000bc172e46db\n"
    "    salt: pepper\n  awarded: 2026-05-01\n  expires: 2027-01-01\n"
)


def test_an_award_deleted_from_the_content_is_an_error(built):
    content, out, key = built
    grace = _id_of(content, "Grace Hopper", "beta")
    awards = content / "awards" / "cohort.yaml"
    awards.write_text(awards.read_text().replace(GRACE, ""))
    expected = [_missing(content, grace, _line_of(content, grace)), "Aborted with 1 content error"]
    assert refused(_build_args(content, out, key), content, out) == expected
    assert refused(["check", "--content", str(content)], content) == expected


def test_a_corrected_email_or_date_is_an_error_not_a_new_credential(built):
    content, out, key = built
    ada = _id_of(content, "Ada Lovelace", "alpha")
    awards = content / "awards" / "cohort.yaml"
    awards.write_text(awards.read_text().replace("awarded: 2026-03-01", "awarded: 2026-03-02", 1))
    assert refused(_build_args(content, out, key), content, out) == [
        _missing(content, ada, _line_of(content, ada)),
        "Aborted with 1 content error",
    ]


def test_an_emptied_award_file_names_every_credential(built):
    content, out, key = built
    ids = {e["id"]: _line_of(content, e["id"]) for e in Lock.read(content).entries.values()}
    (content / "awards" / "cohort.yaml").write_text("[]\n")
    lines = refused(_build_args(content, out, key), content, out)
    assert lines == [_missing(content, i, n) for i, n in sorted(ids.items(), key=lambda x: x[1])] + [
        "Aborted with 5 content errors"
    ]


def test_a_missing_lock_beside_published_credentials_is_an_error(built):
    content, out, key = built
    (content / "credpress.lock").unlink()
    assert refused(_build_args(content, out, key), content, out) == [
        f"content/credpress.lock: the lock file is missing but {out} holds 5 published credentials: a build would "
        "give every award a new id and their URLs would stop working. Restore content/credpress.lock from git, "
        f"or rebuild it from the published site with `credpress lock recover --site {out}`",
        "Aborted with 1 content error",
    ]
    assert not (content / "credpress.lock").exists()
