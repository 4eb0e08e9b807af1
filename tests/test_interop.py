"""Interoperability: independent verifiers (Node) accept what we publish.

Digital Bazaar's @digitalbazaar/vc and the DCC's @digitalcredentials/verifier-core
(the Learner Credential Wallet's verifier) check every credential of the example
build, offline, with the DID document read from the built folder. `.ci/run`
installs them (`npm ci` in tests/interop); without them these tests skip
locally and fail under CI=true.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent / "interop"
BASE_URL = "https://badges.northwind-academy.example/"

if not (HERE / "node_modules").is_dir() or shutil.which("node") is None:
    if os.environ.get("CI") == "true":
        raise RuntimeError("interop verifiers missing: run `npm ci` in tests/interop (.ci/run does)")
    pytest.skip("interop verifiers not installed (cd tests/interop && npm ci)", allow_module_level=True)


def _run(script: str, site: Path, *files: Path, expect_fail: bool = False) -> subprocess.CompletedProcess:
    args = ["node", str(HERE / script), "--site", str(site), "--base-url", BASE_URL]
    if expect_fail:
        args.append("--expect-fail")
    return subprocess.run(args + [str(f) for f in files], capture_output=True, text=True, timeout=300)


def _revoked_ids() -> set[str]:
    """Credential ids of the example's revoked awards, and of its stacked credentials revoked
    by cascade, from its content and lock."""
    from conftest import EXAMPLE

    from credpress.content.lock import Lock, award_key
    from credpress.pipeline import check_content

    model, _ = check_content(EXAMPLE)
    entries = Lock.read(EXAMPLE).entries
    cascaded = {e["id"] for e in entries.values() if "stack" in e and "revoked" in e}
    assert cascaded, "the example has a stacked credential revoked by cascade"
    return {entries[award_key(a)]["id"] for a in model.awards if a.revoked} | cascaded


def _stacked_ids() -> set[str]:
    """Credential ids of the example's auto-awarded stacked credentials."""
    from conftest import EXAMPLE

    from credpress.content.lock import Lock

    return {e["id"] for e in Lock.read(EXAMPLE).entries.values() if "stack" in e}


@pytest.mark.parametrize("script", ["verify-db.mjs", "verify-dcc.mjs"])
def test_every_example_credential_verifies_and_exactly_the_revoked_fail(script, example_site):
    result = _run(script, example_site)
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    count = len(list((example_site / "credentials").glob("*.json")))
    revoked = _revoked_ids()
    assert len(lines) == count and revoked
    failed = {Path(line["file"]).stem for line in lines if not line["verified"]}
    assert failed == revoked, result.stdout + result.stderr
    # Stacked credentials (evidence listing their components) verify like any other.
    verified = {Path(line["file"]).stem for line in lines if line["verified"]}
    assert len(_stacked_ids() & verified) == 2  # the third was revoked by cascade
    for line in lines:
        if Path(line["file"]).stem in revoked:  # failed for its status, not its signature
            assert line.get("status") == {"revocation": True} or line["steps"]["revocation_status"] is False
            assert line.get("steps", {}).get("valid_signature", True) is True


@pytest.mark.parametrize("script", ["verify-db.mjs", "verify-dcc.mjs"])
def test_credentials_in_later_status_lists_verify_and_exactly_the_revoked_fail(script, example_site_in_lists):
    """The example with its lock spread over status lists 1 to 3 (conftest): each verifier fetches
    the list a credential names and reads its bit there."""
    result = _run(script, example_site_in_lists)
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(lines) == len(list((example_site_in_lists / "credentials").glob("*.json")))
    failed = {Path(line["file"]).stem for line in lines if not line["verified"]}
    assert failed == _revoked_ids(), result.stdout + result.stderr
    later = set()
    for line in lines:
        credential = json.loads(Path(line["file"]).read_text())
        if not credential["credentialStatus"]["statusListCredential"].endswith("/revocation-1.json"):
            later.add(Path(line["file"]).stem)
    assert later - failed and later & failed  # genuine and revoked credentials in lists 2 and 3


