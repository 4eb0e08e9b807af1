"""The example's learner record (CLR 2.0) in the independent verifier and in verify.js.

Digital Bazaar's @digitalbazaar/vc verifies the record's own proof and each
embedded credential separately (tests/interop/verify-db.mjs); verify.js runs
under Node through tests/verify_js_harness.mjs. Tampering any embedded
credential fails that credential (and the record's own proof) in both of our
verifiers.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest
from conftest import REPO

BASE = "https://badges.northwind-academy.example/"
NOW = datetime(2027, 1, 15, tzinfo=timezone.utc)
INTEROP = REPO / "tests" / "interop"
NODE = shutil.which("node")


def _need_node(modules: bool = False) -> None:
    if NODE is None or (modules and not (INTEROP / "node_modules").is_dir()):
        if os.environ.get("CI") == "true":
            raise RuntimeError("node or tests/interop/node_modules missing (.ci/run installs them)")
        pytest.skip("node (and `npm ci` in tests/interop) needed")


def record_file(site: Path) -> Path:
    found = sorted((site / "records").glob("*.json"))
    assert len(found) == 1, "the example content has exactly one opted-in learner (Amara Okafor)"
    return found[0]


def tampered(site: Path, index: int) -> dict:
    document = json.loads(record_file(site).read_text("utf-8"))
    changed = copy.deepcopy(document)
    changed["credentialSubject"]["verifiableCredential"][index]["credentialSubject"]["achievement"]["name"] += "!"
    return changed


def run_db(site: Path, *files: Path) -> list[dict]:
    done = subprocess.run(
        [NODE, str(INTEROP / "verify-db.mjs"), "--site", str(site), "--base-url", BASE, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def test_digital_bazaar_verifies_the_record_and_every_embedded_credential(example_site, tmp_path):
    _need_node(modules=True)
    path = record_file(example_site)
    [line] = run_db(example_site, path)
    count = len(json.loads(path.read_text("utf-8"))["credentialSubject"]["verifiableCredential"])
    assert line["outer"] is True, line
    assert len(line["embedded"]) == count == 4 and all(e["verified"] for e in line["embedded"]), line
    assert line["verified"] is True
    # And it is not a rubber stamp: a changed embedded credential fails there too.
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(tampered(example_site, 2)), "utf-8")
    [line] = run_db(example_site, bad)
    assert line["outer"] is False and [e["verified"] for e in line["embedded"]] == [True, True, False, True], line


def run_verify_js(site: Path, cases: dict[str, dict]) -> dict[str, dict]:
    request = {
        "verifyJs": str(REPO / "credpress" / "static" / "verify.js"),
        "now": NOW.isoformat().replace("+00:00", "Z"),
        "maps": [[BASE, str(site)]],
        "siteIssuers": None,
        "cases": [{"name": name, "text": json.dumps(doc)} for name, doc in cases.items()],
    }
    done = subprocess.run(
        [NODE, str(REPO / "tests" / "verify_js_harness.mjs")],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return {r["name"]: r for r in json.loads(done.stdout)["results"]}


def test_verify_js_names_the_tampered_embedded_credential(example_site):
    _need_node()
    good = json.loads(record_file(example_site).read_text("utf-8"))
    results = run_verify_js(example_site, {"good": good, **{f"bad-{i}": tampered(example_site, i) for i in range(4)}})
    assert results["good"]["state"] == "verified", results["good"]
    assert [e["state"] for e in results["good"]["embedded"]] == ["verified"] * 4
    assert any(c["id"] == "embedded" and c["status"] == "ok" for c in results["good"]["checks"])
    for i in range(4):
        result = results[f"bad-{i}"]
        assert result["state"] == "failed"
        assert [e["state"] for e in result["embedded"]] == ["failed" if j == i else "verified" for j in range(4)]
        signature = next(c for c in result["checks"] if c["id"] == "signature")
        assert signature["status"] == "failed"  # the record's own proof signs the embedding


def test_python_verifier_names_the_tampered_embedded_credential(example_site):
    from credpress.verify.checks import verify_credential
    from credpress.verify.fetch import Resolver

    for i in range(4):
        result = verify_credential(tampered(example_site, i), Resolver([(BASE, example_site)], offline=True), NOW)
        assert [r.status for r in result.embedded] == ["failed" if j == i else "verified" for j in range(4)]
        assert result.check("proof").failed and result.status == "failed"
