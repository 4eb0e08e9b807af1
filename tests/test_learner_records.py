"""Learner records (CLR 2.0 ClrCredential): opt-in, the document, the lock, our verifier."""

from __future__ import annotations

import copy
import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from conftest import make_build, seeded_random
from jsonschema import Draft201909Validator

from credpress.content.lock import Lock
from credpress.errors import ContentError
from credpress.vc import clr
from credpress.vc.recipient import email_identity
from credpress.verify.checks import verify_credential
from credpress.verify.fetch import Resolver

BASE = "https://example.test/badges/"
NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)
SCHEMA = (
    Path(__file__).resolve().parent.parent / "credpress" / "data" / "schemas" / "clr_v2p0_clrcredential_schema.json"
)


def opt_in(content: Path, who: str, value: str = "true", occurrence: int = 0) -> None:
    """Add ``public_record: VALUE`` under the *occurrence*-th recipient line *who* (e.g. "email: ada@example.org")."""
    path = content / "awards" / "cohort.yaml"
    lines = path.read_text("utf-8").split("\n")
    hits = [i for i, line in enumerate(lines) if line.strip() == who]
    lines.insert(hits[occurrence] + 1, f"    public_record: {value}")
    path.write_text("\n".join(lines), "utf-8")


def drop_opt_in(content: Path) -> None:
    path = content / "awards" / "cohort.yaml"
    path.write_text(re.sub(r"\n    public_record: \w+", "", path.read_text("utf-8")), "utf-8")


def build(content: Path, out: Path, key_file: Path, **extra) -> None:
    make_build(content, out, key_file, random_bytes=seeded_random(), now=NOW, **extra)


def records(site: Path) -> list[Path]:
    return sorted((site / "records").glob("*.json")) if (site / "records").is_dir() else []


def resolver(site: Path) -> Resolver:
    return Resolver([(BASE, site)], offline=True)


def test_no_record_without_opt_in(small_content, key_file, tmp_path):
    build(small_content, tmp_path / "site", key_file)
    site = tmp_path / "site"
    assert not (site / "records").exists()
    assert not any(k.startswith("record-") for k in Lock.read(small_content).entries)
    for page in site.rglob("*.html"):
        text = page.read_text("utf-8")
        assert "learning record" not in text and "records/" not in text and " toward " not in text, page


def test_opted_in_learner_gets_a_schema_valid_signed_record(small_content, key_file, tmp_path):
    opt_in(small_content, "email: ada@example.org")
    build(small_content, tmp_path / "site", key_file)
    site = tmp_path / "site"
    [path] = records(site)
    document = json.loads(path.read_text("utf-8"))
    # The published CLR 2.0 schema itself, and our whole check (schema + rules)
    assert not list(Draft201909Validator(json.loads(SCHEMA.read_text("utf-8"))).iter_errors(document))
    assert clr.check_clr(document) == []
    assert document["type"] == ["VerifiableCredential", "ClrCredential"]
    assert document["@context"][:3] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert {p["cryptosuite"] for p in document["proof"]} == {"eddsa-rdfc-2022", "eddsa-jcs-2022"}
    assert document["credentialStatus"]["type"] == "BitstringStatusListEntry"
    # The id reveals nothing about the learner; the hashed email uses the record's own salt.
    assert "ada" not in document["id"] and document["id"] == BASE + "records/" + path.stem + ".json"
    entry = Lock.read(small_content).entries
    [key] = [k for k in entry if k.startswith("record-")]
    assert entry[key]["id"] == path.stem
    hashed = document["credentialSubject"]["identifier"][0]
    assert hashed["identityHash"] == email_identity("ada@example.org", entry[key]["salt"])
    # Exactly Ada's three credentials, as published (each keeps its own proofs).
    subject = document["credentialSubject"]
    embedded = subject["verifiableCredential"]
    assert len(embedded) == 3
    for credential in embedded:
        published = site / "credentials" / (credential["id"].rsplit("/", 1)[1])
        assert json.loads(published.read_text("utf-8")) == credential
    assert [a["name"] for a in subject["achievement"]] == [
        "Alpha Skills",
        "Beta Skills",
        "Certificate in Alpha and Beta",
    ]
    cert, alpha, beta = (BASE + f"achievements/{s}.json" for s in ("cert", "alpha", "beta"))
    assert {(a["associationType"], a["sourceId"], a["targetId"]) for a in subject["association"]} == {
        ("isParentOf", cert, alpha),
        ("isPartOf", alpha, cert),
        ("isParentOf", cert, beta),
        ("isPartOf", beta, cert),
    }
    # Same input and key: the same bytes.
    build(small_content, tmp_path / "again", key_file)
    assert (tmp_path / "again" / "records" / path.name).read_bytes() == path.read_bytes()


