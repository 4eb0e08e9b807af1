"""What ``credpress verify`` tells people: sentences, summary, exit statuses, badge
pages, the ``--map`` hint for a local build, and baked PNG and SVG badges.

Offline like tests/test_verify.py: the example site is served through ``--map``.
"""

from __future__ import annotations

import json
import shutil
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import EXAMPLE, fixed_key
from test_verify import revoked_ids

from credpress.cli import main
from credpress.vc import cryptosuites as sign
from credpress.vc import keys
from credpress.verify.baked import MAX_BADGE_BYTES, BakedError, unbake
from credpress.verify.fetch import FetchError, Resolver
from credpress.verify.page import MAX_PAGE_BYTES, PageError, credential_link
from credpress.verify.words import shown

BASE = "https://badges.northwind-academy.example/"
DOMAIN = "badges.northwind-academy.example"
DID = "did:web:badges.northwind-academy.example:issuers:northwind-data-academy"
VM = DID + "#key-1"
NOW = "2027-01-15T00:00:00+00:00"  # after every example award, before any expiry
REVOKED_LEARNER = "Dmitri Volkov"  # revoked by hand in the example content
REVOKED = revoked_ids(EXAMPLE)  # his, and a stack component with the stack revoked by cascade
PAGE = "https://badges.example.org/credentials/abc/"


def run(*args: str):
    return CliRunner().invoke(main, ["verify", *args])


def mapped(site: Path) -> list[str]:
    return ["--map", f"{BASE}={site}", "--offline", "--now", NOW]


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text("utf-8"))


def learner(document: dict[str, Any]) -> str:
    return next(i["identityHash"] for i in document["credentialSubject"]["identifier"] if i["identityType"] == "name")


def credentials(site: Path) -> list[Path]:
    return sorted((site / "credentials").glob("*.json"))


def good(site: Path) -> Path:
    """A credential with a hashed email, a name and no expiry date, not revoked."""
    return next(
        p
        for p in credentials(site)
        if "validUntil" not in load(p)
        and p.stem not in REVOKED
        and len(load(p)["credentialSubject"]["identifier"]) == 2
    )


def revoked(site: Path) -> Path:
    return next(p for p in credentials(site) if learner(load(p)) == REVOKED_LEARNER)


def expiring(site: Path) -> Path:
    return next(p for p in credentials(site) if "validUntil" in load(p) and p.stem not in REVOKED)


def resign(document: dict[str, Any], key: keys.SigningKey | None = None, method: str = VM) -> dict[str, Any]:
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    return sign.sign_document(unsigned, key or fixed_key(), method, document["validFrom"], sign.CREDENTIAL_SUITES)


def write_json(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False), "utf-8")
    return path


# --- what a credential's report says ---------------------------------------------------


def test_report_names_learner_achievement_issuer_and_domain(example_site: Path):
    path = good(example_site)
    document = load(path)
    result = run(str(path), *mapped(example_site))
    assert result.exit_code == 0, result.output
    status = document["credentialStatus"]
    assert result.stdout.splitlines() == [
        f"{path}: VERIFIED",
        f"  Genuine: {learner(document)} was awarded “{document['credentialSubject']['achievement']['name']}” "
        f"by Northwind Data Academy ({DOMAIN}).",
        f"  credential: {document['id']}",
        "  ✓ datamodel: valid OpenBadgeCredential (OB 3.0 JSON Schemas and data model rules)",
        f"  ✓ proof: eddsa-rdfc-2022 and eddsa-jcs-2022 signatures valid ({VM})",
        f"  ✓ issuer-key: {VM} is an assertionMethod key of the issuer {DID}",
        f"  ✓ status: not revocation-flagged (bit {status['statusListIndex']} of {status['statusListCredential']} "
        "is clear)",
        f"  ✓ validity: valid from {document['validFrom']}, no expiry date",
        "1 credential: 1 genuine, 0 revoked, 0 expired, 0 failed",
    ]