@pytest.fixture(scope="module")
def tampered_site(example_site, tmp_path_factory) -> tuple[Path, list[Path]]:
    site = tmp_path_factory.mktemp("tampered") / "_site"
    shutil.copytree(example_site, site)
    revoked = _revoked_ids()
    originals = [p for p in sorted((site / "credentials").glob("*.json")) if p.stem not in revoked][:3]
    edits = [
        lambda c: c["credentialSubject"]["identifier"][-1].update(identityHash="Somebody Else"),
        lambda c: c["credentialSubject"]["achievement"].update(name="A Better Badge"),
        lambda c: c.update(validFrom="2020-01-01T00:00:00Z"),
    ]
    tampered = []
    for path, edit in zip(originals, edits):
        credential = json.loads(path.read_text())
        edit(credential)
        target = path.with_name("tampered-" + path.name)
        target.write_text(json.dumps(credential))
        tampered.append(target)
    return site, tampered


@pytest.mark.parametrize("script", ["verify-db.mjs", "verify-dcc.mjs"])
def test_tampered_credentials_fail(script, tampered_site):
    site, tampered = tampered_site
    result = _run(script, site, *tampered, expect_fail=True)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [line["verified"] for line in lines] == [False] * len(tampered)


def test_key_rotation_as_seen_by_digital_bazaar(small_content, key_file, tmp_path):
    """Old copies signed with a retired key verify; with the key revoked they fail."""
    from click.testing import CliRunner
    from conftest import make_build

    from credpress.cli import main

    make_build(small_content, tmp_path / "old", key_file)
    old_copy = next((tmp_path / "old" / "credentials").glob("*.json"))
    new_key = tmp_path / "keys" / "new.pem"
    result = CliRunner().invoke(
        main, ["keygen", "--rotate", "--out", str(new_key), "--content", str(small_content), "--key", str(key_file)]
    )
    assert result.exit_code == 0, result.output
    make_build(small_content, tmp_path / "site", new_key)
    wallet_copy = tmp_path / "site" / "wallet-copy.json"
    shutil.copy(old_copy, wallet_copy)
    base = "https://example.test/badges/"
    run = lambda *extra: subprocess.run(  # noqa: E731
        ["node", str(HERE / "verify-db.mjs"), "--site", str(tmp_path / "site"), "--base-url", base, *extra],
        capture_output=True,
        text=True,
        timeout=300,
    )
    new_copy = next((tmp_path / "site" / "credentials").glob("*.json"))
    assert run(str(wallet_copy), str(new_copy)).returncode == 0
    issuer = small_content / "issuers" / "acme.yaml"
    issuer.write_text(
        issuer.read_text().replace("    status: retired\n", "    status: revoked\n    revoked: 2026-11-30\n")
    )
    make_build(small_content, tmp_path / "site", new_key)
    shutil.copy(old_copy, wallet_copy)
    assert run(str(new_copy)).returncode == 0
    rejected = run("--expect-fail", str(wallet_copy))
    assert rejected.returncode == 0, rejected.stdout + rejected.stderr