def test_pages_link_and_show_progress_only_for_opted_in_learners(small_content, key_file, tmp_path):
    opt_in(small_content, "did: did:example:zoe")  # holds alpha only: 1 of 2 toward the certificate
    build(small_content, tmp_path / "site", key_file)
    site = tmp_path / "site"
    [path] = records(site)
    record_page = (site / "records" / path.stem / "index.html").read_text("utf-8")
    assert "1 of 2 toward Certificate in Alpha and Beta" in record_page
    assert "Beta Skills" in record_page and "not yet earned" in record_page
    linked = []
    for page in sorted((site / "credentials").glob("*/index.html")):
        text = page.read_text("utf-8")
        if "learning record" in text:
            linked.append(page)
            assert "View Zoë Ångström&#39;s learning record" in text or "View Zoë Ångström's learning record" in text
            assert f"../../records/{path.stem}/" in text
            assert "1 of 2 toward Certificate in Alpha and Beta" in text
        else:
            assert " toward " not in text
    assert len(linked) == 1


def test_withdrawing_revokes_the_record_and_keeps_its_bit(small_content, key_file, tmp_path):
    opt_in(small_content, "email: ada@example.org")
    build(small_content, tmp_path / "one", key_file)
    [path] = records(tmp_path / "one")
    drop_opt_in(small_content)
    opt_in(small_content, "email: ada@example.org", "false", 1)
    build(small_content, tmp_path / "two", key_file)
    assert records(tmp_path / "two") == []
    entries = Lock.read(small_content).entries
    assert not any(k.startswith("record-") for k in entries)
    withdrawn = entries["erased-" + path.stem]
    assert withdrawn["erased"]["issuer"] == "acme"
    # A wallet's copy of the record now reads as revoked.
    old = json.loads(path.read_text("utf-8"))
    result = verify_credential(old, resolver(tmp_path / "two"), NOW)
    assert result.status == "revoked", result.to_json()
    # Opting in again draws a new record: a revoked one is never reused.
    drop_opt_in(small_content)
    opt_in(small_content, "email: ada@example.org")
    build(small_content, tmp_path / "three", key_file)
    [again] = records(tmp_path / "three")
    assert again.stem != path.stem


def test_a_published_record_never_disappears_silently(small_content, key_file, tmp_path):
    opt_in(small_content, "email: ada@example.org")
    build(small_content, tmp_path / "site", key_file)
    drop_opt_in(small_content)
    with pytest.raises(ContentError) as caught:
        build(small_content, tmp_path / "site", key_file)
    [problem] = caught.value.problems
    assert problem.path.endswith("credpress.lock") and problem.line
    assert "public_record: true" in problem.message and "public_record: false" in problem.message


def test_conflicting_choices_are_an_error_naming_both_awards(small_content, key_file, tmp_path):
    opt_in(small_content, "email: ada@example.org", "true", 0)
    opt_in(small_content, "email: ada@example.org", "false", 2)
    with pytest.raises(ContentError) as caught:
        build(small_content, tmp_path / "site", key_file)
    [problem] = caught.value.problems
    assert problem.field == "recipient.public_record"
    assert re.search(r"is false here but true at content/awards/cohort.yaml:\d+", problem.message)
    assert not (tmp_path / "site").exists()


def test_public_record_must_be_true_or_false(small_content, key_file, tmp_path):
    opt_in(small_content, "email: ada@example.org", "yes please")
    with pytest.raises(ContentError) as caught:
        build(small_content, tmp_path / "site", key_file)
    assert any("public_record" in p.field and "true or false" in p.message for p in caught.value.problems)


def test_frozen_build_refuses_a_new_record(small_content, key_file, tmp_path):
    build(small_content, tmp_path / "site", key_file)
    opt_in(small_content, "email: ada@example.org")
    with pytest.raises(ContentError) as caught:
        build(small_content, tmp_path / "site", key_file, frozen=True)
    assert "--frozen" in caught.value.problems[0].message


def test_lock_refuses_a_malformed_record_key(small_content, key_file, tmp_path):
    opt_in(small_content, "email: ada@example.org")
    build(small_content, tmp_path / "site", key_file)
    lock = small_content / "credpress.lock"
    text = lock.read_text("utf-8")
    key = re.search(r'"(record-[0-9a-f]{32})"', text).group(1)
    lock.write_text(text.replace(key, "record-ADA"), "utf-8")
    with pytest.raises(ContentError) as caught:
        Lock.read(small_content)
    [problem] = caught.value.problems
    assert problem.line and "learner record's key" in problem.message


@pytest.mark.parametrize("index", [0, 1, 2])
def test_tampering_an_embedded_credential_fails_that_credential(small_content, key_file, tmp_path, index):
    opt_in(small_content, "email: ada@example.org")
    build(small_content, tmp_path / "site", key_file)
    [path] = records(tmp_path / "site")
    document = json.loads(path.read_text("utf-8"))
    good = verify_credential(document, resolver(tmp_path / "site"), NOW)
    assert good.status == "verified" and [r.status for r in good.embedded] == ["verified"] * 3
    tampered = copy.deepcopy(document)
    tampered["credentialSubject"]["verifiableCredential"][index]["credentialSubject"]["achievement"]["name"] += "!"
    result = verify_credential(tampered, resolver(tmp_path / "site"), NOW)
    assert [r.status for r in result.embedded] == ["failed" if i == index else "verified" for i in range(3)]
    assert result.embedded[index].check("proof").failed
    assert result.check("proof").failed  # the record's own proof signs the embedding
    assert result.check("embedded").failed and result.status == "failed"