def test_json_carries_the_same_fields(example_site: Path):
    path = good(example_site)
    document = load(path)
    report = json.loads(run(str(path), "--json", *mapped(example_site)).stdout)
    assert report["exit_status"] == 0 and report["verified"] is True
    assert report["summary"] == {"total": 1, "verified": 1, "failed": 0, "not-recipient": 0, "revoked": 0, "expired": 0}
    (entry,) = report["credentials"]
    assert {k: entry[k] for k in ("learner", "learner_identity", "achievement", "issuer_name", "issuer_domain")} == {
        "learner": learner(document),
        "learner_identity": None,
        "achievement": document["credentialSubject"]["achievement"]["name"],
        "issuer_name": "Northwind Data Academy",
        "issuer_domain": DOMAIN,
    }
    assert entry["status"] == "verified" and [c["id"] for c in entry["checks"]][:2] == ["datamodel", "proof"]


def test_learner_known_only_by_a_hashed_email(example_site: Path, tmp_path: Path):
    document = load(good(example_site))
    subject = document["credentialSubject"]
    subject = {**subject, "identifier": [i for i in subject["identifier"] if i["identityType"] == "emailAddress"]}
    path = write_json(tmp_path / "hashed.json", resign({**document, "credentialSubject": subject}))
    result = run(str(path), *mapped(example_site), "--json")
    (entry,) = json.loads(result.stdout)["credentials"]
    assert entry["status"] == "verified" and entry["learner"] is None and entry["learner_identity"] == "a hashed email"
    text = run(str(path), *mapped(example_site)).stdout.splitlines()
    assert text[1].startswith("  Genuine: a learner identified by a hashed email was awarded “")


def test_an_impostor_did_key_is_never_called_the_issuer(example_site: Path, tmp_path: Path):
    document = load(good(example_site))
    stranger = keys.generate()
    did = "did:key:" + stranger.public_multibase
    unsigned = {k: v for k, v in document.items() if k != "credentialStatus"}
    unsigned["issuer"] = {**document["issuer"], "id": did}
    path = write_json(tmp_path / "impostor.json", resign(unsigned, stranger, f"{did}#{stranger.public_multibase}"))
    result = run(str(path), *mapped(example_site))
    assert result.exit_code == 0  # a genuine signature; the sentence says whose
    assert result.stdout.splitlines()[1] == (
        "  Genuine signature, but by an unknown key (did:key), which anyone can make and which names no "
        f"organisation: it says {learner(document)} was awarded “{document['credentialSubject']['achievement']['name']}”"
        " by “Northwind Data Academy”. Do not rely on the name."
    )
    assert DOMAIN not in result.stdout.splitlines()[1]


def test_names_cannot_write_lines_into_the_report(example_site: Path, tmp_path: Path):
    document = load(good(example_site))
    subject = document["credentialSubject"]
    hostile = "Eve\n  ✓ proof: fine\u202e" + "x" * 500
    identifiers = [{**i, "identityHash": hostile} if i["identityType"] == "name" else i for i in subject["identifier"]]
    forged = write_json(
        tmp_path / "forged.json", {**document, "credentialSubject": {**subject, "identifier": identifiers}}
    )
    result = run(str(forged), *mapped(example_site))
    assert result.exit_code == 1
    line = result.stdout.splitlines()[1]
    assert line.startswith("  Not verified (proof failed): it claims Eve\\u000a  ✓ proof: fine\\u202exxx")
    assert "x" * 200 not in line and "…" in line
    assert shown("a\u200bb\u2028c") == "a\\u200bb\\u2028c"


# --- the summary and exit statuses -----------------------------------------------------


def test_summary_only(example_site: Path):
    result = run(str(example_site), "--summary", *mapped(example_site))
    count, revoked = len(credentials(example_site)) + 1, len(REVOKED)  # + the example's learner record
    assert result.stdout == f"{count} credentials: {count - revoked} genuine, {revoked} revoked, 0 expired, 0 failed\n"
    report = json.loads(run(str(example_site), "--summary", "--json", *mapped(example_site)).stdout)
    assert "credentials" not in report and report["summary"]["revoked"] == revoked and report["exit_status"] == 3


