"""Whole builds: reproducible, stable ids, correct DID documents, links, keys kept secret."""

from __future__ import annotations

import base64
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import TEST_SEED, fixed_key, make_build

from credpress.errors import KeyConfigError
from credpress.pipeline import BuildOptions, build
from credpress.vc import keys, multibase


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_input_and_key_give_byte_identical_output(example_content, key_file, tmp_path):
    make_build(example_content, tmp_path / "a", key_file)
    copy = tmp_path / "elsewhere" / "content"
    shutil.copytree(example_content, copy)  # includes the lock the first build wrote
    make_build(copy, tmp_path / "b", key_file)
    make_build(example_content, tmp_path / "a", key_file)  # rebuild over the old output
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")


def test_ids_survive_renaming_splitting_and_reordering(small_content, key_file, tmp_path):
    make_build(small_content, tmp_path / "one", key_file)
    ids_before = {
        json.loads(p.read_text())["credentialSubject"]["identifier"][-1]["identityHash"] + p.stem
        for p in (tmp_path / "one" / "credentials").glob("*.json")
    }
    awards = (small_content / "awards" / "cohort.yaml").read_text().split("\n- ")
    (small_content / "awards" / "cohort.yaml").unlink()
    sub = small_content / "awards" / "2026"
    sub.mkdir()
    (sub / "first.yaml").write_text("- " + "\n- ".join(reversed(awards[2:])) + "\n")
    (sub / "second.yaml").write_text("\n- ".join(awards[:2]).removeprefix("") + "\n")
    make_build(small_content, tmp_path / "two", key_file)
    ids_after = {
        json.loads(p.read_text())["credentialSubject"]["identifier"][-1]["identityHash"] + p.stem
        for p in (tmp_path / "two" / "credentials").glob("*.json")
    }
    assert ids_after == ids_before and len(ids_after) == 5


def test_a_new_award_gets_a_new_id_and_old_ones_keep_theirs(small_content, key_file, tmp_path):
    make_build(small_content, tmp_path / "one", key_file)
    lock_before = json.loads((small_content / "credpress.lock").read_text())["awards"]
    with (small_content / "awards" / "cohort.yaml").open("a") as handle:
        handle.write(
            "- achievement: alpha\n  recipient:\n    name: New Person\n    email: new@example.org\n  awarded: 2026-07-01\n"
        )
    make_build(small_content, tmp_path / "two", key_file)
    lock_after = json.loads((small_content / "credpress.lock").read_text())["awards"]
    assert {k: v for k, v in lock_after.items() if k in lock_before} == lock_before
    assert len(lock_after) == len(lock_before) + 1
    new_id = next(v["id"] for k, v in lock_after.items() if k not in lock_before)
    assert new_id not in {v["id"] for v in lock_before.values()}
    assert (tmp_path / "two" / "credentials" / f"{new_id}.json").is_file()


def test_credential_shape(example_site):
    path = sorted((example_site / "credentials").glob("*.json"))[0]
    credential = json.loads(path.read_text())
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["id"] == f"https://badges.northwind-academy.example/credentials/{path.stem}.json"
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", path.stem)
    did = "did:web:badges.northwind-academy.example:issuers:northwind-data-academy"
    assert credential["issuer"]["id"] == did
    assert [p["cryptosuite"] for p in credential["proof"]] == ["eddsa-rdfc-2022", "eddsa-jcs-2022"]
    for proof in credential["proof"]:
        assert proof["verificationMethod"] == f"{did}#key-1"
        assert proof["created"] == credential["validFrom"]
    subject = credential["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    kinds = [i["identityType"] for i in subject["identifier"]]
    assert kinds[-1] == "name" and subject["identifier"][-1]["hashed"] is False


def test_plain_emails_are_never_published(example_content, example_site):
    emails = set(
        re.findall(
            r"[\w.+-]+@example\.(?:org|com)",
            "".join(p.read_text() for p in (example_content / "awards").glob("*.yaml")),
        )
    )
    assert len(emails) >= 5
    published = b"".join(_tree(example_site).values()).decode("utf-8", "replace").lower()
    for email in emails:
        assert email.lower() not in published


def test_hashed_email_matches_salted_sha256(small_content, key_file, tmp_path):
    import hashlib

    make_build(small_content, tmp_path / "site", key_file)
    found = 0
    for path in (tmp_path / "site" / "credentials").glob("*.json"):
        for identifier in json.loads(path.read_text())["credentialSubject"]["identifier"]:
            if identifier["identityType"] == "emailAddress" and identifier["salt"] != "pepper":
                expected = "sha256$" + hashlib.sha256(("ada@example.org" + identifier["salt"]).encode()).hexdigest()
                assert identifier["identityHash"] == expected
                found += 1
    assert found == 3


def test_did_document_matches_did_web_resolution(example_site):
    did = "did:web:badges.northwind-academy.example:issuers:northwind-data-academy"
    document = json.loads((example_site / "issuers/northwind-data-academy/did.json").read_text())
    assert document == {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [
            {
                "id": f"{did}#key-1",
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": fixed_key().public_multibase,
            }
        ],
        "assertionMethod": [f"{did}#key-1"],
    }


def test_host_files(example_site):
    assert (example_site / ".nojekyll").read_bytes() == b""
    assert (example_site / "_headers").read_text() == (
        "/*\n  Access-Control-Allow-Origin: *\n"
        "/*.svg\n  Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox\n"
        "  X-Content-Type-Options: nosniff\n"
    )
    for json_path in ("achievements/python-foundations.json", "issuers/northwind-data-academy/profile.json"):
        document = json.loads((example_site / json_path).read_text())
        assert document["@context"][0] == "https://www.w3.org/ns/credentials/v2"


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)