def test_what_digital_bazaar_rejects_in_safe_mode_credpress_rejects_too(example_site, tmp_path, monkeypatch):
    """Signed by us with the canonicalizer's refusals switched off (as a careless
    issuer would): Digital Bazaar's safe mode rejects each, and so must we."""
    from click.testing import CliRunner
    from conftest import fixed_key

    from credpress.cli import main
    from credpress.vc import cryptosuites, jsonld

    revoked = _revoked_ids()
    source = next(p for p in sorted((example_site / "credentials").glob("*.json")) if p.stem not in revoked)
    good = {k: v for k, v in json.loads(source.read_text()).items() if k != "proof"}
    method = good["issuer"]["id"] + "#key-1"
    mutations = {
        "evidence-id-space": (
            lambda c: c.update(evidence=[{"id": "foo bar", "type": ["Evidence"]}]),
            "evidence[0].id (relative @id reference 'foo bar')",
        ),
        "evidence-id-path": (
            lambda c: c.update(evidence=[{"id": "/relative", "type": ["Evidence"]}]),
            "evidence[0].id (relative @id reference '/relative')",
        ),
        "achievement-id": (
            lambda c: c["credentialSubject"]["achievement"].update(id="achievements/1"),
            "credentialSubject.achievement.id (relative @id reference 'achievements/1')",
        ),
        "relative-type": (
            lambda c: c["credentialSubject"]["achievement"].update(type=["Achievement", "Badge"]),
            "credentialSubject.achievement.type (relative @type reference 'Badge')",
        ),
        "undefined-term": (
            lambda c: c["credentialSubject"].update(nickname="Ada"),
            "JSON-LD would drop credentialSubject.nickname",
        ),
    }
    with monkeypatch.context() as unchecked:
        unchecked.setattr(jsonld, "dropped_terms", lambda *a, **k: [])
        unchecked.setattr(jsonld, "safe_mode_problems", lambda *a, **k: [])
        # sign through pyld's route, so the shape cache never learns a shape with the checks off
        unchecked.setattr(jsonld, "route", "pyld")
        files = []
        for name, (mutate, _) in mutations.items():
            credential = json.loads(json.dumps(good))
            mutate(credential)
            signed = cryptosuites.sign_document(
                credential, fixed_key(), method, credential["validFrom"], cryptosuites.CREDENTIAL_SUITES
            )
            files.append(tmp_path / f"{name}.json")
            files[-1].write_text(json.dumps(signed))

    db = _run("verify-db.mjs", example_site, *files, expect_fail=True)
    assert db.returncode == 0, db.stdout + db.stderr
    lines = [json.loads(line) for line in db.stdout.splitlines() if line.startswith("{")]
    assert [line["verified"] for line in lines] == [False] * len(files)
    # vc.js checks evidence ids itself (a URL); everything else is jsonld.js safe mode
    reasons = ["must be a URI", "must be a URI", *["Safe mode validation error"] * (len(files) - 2)]
    assert [reason in line["error"] for line, reason in zip(lines, reasons)] == [True] * len(files), db.stdout

    ours = CliRunner().invoke(
        main,
        [
            "verify",
            *map(str, files),
            "--map",
            f"{BASE_URL}={example_site}",
            "--offline",
            "--now",
            "2027-01-15T00:00:00Z",
            "--json",
        ],
    )
    assert ours.exit_code == 1, ours.output
    for report, (name, (_, named)) in zip(json.loads(ours.stdout)["credentials"], mutations.items()):
        proof = next(c for c in report["checks"] if c["id"] == "proof")
        assert report["status"] == "failed" and proof["result"] == "failed", name
        assert named in proof["message"], (name, proof["message"])


@pytest.mark.parametrize("script", ["verify-db.mjs", "verify-dcc.mjs"])
def test_tricky_but_valid_urls_verify(script, small_content, key_file, tmp_path):
    """An IDN, upper-case base_url and an image named "badge art #1.png" (issue 9): the URLs
    we sign are the ones these verifiers parse, so every credential verifies."""
    from conftest import make_build
    from test_content_hardening import TRICKY_BASE, _tricky_url_content

    _tricky_url_content(small_content)
    make_build(small_content, tmp_path / "site", key_file)
    result = subprocess.run(
        ["node", str(HERE / script), "--site", str(tmp_path / "site"), "--base-url", TRICKY_BASE],
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(lines) == len(list((tmp_path / "site" / "credentials").glob("*.json"))) > 0
    assert all(line["verified"] for line in lines), result.stdout + result.stderr
    assert result.returncode == 0


def test_credentials_unbaked_from_png_and_svg_verify_with_digital_bazaar(example_site, tmp_path):
    """A badge baked by credpress (OB 3.0 §5.3) gives back a credential Digital Bazaar accepts."""
    from credpress.vc.baking import bake_png, bake_svg, unbake_png, unbake_svg

    revoked = _revoked_ids()
    source = next(p for p in sorted((example_site / "credentials").glob("*.json")) if p.stem not in revoked)
    text = source.read_text("utf-8")
    art = (example_site / "images" / "python-foundations.png").read_bytes()
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><rect width="4" height="4"/></svg>'
    files = []
    for name, unbaked in (
        ("from-png.json", unbake_png(bake_png(bake_png(art, "{}"), text))),
        ("from-svg.json", unbake_svg(bake_svg(bake_svg(svg, "{}"), text))),
    ):
        files.append(tmp_path / name)
        files[-1].write_text(unbaked, "utf-8")
    result = _run("verify-db.mjs", example_site, *files)
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [line["verified"] for line in lines] == [True, True], result.stdout + result.stderr