def test_every_exit_status(example_site: Path, tmp_path: Path):
    forged = write_json(tmp_path / "forged.json", {**load(good(example_site)), "name": "Forged"})
    cases = {
        0: [str(good(example_site))],
        1: [str(forged)],
        3: [str(revoked(example_site))],
    }
    for status, targets in cases.items():
        assert run(*targets, *mapped(example_site)).exit_code == status, targets
    # genuine but expired is 3 too; a failure among revoked ones wins
    expired = ["--map", f"{BASE}={example_site}", "--offline", "--now", "2040-01-01"]
    result = run(str(expiring(example_site)), *expired)
    assert result.exit_code == 3 and result.stdout.splitlines()[1].startswith("  Genuine but expired: ")
    assert run(str(revoked(example_site)), str(forged), *mapped(example_site)).exit_code == 1
    revoked_line = run(str(revoked(example_site)), *mapped(example_site)).stdout.splitlines()[1]
    assert revoked_line.startswith(f"  Genuine but revoked: {REVOKED_LEARNER} was awarded “")
    assert revoked_line.endswith(f"by Northwind Data Academy ({DOMAIN}), who has withdrawn it.")
    assert run(str(good(example_site)), "--no-such-option").exit_code == 2
    help_text = CliRunner().invoke(main, ["verify", "--help"]).output
    assert "3  all genuine, but some are revoked or expired (1 wins when both)" in help_text


def test_wrong_recipient_is_genuine_but_not_theirs(example_site: Path, tmp_path: Path):
    path = good(example_site)
    document = load(path)
    result = run(str(path), "--recipient", "mallory@example.org", *mapped(example_site))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == f"{path}: NOT-RECIPIENT"
    assert lines[1] == (
        f"  Genuine, but not issued to mallory@example.org: {learner(document)} was awarded "
        f"“{document['credentialSubject']['achievement']['name']}” by Northwind Data Academy ({DOMAIN})."
    )
    assert lines[-1] == "1 credential: 0 genuine, 0 revoked, 0 expired, 0 failed, 1 not issued to mallory@example.org"
    report = json.loads(run(str(path), "--recipient", "mallory@example.org", "--json", *mapped(example_site)).stdout)
    check = report["credentials"][0]["checks"][-1]
    assert report["credentials"][0]["status"] == "not-recipient" and check["code"] == "not-recipient"
    # a forged credential with the wrong recipient is a forgery first
    forged = write_json(tmp_path / "forged.json", {**document, "name": "Forged"})
    report = json.loads(run(str(forged), "--recipient", "m@x.org", "--json", *mapped(example_site)).stdout)
    assert report["credentials"][0]["status"] == "failed" and report["exit_status"] == 1


# --- badge pages -----------------------------------------------------------------------


def test_badge_page_url_under_a_map(example_site: Path):
    path = good(example_site)
    page = f"{BASE}credentials/{path.stem}/"
    result = run(page, *mapped(example_site))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"{page}: VERIFIED"
    assert lines[2] == f"  credential: {load(path)['id']} (found in the badge page, which links {load(path)['id']})"


def test_badge_page_folder_and_file(example_site: Path):
    path = good(example_site)
    for target in (example_site / "credentials" / path.stem, example_site / "credentials" / path.stem / "index.html"):
        result = run(str(target), *mapped(example_site))
        assert result.exit_code == 0, result.output
        assert result.stdout.splitlines()[2] == (
            f"  credential: {load(path)['id']} (found in the badge page, which links {path.resolve()})"
        )


def test_page_scan_finds_the_one_link():
    page = b"""<!doctype html><html><head>
<!-- a > b <link rel="alternate" type="application/ld+json" href="/commented.json"> -->
<script>document.write('<link rel="alternate" type="application/ld+json" href="/script.json">')</script>
<link rel="preload" as="fetch" href="../abc.json">
<LINK REL='Alternate  noopener' TYPE=application/ld+json href="../abc.json?x=1&amp;y=2">
</head></html>"""
    assert credential_link(page, PAGE) == "https://badges.example.org/credentials/abc.json?x=1&y=2"