def test_every_internal_link_resolves_under_any_base_path(example_site):
    checked = 0
    for page in example_site.rglob("*.html"):
        parser = _Links()
        parser.feed(page.read_text())
        for link in parser.links:
            parts = urlsplit(link)
            if parts.scheme or link.startswith(("#", "mailto:")):
                continue
            assert not link.startswith("/"), f"{page}: absolute path {link} breaks under a base path"
            target = (page.parent / parts.path).resolve()
            if target.is_dir():
                target = target / "index.html"
            assert target.is_file(), f"{page.relative_to(example_site)} links to missing {link}"
            checked += 1
    assert checked > 100


def test_raw_html_in_content_never_reaches_a_page(small_content, key_file, tmp_path):
    path = small_content / "achievements" / "alpha.yaml"
    text = path.read_text().replace(
        "The learner can do **alpha** things.",
        '"<script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3)) **ok**"',
    )
    path.write_text(text)
    make_build(small_content, tmp_path / "site", key_file)
    html = (tmp_path / "site" / "achievements" / "alpha" / "index.html").read_text()

    class Elements(HTMLParser):
        def __init__(self):
            super().__init__()
            self.found: list[tuple[str, dict]] = []

        def handle_starttag(self, tag, attrs):
            self.found.append((tag, dict(attrs)))

    parser = Elements()
    parser.feed(html)
    assert [tag for tag, _ in parser.found if tag in ("script", "img") and "badge" not in _.get("alt", "")] == []
    assert not [a for _, attrs in parser.found for a in attrs if a.startswith("on")]
    assert not [
        v for _, attrs in parser.found for v in attrs.values() if v and v.strip().lower().startswith("javascript:")
    ]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as text
    assert "<strong>ok</strong>" in html


def _encodings(seed: bytes) -> list[bytes]:
    key = keys.from_seed(seed, "scan")
    pem = key.pem()
    pem_body = b"".join(pem.splitlines()[1:-1])
    forms = [
        seed,
        seed.hex().encode(),
        seed.hex().upper().encode(),
        base64.b64encode(seed),
        base64.urlsafe_b64encode(seed).rstrip(b"="),
        multibase.b58encode(seed).encode(),
        key.secret_multibase().encode(),
        pem_body,
        base64.b64decode(pem_body),
    ]
    return forms


def test_private_key_appears_nowhere_in_output_in_any_encoding(example_site):
    haystack = b"\n".join(_tree(example_site).values())
    for form in _encodings(TEST_SEED):
        assert form not in haystack
    assert b"PRIVATE KEY" not in haystack and b"secretKeyMultibase" not in haystack


def test_ci_without_key_is_an_error(small_content, tmp_path):
    options = BuildOptions(content=small_content, out=tmp_path / "site", environ={"CI": "true"}, warn=lambda m: None)
    with pytest.raises(KeyConfigError, match=r"no signing key: set \$CREDPRESS_SIGNING_KEY"):
        build(options)
    assert not (tmp_path / "site").exists()


