"""The private-key detector used by pre-commit and CI."""

from __future__ import annotations

import base64
import json
import subprocess
import sys

from conftest import REPO, SPECS

from credpress.vc import keys

SCRIPT = REPO / "scripts" / "check_private_keys.py"


def _run(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True, cwd=REPO)


def test_repository_holds_no_private_keys():
    result = _run()
    assert result.returncode == 0, result.stderr


def test_each_form_of_a_key_is_caught_without_printing_it(tmp_path):
    key = keys.generate()
    seed = key._private.private_bytes_raw()
    forms = {
        "pem.txt": key.pem().decode(),
        "env.txt": f"CREDPRESS_SIGNING_KEY={key.secret_multibase()}\n",
        "vm.json": json.dumps({"secretKeyMultibase": key.secret_multibase()}),
        "jwk.json": json.dumps(
            {
                "kty": "OKP",
                "crv": "Ed25519",
                "x": "abc",
                "d": base64.urlsafe_b64encode(seed + seed).decode().rstrip("="),
            }
        ),
    }
    for name, text in forms.items():
        (tmp_path / name).write_text(text)
        result = _run(tmp_path / name)
        assert result.returncode == 1, name
        assert f"{tmp_path / name}:1: looks like" in result.stderr
        assert key.secret_multibase() not in result.stderr and seed.hex() not in result.stderr


def test_public_keys_and_context_terms_are_not_flagged(tmp_path):
    key = keys.generate()
    path = tmp_path / "public.json"
    path.write_text(json.dumps({"publicKeyMultibase": key.public_multibase, "secretKeyMultibase": {"@id": "x"}}))
    assert _run(path).returncode == 0


def test_only_the_published_spec_test_keys_are_allowed(tmp_path):
    # The vendored test vectors carry the specifications' own test keys (needed to
    # reproduce the published signatures); the same file with any other key is caught.
    pairs = sorted((SPECS / "test-vectors").rglob("keyPair.json"))
    assert len(pairs) == 3
    for path in pairs:
        assert _run(path).returncode == 0, path
    published = json.loads((SPECS / "test-vectors" / "vc-di-eddsa" / "keyPair.json").read_text())
    fresh = keys.generate()
    path = tmp_path / "keyPair.json"
    path.write_text(json.dumps({**published, "privateKeyMultibase": fresh.secret_multibase()}))
    result = _run(path)
    assert result.returncode == 1
    assert f"{path}:1: looks like a secret key property with a value" in result.stderr