@pytest.mark.parametrize(
    ("page", "reason"),
    [
        (b"<!doctype html><p>hello</p>", "is a web page without a credential link"),
        (
            b'<!doctype html><link rel="alternate" type="application/ld+json" href="a.json">'
            b'<link rel="alternate" type="application/ld+json" href="b.json">',
            "links 2 credentials; a badge page links exactly one",
        ),
        (
            b'<!doctype html><link rel="alternate" type="application/ld+json" href="https://evil.example/a.json">',
            "links its credential on another site (https://evil.example/a.json)",
        ),
        (
            b'<!doctype html><link rel="alternate" type="application/ld+json" href="http://badges.example.org/a.json">',
            "links its credential on another site",
        ),
        (b'<!doctype html><link rel="alternate" type="application/ld+json" href="javascript:x">', "another site"),
        (b"<!doctype html>" + b" " * MAX_PAGE_BYTES, f"is larger than {MAX_PAGE_BYTES} bytes"),
        (b"<!doctype html><link rel=alternate type=application/ld+json href=a.json", "without a credential link"),
    ],
)
def test_page_scan_refuses(page: bytes, reason: str):
    with pytest.raises(PageError, match=reason.replace("(", r"\(").replace(")", r"\)").replace("?", r"\?")):
        credential_link(page, PAGE)


def test_page_scan_of_hostile_pages_ends():
    # Each would make a backtracking regular expression quadratic; the scan is linear.
    for page in (b"<link " * 150_000, b"<!--" * 200_000, b"<script>" * 100_000, b"<a " + b"=" * 900_000 + b">"):
        with pytest.raises(PageError, match="without a credential link"):
            credential_link(page, PAGE)


def test_badge_page_linking_another_host_is_refused_through_the_cli(example_site: Path, tmp_path: Path):
    site = tmp_path / "site"
    (site / "credentials" / "x").mkdir(parents=True)
    (site / "credentials" / "x" / "index.html").write_text(
        '<!doctype html><link rel="alternate" type="application/ld+json" href="https://evil.example/x.json">', "utf-8"
    )
    result = run(f"{BASE}credentials/x/", "--map", f"{BASE}={site}", "--offline")
    assert result.exit_code == 1
    assert "links its credential on another site (https://evil.example/x.json)" in result.stdout


# --- the --map hint for a local build --------------------------------------------------


def test_local_build_without_map_gets_the_exact_flag(example_site: Path, tmp_path: Path, monkeypatch):
    shutil.copytree(example_site, tmp_path / "_site")
    monkeypatch.chdir(tmp_path)
    name = good(example_site).name
    expected = (
        f"  hint: _site is a local credpress build whose URLs ({BASE}…) are not served from here; "
        f"check it with --map {BASE}=_site"
    )
    result = run(f"_site/credentials/{name}", "--offline")
    assert result.exit_code == 1 and expected in result.stdout.splitlines()
    summary = run("_site", "--offline", "--summary")
    assert summary.stdout.splitlines()[-1] == "hint: " + expected[len("  hint: ") :]
    # the page URL with a --map for another prefix: the folder holds it, so the hint names it
    other = run(f"{BASE}credentials/{Path(name).stem}/", "--map", "https://elsewhere.example/=_site", "--offline")
    assert expected in other.stdout.splitlines()
    # once mapped, no hint; and a copy outside any build gets none either
    assert "hint:" not in run(f"_site/credentials/{name}", "--map", f"{BASE}=_site", "--offline").stdout
    shutil.copy(f"_site/credentials/{name}", "loose.json")
    assert "hint:" not in run("loose.json", "--offline").stdout