def test_development_key_is_generated_once_git_ignored_and_loud(small_content, tmp_path):
    messages: list[str] = []
    options = BuildOptions(content=small_content, out=tmp_path / "site", environ={}, warn=messages.append)
    first = build(options)
    assert first.development_key
    dev_key = tmp_path / ".credpress" / "dev-signing-key.pem"
    assert dev_key.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / ".credpress" / ".gitignore").read_text() == "*\n"
    assert any("DEVELOPMENT key" in m for m in messages)
    second = build(options)
    assert second.public_key == first.public_key


def test_key_from_environment(small_content, tmp_path):
    key = fixed_key()
    options = BuildOptions(
        content=small_content,
        out=tmp_path / "site",
        environ={"CREDPRESS_SIGNING_KEY": key.secret_multibase(), "CI": "true"},
        warn=lambda m: None,
    )
    assert build(options).public_key == key.public_multibase


def test_key_that_does_not_match_the_issuer_is_refused(small_content, key_file, tmp_path):
    other = keys.generate()
    issuer = small_content / "issuers" / "acme.yaml"
    issuer.write_text(
        issuer.read_text() + f"keys:\n  - id: key-2026\n    public_key: {other.public_multibase}\n    status: active\n"
    )
    with pytest.raises(KeyConfigError) as caught:
        make_build(small_content, tmp_path / "site", key_file)
    message = str(caught.value)
    assert message == (
        f"the signing key {fixed_key().public_multibase} from key file {key_file} is not the active key of "
        f"content/issuers/acme.yaml (active key 'key-2026' is {other.public_multibase}); "
        "use the matching key or update the issuer's keys"
    )
    assert fixed_key().secret_multibase() not in message
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", "the signing key in key file {path} is empty"),
        (
            "z3u2nothing",
            "the signing key in key file {path} is neither a z3u2… multibase Ed25519 secret key nor a PEM file",
        ),
        (
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
            "the signing key in key file {path} is not a readable PEM private key",
        ),
    ],
)
def test_malformed_key_files_are_named_not_printed(tmp_path, text, expected):
    path = tmp_path / "bad.pem"
    path.write_text(text)
    with pytest.raises(KeyConfigError) as caught:
        keys.read_key_file(path)
    assert str(caught.value) == expected.format(path=path)


def test_world_readable_key_file_warns(tmp_path):
    path = tmp_path / "key.pem"
    keys.write_key_file(path, fixed_key())
    path.chmod(0o644)
    warnings: list[str] = []
    keys.read_key_file(path, warnings.append)
    assert warnings == [f"warning: key file {path} is readable by other users; run: chmod 600 {path}"]


def test_output_inside_content_is_refused(small_content, key_file):
    from credpress.errors import ContentError

    with pytest.raises(ContentError):
        make_build(small_content, small_content / "_site", key_file)


def test_page_indentation_is_dropped_but_preformatted_text_is_kept() -> None:
    from credpress.site.render import strip_indentation

    assert strip_indentation("<div>\n    <p>a\n\t  b</p>\n</div>\n") == "<div>\n<p>a\nb</p>\n</div>\n"
    kept = "<div>\n  <pre>  x\n    y</pre>\n</div>"
    assert strip_indentation(kept) == kept
    assert strip_indentation("<form>\n  <textarea>\n  z</textarea>") == "<form>\n  <textarea>\n  z</textarea>"


@pytest.mark.parametrize(
    ("page", "target", "link"),
    [
        ("credentials/u/", "credentials/u/qr.svg", "qr.svg"),
        ("credentials/u/", "credentials/u.json", "../u.json"),
        ("credentials/u/", "", "../../"),
        ("credentials/u/", "verify/", "../../verify/"),
        ("credentials/u/", "credentials/u/", "./"),
        ("credentials/u/", "credentials/v/", "../v/"),
        ("achievements/a/", "achievements/", "../"),
        ("", "", "./"),
        ("", "verify/", "verify/"),
        ("verify/", "assets/page.js", "../assets/page.js"),
    ],
)
def test_links_are_the_shortest_relative_path(page: str, target: str, link: str) -> None:
    from urllib.parse import urljoin

    from credpress.site.layout import relative

    assert relative(page, target) == link
    base = "https://example.test/badges/"
    assert urljoin(base + page, relative(page, target)) == base + target  # it leads where it says
