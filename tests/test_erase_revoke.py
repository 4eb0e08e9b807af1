"""credpress erase, and revoke's edge cases: own-line items, bad reasons, two commands at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import make_build, seeded_random
from test_lock_rules import GRACE, refused, tree

from credpress.cli import main
from credpress.content.lock import Lock, award_key
from credpress.output.buildlock import BuildLock
from credpress.pipeline import check_content
from credpress.vc import bitstring

LIST = "issuers/acme/status/revocation-1.json"


@pytest.fixture
def built(small_content, key_file, tmp_path):
    make_build(small_content, tmp_path / "site", key_file, random_bytes=seeded_random())
    return small_content, tmp_path / "site", key_file


def _id(content: Path, name: str, achievement: str) -> str:
    model, _ = check_content(content)
    award = next(a for a in model.awards if a.recipient.name == name and a.achievement == achievement)
    return Lock.read(content).entries[award_key(award)]["id"]


def _set_bits(site: Path) -> set[int]:
    bits = bitstring.decode_list(json.loads((site / LIST).read_text())["credentialSubject"]["encodedList"])
    return {i for i in range(len(bits) * 8) if bitstring.bit_is_set(bits, i)}


def _cli(*args: str):
    return CliRunner().invoke(main, list(args))


# --- erase -------------------------------------------------------------------------------------


def test_erase_removes_the_award_and_retires_its_id_and_bit(built, tmp_path):
    content, site, key = built
    grace = _id(content, "Grace Hopper", "beta")
    entry = dict(next(e for e in Lock.read(content).entries.values() if e["id"] == grace))
    old_key = next(k for k, e in Lock.read(content).entries.items() if e["id"] == grace)
    before = tree(site)
    result = _cli(
        "erase", grace, "--reason", "Learner asked to be erased", "--date", "2026-12-01", "--content", str(content)
    )
    assert result.exit_code == 0, result.output
    assert result.output == (
        "Removed the award at content/awards/cohort.yaml:26.\n"
        f"Marked credential {grace} erased in content/credpress.lock. Now build, commit and publish.\n"
    )
    assert "Grace Hopper" not in (content / "awards" / "cohort.yaml").read_text()
    lock_text = (content / "credpress.lock").read_text()
    assert old_key not in lock_text and entry["salt"] not in lock_text
    assert Lock.read(content).entries[f"erased-{grace}"] == {
        "id": grace,
        "status_index": entry["status_index"],
        "erased": {"date": "2026-12-01", "reason": "Learner asked to be erased", "issuer": "acme"},
    }
    make_build(content, site, key)
    after = tree(site)
    assert not any(grace in path for path in after)
    assert not any(b"Grace Hopper" in data or b"1d0c57387493a84e" in data for data in after.values())
    assert _set_bits(site) == {entry["status_index"]}
    others = [p for p in before if p.startswith("credentials/") and grace not in p and p.endswith(".json")]
    assert len(others) == 4 and all(after[p] == before[p] for p in others)
    status = json.loads(after[LIST])
    assert status["validFrom"] == "2026-12-01T00:00:00Z"
    # The same award given again is a new credential: new id, new bit.
    awards = content / "awards" / "cohort.yaml"
    awards.write_text(awards.read_text() + GRACE)
    make_build(content, site, key, random_bytes=seeded_random())  # the very same random draws as the first build
    again = _id(content, "Grace Hopper", "beta")
    entries = Lock.read(content).entries
    assert again != grace and entries[f"erased-{grace}"]["id"] == grace
    assert len({e["status_index"] for e in entries.values()}) == len(entries) == 6


def test_erase_after_the_award_was_deleted(built):
    """The way out of 'issued but its award is no longer in the content'."""
    content, site, key = built
    grace = _id(content, "Grace Hopper", "beta")
    awards = content / "awards" / "cohort.yaml"
    awards.write_text(awards.read_text().replace(GRACE, ""))
    result = _cli("erase", grace, "--reason", "Learner left", "--content", str(content))
    assert result.exit_code == 0, result.output
    assert (
        result.output == f"Marked credential {grace} erased in content/credpress.lock. Now build, commit and publish.\n"
    )
    make_build(content, site, key)
    assert not (site / "credentials" / f"{grace}.json").exists()


def test_erase_the_last_award_of_a_file(built):
    content, site, key = built
    awards = content / "awards" / "cohort.yaml"
    awards.write_text(awards.read_text().replace(GRACE, ""))
    (content / "awards" / "grace.yaml").write_text("# Grace's award\n" + GRACE)
    grace = _id(content, "Grace Hopper", "beta")
    assert _cli("erase", grace, "--reason", "Asked", "--content", str(content)).exit_code == 0
    assert (content / "awards" / "grace.yaml").read_text() == "# Grace's award\n[]\n"
    make_build(content, site, key)


def test_erase_refusals(built):
    content, site, key = built
    grace = _id(content, "Grace Hopper", "beta")
    unknown = "00000000-0000-4000-8000-000000000000"
    args = ["--content", str(content)]
    assert refused(["erase", unknown, "--reason", "x", *args], content, site) == [
        f"error: no credential {unknown} in content/credpress.lock"
    ]
    assert refused(["erase", grace, "--reason", "x" * 501, *args], content, site) == [
        "error: --reason is longer than 500 characters"
    ]
    assert _cli("erase", grace, "--reason", "Asked", "--date", "2026-12-01", *args).exit_code == 0
    line = Lock.read(content).lines[f"erased-{grace}"]
    assert refused(["erase", grace, "--reason", "x", *args], content, site) == [
        f"error: content/credpress.lock:{line}: credential {grace} was already erased on 2026-12-01"
    ]


# --- revoke ------------------------------------------------------------------------------------


def test_revoke_an_award_whose_dash_is_on_its_own_line(built):
    content, _, _ = built
    awards = content / "awards" / "cohort.yaml"
    own_line = GRACE.replace("- achievement: beta\n", "-\n  achievement: beta\n")
    awards.write_text(awards.read_text().replace(GRACE, own_line))
    grace = _id(content, "Grace Hopper", "beta")
    result = _cli("revoke", grace, "--reason", "Withdrawn", "--date", "2026-06-01", "--content", str(content))
    assert result.exit_code == 0, result.output
    assert awards.read_text().endswith(own_line + '  revoked:\n    date: 2026-06-01\n    reason: "Withdrawn"\n')
    model, _ = check_content(content)
    assert next(a for a in model.awards if a.recipient.name == "Grace Hopper").revoked.reason == "Withdrawn"


def test_erase_an_award_whose_dash_is_on_its_own_line(built):
    content, _, _ = built
    awards = content / "awards" / "cohort.yaml"
    text = awards.read_text()
    awards.write_text(text.replace(GRACE, GRACE.replace("- achievement: beta\n", "-\n  achievement: beta\n")))
    grace = _id(content, "Grace Hopper", "beta")
    assert _cli("erase", grace, "--reason", "Asked", "--content", str(content)).exit_code == 0
    assert awards.read_text() == text.replace(GRACE, "")


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("x" * 501, "error: --reason is longer than 500 characters"),
        ("late\x07", "error: --reason contains control characters"),
        ("two\nlines", "error: --reason contains control characters"),
        ("  ", "error: --reason must not be empty"),
        ("a\u200bb", "error: --reason contains an invisible character (U+200B ZERO WIDTH SPACE)"),
    ],
)
def test_revoke_reason_is_checked_like_content(built, reason, message):
    content, site, _ = built
    yaml = (content / "awards" / "cohort.yaml").read_bytes()
    ada = _id(content, "Ada Lovelace", "alpha")
    assert refused(["revoke", ada, "--reason", reason, "--content", str(content)], content, site) == [message]
    assert (content / "awards" / "cohort.yaml").read_bytes() == yaml


def test_revoke_a_reason_of_500_characters_works(built):
    content, _, _ = built
    ada = _id(content, "Ada Lovelace", "alpha")
    assert _cli("revoke", ada, "--reason", "é" * 500, "--content", str(content)).exit_code == 0


def test_revoke_on_a_read_only_content_folder_says_what_could_not_be_written(built, monkeypatch):
    import errno

    from credpress.output import writer

    content, site, _ = built
    yaml = (content / "awards" / "cohort.yaml").read_bytes()

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(writer.tempfile, "mkstemp", read_only)
    ada = _id(content, "Ada Lovelace", "alpha")
    assert refused(["revoke", ada, "--reason", "x", "--content", str(content)], content, site) == [
        f"error: could not write {content / 'awards' / 'cohort.yaml'}: Read-only file system; it was not changed"
    ]
    assert (content / "awards" / "cohort.yaml").read_bytes() == yaml


# --- one command at a time ----------------------------------------------------------------------


def test_revoke_and_erase_are_refused_while_a_build_runs(built, tmp_path):
    content, site, _ = built
    ada = _id(content, "Ada Lovelace", "alpha")
    yaml = (content / "awards" / "cohort.yaml").read_bytes()
    with BuildLock(content.parent):
        for command in (["revoke", ada, "--reason", "x"], ["erase", ada, "--reason", "x"]):
            assert refused([*command, "--content", str(content)], content, site) == [
                "error: another credpress command is changing this repository "
                f"(credpress build, pid {os.getpid()}); wait for it to finish and try again"
            ]
    assert (content / "awards" / "cohort.yaml").read_bytes() == yaml


def test_key_rotation_is_refused_while_a_build_runs(built, tmp_path):
    """keygen --rotate edits every issuer's YAML: like revoke, never while a build reads it."""
    content, _, key_file = built
    issuers = {p: p.read_bytes() for p in (content / "issuers").glob("*.yaml")}
    new_key = tmp_path / "keys" / "rotated.pem"
    with BuildLock(content.parent):
        result = CliRunner().invoke(
            main, ["keygen", "--rotate", "--out", str(new_key), "--content", str(content), "--key", str(key_file)]
        )
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: another credpress command is changing this repository "
        f"(credpress build, pid {os.getpid()}); wait for it to finish and try again"
    )
    assert {p: p.read_bytes() for p in issuers} == issuers
    assert not new_key.exists()  # the new key file is removed again when rotation fails


def test_two_revokes_at_once_never_lose_one(built):
    """Every revocation reported as done is in the YAML, whichever process ran first."""
    content, _, _ = built
    model, _ = check_content(content)
    ids = [Lock.read(content).entries[award_key(a)]["id"] for a in model.awards]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    for first, second in ((ids[0], ids[1]), (ids[2], ids[3])):
        processes = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "credpress",
                    "revoke",
                    target,
                    "--reason",
                    f"race {target}",
                    "--content",
                    str(content),
                ],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for target in (first, second)
        ]
        results = [(p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for p in processes]  # type: ignore[union-attr]
        text = (content / "awards" / "cohort.yaml").read_text()
        for target, (code, out, err) in zip((first, second), results):
            if code == 0:
                assert out.startswith("Revoked at ") and f"race {target}" in text
            else:
                assert code == 1 and "error: another credpress command is changing this repository (" in err
                assert f"race {target}" not in text
        assert any(code == 0 for code, _, _ in results)