# --- baked badges ----------------------------------------------------------------------


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def baked_png(*texts: bytes, keyword: bytes = b"openbadgecredential", kind: bytes = b"iTXt") -> bytes:
    """A tiny PNG with one iTXt chunk per text (OB 3.0 §5.3)."""
    header = png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    image = png_chunk(b"IDAT", zlib.compress(b"\x00\x00"))
    middle = b"".join(png_chunk(kind, keyword + b"\x00" + b"\x00\x00\x00\x00" + text) for text in texts)
    return b"\x89PNG\r\n\x1a\n" + header + middle + image + png_chunk(b"IEND", b"")


def baked_svg(*texts: str) -> bytes:
    elements = "".join(f"<openbadges:credential><![CDATA[{t}]]></openbadges:credential>" for t in texts)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0" '
        f'width="10" height="10">{elements}<rect width="10" height="10"/></svg>'
    ).encode()


def test_baked_png_and_svg_are_verified(example_site: Path, tmp_path: Path):
    path = good(example_site)
    text = path.read_text("utf-8")
    for name, data, where in (
        ("badge.png", baked_png(text.encode()), "a baked PNG"),
        ("badge.svg", baked_svg(text), "a baked SVG"),
        ("badge-without-suffix", baked_png(text.encode()), "a baked PNG"),
    ):
        (tmp_path / name).write_bytes(data)
        result = run(str(tmp_path / name), *mapped(example_site))
        assert result.exit_code == 0, result.output
        assert result.stdout.splitlines()[2] == f"  credential: {load(path)['id']} (found in {where})"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (baked_png(b"{}", b"{}"), "the PNG image holds 2 openbadgecredential chunks"),
        (baked_png(), "the PNG image holds no credential"),
        (baked_png(b'{"@context": "https://w3id.org/openbadges/v2"}', keyword=b"openbadges"), "Open Badges 2.0"),
        (baked_png(b"eyJhbGciOi.x.y"), "VC-JWT"),
        (baked_png(b"{}", kind=b"tEXt"), "in a tEXt chunk"),
        (baked_png(b"{}")[:60], "cut short"),
        (baked_png(b"{}").replace(b"openbadgecredential\x00\x00", b"openbadgecredential\x00\x01"), "compressed"),
        (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 0xFFFFFFF0) + b"iTXt" + b"x" * 20, "cut short"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * (MAX_BADGE_BYTES), "larger than"),
    ],
)
def test_baked_png_refusals(data: bytes, reason: str):
    with pytest.raises(BakedError, match=reason):
        unbake(data, "png")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (baked_svg("{}", "{}"), "the SVG image holds 2 <openbadges:credential> elements"),
        (baked_svg(), "the SVG image holds no credential"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:o="http://openbadges.org"><o:assertion/></svg>', "2.0"),
        (b'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg>&a;</svg>', "cannot be read safely|not a well-formed SVG"),
        (b"<svg><unclosed></svg>", "cannot be read safely|not a well-formed SVG"),
    ],
)
def test_baked_svg_refusals(data: bytes, reason: str):
    with pytest.raises(BakedError, match=reason):
        unbake(data, "svg")


def test_a_badge_with_two_credentials_is_refused_by_the_cli(example_site: Path, tmp_path: Path):
    one, two = (p.read_bytes() for p in credentials(example_site)[:2])
    (tmp_path / "two.png").write_bytes(baked_png(one, two))
    result = run(str(tmp_path / "two.png"), *mapped(example_site))
    assert result.exit_code == 1
    assert "✗ load: cannot load the credential: the PNG image holds 2 openbadgecredential chunks" in result.stdout


def test_resolver_reads_a_mapped_folder_index_only_for_pages(example_site: Path):
    resolver = Resolver([(BASE, example_site)], offline=True)
    name = good(example_site).stem
    assert resolver.fetch_bytes(f"{BASE}credentials/{name}/").startswith(b"<!doctype html>")
    # the JSON fetch still refuses a folder: no index guessing for documents
    with pytest.raises(FetchError, match="no file"):
        resolver.fetch_json(f"{BASE}credentials/{name}/")
