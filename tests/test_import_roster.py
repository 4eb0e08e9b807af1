"""credpress import: spreadsheet dialects, bad rows by row number, duplicates, no plain email."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import make_build

from credpress.cli import main
from credpress.content.check import build_model
from credpress.content.load import load_content
from credpress.content.roster import read_roster
from credpress.vc.recipient import learner_key

HEADER = ["name", "email", "narrative", "evidence_url"]
ROWS = [
    ["Grace Hopper", "Grace.Hopper@Example.org", 'Wrote "the first compiler", then more', ""],
    ["Alan Turing", "alan@example.org", "Line one\nline two", "https://evidence.example/alan"],
]


def write_roster(path: Path, sep: str, newline: str, bom: bool) -> Path:
    def cell(value: str) -> str:
        if any(c in value for c in (sep, '"', "\n")):
            return '"' + value.replace('"', '""').replace("\n", newline) + '"'
        return value

    lines = [sep.join(cell(v) for v in row) for row in [HEADER, *ROWS]]
    data = newline.join(lines) + newline
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data.encode("utf-8"))
    return path


def run(*args: str) -> object:
    return CliRunner().invoke(main, list(args))


def content_text(content: Path) -> str:
    return "\n".join(p.read_text("utf-8") for p in sorted(content.rglob("*")) if p.suffix in (".yaml", ".lock"))


@pytest.mark.parametrize(
    ("sep", "newline", "bom"), [(",", "\n", False), (";", "\r\n", True), ("\t", "\r\n", False), (",", "\r\n", True)]
)
def test_spreadsheet_dialects_round_trip(small_content, tmp_path, sep, newline, bom):
    roster = write_roster(tmp_path / "june.csv", sep, newline, bom)
    rows, problems, warnings = read_roster(roster, default_awarded=True)
    assert problems == warnings == []
    assert [(r.row, r.name, r.email, r.narrative, r.evidence_url) for r in rows] == [
        (2, "Grace Hopper", "grace.hopper@example.org", 'Wrote "the first compiler", then more', None),
        (3, "Alan Turing", "alan@example.org", "Line one\nline two", "https://evidence.example/alan"),
    ]
    result = run(
        "import", str(roster), "--achievement", "alpha", "--awarded", "2026-06-30", "--content", str(small_content)
    )
    assert result.exit_code == 0, result.output
    model, problems, _ = build_model(load_content(small_content))
    assert problems == [] and model is not None
    imported = [a for a in model.awards if a.source == "content/awards/june.yaml"]
    assert [(a.recipient.name, a.narrative, a.awarded.date().isoformat()) for a in imported] == [
        ("Grace Hopper", 'Wrote "the first compiler", then more', "2026-06-30"),
        ("Alan Turing", "Line one\nline two", "2026-06-30"),
    ]
    assert imported[1].evidence[0].url == "https://evidence.example/alan"


def test_no_plain_email_in_content_and_salts_differ(small_content, tmp_path):
    roster = tmp_path / "june.csv"
    roster.write_text("Name,Email\nHedy Lamarr,grace@example.org\n", "utf-8")
    for slug in ("alpha", "beta"):
        result = run(
            "import", str(roster), "--achievement", slug, "--awarded", "2026-06-30", "--content", str(small_content)
        )
        assert result.exit_code == 0, result.output
    assert "grace@example.org" not in content_text(small_content)
    model, _, _ = build_model(load_content(small_content))
    grace = [a.recipient for a in model.awards if a.recipient.name == "Hedy Lamarr"]
    assert len(grace) == 2
    assert grace[0].salt != grace[1].salt and grace[0].email_hash != grace[1].email_hash
    assert grace[0].identity == grace[1].identity == "learner:" + learner_key("grace@example.org", model.site.base_url)


def test_keep_emails_writes_plain_addresses_with_a_warning(small_content, tmp_path):
    roster = tmp_path / "june.csv"
    roster.write_text("name,email\nHedy Lamarr,grace@example.org\n", "utf-8")
    result = CliRunner().invoke(
        main,
        [
            "import",
            str(roster),
            "--achievement",
            "alpha",
            "--awarded",
            "2026-06-30",
            "--content",
            str(small_content),
            "--keep-emails",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "--keep-emails" in result.stderr
    assert "email: grace@example.org" in (small_content / "awards" / "june.yaml").read_text("utf-8")


def test_bad_rows_are_reported_by_row_number_and_nothing_is_written(small_content, tmp_path):
    roster = tmp_path / "june.csv"
    roster.write_text(
        'name,email,awarded\nGrace,grace@example.org,2026-06-30\n"Two\nlines",x@example.org,\nBob,not-an-email,\n'
        ",bob@example.org,2026-02-30\nEve,eve@example.org,2026-06-01\nEve Again,EVE@example.org,2026-06-01\n",
        "utf-8",
    )
    before = content_text(small_content)
    result = CliRunner().invoke(
        main, ["import", str(roster), "--achievement", "alpha", "--content", str(small_content)]
    )
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines == [
        f"{roster}:3: awarded: missing: add an awarded column or give --awarded",
        f"{roster}:3: name: contains control characters",
        f"{roster}:4: awarded: missing: add an awarded column or give --awarded",
        f"{roster}:4: email: not an email address",
        f"{roster}:5: awarded: '2026-02-30' is not a valid date or date-time (YYYY-MM-DD)",
        f"{roster}:5: name: missing",
        f"{roster}:7: email: same learner as row 6",
        "Aborted with 7 content errors",
    ]
    assert "Traceback" not in result.output
    assert content_text(small_content) == before


def test_duplicates_of_existing_awards_are_skipped_with_a_notice(small_content, tmp_path):
    roster = tmp_path / "june.csv"
    roster.write_text("name,email\nAda Lovelace,ADA@example.org\nGrace,grace@example.org\n", "utf-8")
    args = ["import", str(roster), "--achievement", "alpha", "--awarded", "2026-06-30", "--content", str(small_content)]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert f"skipped: {roster}:2: Ada Lovelace already has alpha (content/awards/cohort.yaml:1)" in first.stderr
    assert "Added 1 award of alpha to content/awards/june.yaml" in first.stdout
    written = (small_content / "awards" / "june.yaml").read_text("utf-8")
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0
    assert "Nothing to import" in again.stdout
    assert f"{roster}:3: Grace already has alpha (content/awards/june.yaml:2)" in again.stderr
    assert (small_content / "awards" / "june.yaml").read_text("utf-8") == written


def test_comments_in_an_existing_awards_file_survive(small_content, tmp_path):
    target = small_content / "awards" / "cohort.yaml"
    original = target.read_text("utf-8")
    commented = "# Spring cohort: keep this comment\n" + original.replace(
        "  awarded: 2026-03-01\n", "  awarded: 2026-03-01  # assessed on Monday\n", 1
    )
    target.write_text(commented, "utf-8")
    roster = tmp_path / "more.csv"
    roster.write_text("name;email\nGrace;grace@example.org\n", "utf-8")
    result = run(
        "import", str(roster), "--achievement", "beta", "--awarded", "2026-06-30",
        "--content", str(small_content), "--out", "awards/cohort.yaml",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    updated = target.read_text("utf-8")
    assert updated.startswith(commented)
    assert (
        "\n# Imported from more.csv with `credpress import`\n- achievement: beta\n  recipient:\n    name: Grace\n"
        in updated
    )


def test_recipient_option_matches_an_imported_learner(small_content, tmp_path, key_file):
    roster = tmp_path / "june.csv"
    roster.write_text("name,email\nHedy Lamarr,grace@example.org\n", "utf-8")
    result = run(
        "import", str(roster), "--achievement", "alpha", "--awarded", "2026-06-30", "--content", str(small_content)
    )
    assert result.exit_code == 0, result.output
    out = tmp_path / "site"
    make_build(small_content, out, key_file)
    lock = json.loads((small_content / "credpress.lock").read_text("utf-8"))
    assert len(lock["awards"]) == 6
    graces = [p for p in (out / "credentials").glob("*.json") if "Hedy Lamarr" in p.read_text("utf-8")]
    assert len(graces) == 1
    published = graces[0].read_text("utf-8")
    assert "hmac-sha256" not in published and "grace@example.org" not in published
    base = "https://example.test/badges/"
    args = ["verify", str(graces[0]), "--map", f"{base}={out}", "--offline"]
    assert run(*args, "--recipient", " Grace@Example.org ").exit_code == 0
    assert run(*args, "--recipient", "someone@example.org").exit_code == 1


def test_unknown_achievement_and_missing_file(small_content, tmp_path):
    roster = tmp_path / "june.csv"
    roster.write_text("name,email\nGrace,grace@example.org\n", "utf-8")
    result = run(
        "import", str(roster), "--achievement", "alpah", "--awarded", "2026-06-30", "--content", str(small_content)
    )
    assert result.exit_code == 1
    assert "--achievement: unknown achievement 'alpah' (did you mean 'alpha'?)" in result.output
    missing = run("import", str(tmp_path / "nope.csv"), "--achievement", "alpha", "--content", str(small_content))
    assert missing.exit_code == 1 and "nope.csv: cannot read it" in missing.output
