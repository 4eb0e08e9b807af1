"""The published eddsa-rdfc-2022 / eddsa-jcs-2022 vectors, reproduced byte for byte."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from conftest import SPECS

from credpress.vc import cryptosuites as sign
from credpress.vc import jsonld, keys

VECTORS = SPECS / "test-vectors"
W3C = VECTORS / "vc-di-eddsa"


def _text(path: Path) -> str:
    # The vectors are part of the repository (tests/data/specs): missing is a failure.
    assert path.is_file(), f"published test vector missing: {path} (see tests/data/specs/MANIFEST.md)"
    return path.read_text("utf-8")


def _load(path: Path):
    return json.loads(_text(path))


def _key(folder: Path) -> keys.SigningKey:
    pair = _load(folder / "keyPair.json")
    secret = pair.get("privateKeyMultibase") or pair["secretKeyMultibase_0x8026_plus_32byteSeed"]
    key = keys.parse_key(secret, "vector")
    assert key.public_multibase == pair["publicKeyMultibase"]
    return key


W3C_RDFC = W3C / "eddsa-rdfc-2022"
W3C_JCS = W3C / "eddsa-jcs-2022"


def test_w3c_rdfc_canonical_forms_and_hashes():
    unsigned = _load(W3C / "unsigned.json")
    config = _load(W3C_RDFC / "proofConfigDataInt.json")
    assert jsonld.canonize(unsigned) == _text(W3C_RDFC / "canonDocDataInt.txt")
    assert jsonld.canonize(config) == _text(W3C_RDFC / "proofCanonDataInt.txt")
    data = sign.hash_data(sign.SUITES["eddsa-rdfc-2022"], unsigned, config)
    assert data[:32].hex() == _text(W3C_RDFC / "proofHashDataInt.txt").strip()
    assert data[32:].hex() == _text(W3C_RDFC / "docHashDataInt.txt").strip()
    assert data.hex() == _text(W3C_RDFC / "combinedHashDataInt.txt").strip()


@pytest.mark.parametrize(
    "folder, options, signed, suite",
    [
        (W3C, "eddsa-rdfc-2022/proofConfigDataInt.json", "eddsa-rdfc-2022/signedDataInt.json", "eddsa-rdfc-2022"),
        (W3C, "eddsa-jcs-2022/proofConfigJCS.json", "eddsa-jcs-2022/signedJCS.json", "eddsa-jcs-2022"),
        (VECTORS / "ob-v3p0-eddsa-rdfc-2022", "proofOptions.json", "signed.json", "eddsa-rdfc-2022"),
        (VECTORS / "clr-v2p0-eddsa-rdfc-2022", "proofOptions.json", "signed.json", "eddsa-rdfc-2022"),
    ],
    ids=["w3c-rdfc", "w3c-jcs", "1edtech-ob", "1edtech-clr"],
)
def test_signature_reproduced_exactly(folder, options, signed, suite):
    key = _key(folder)
    unsigned = _load(folder / "unsigned.json")
    expected = _load(folder / signed)
    expected_proof = expected["proof"][0] if isinstance(expected["proof"], list) else expected["proof"]
    proof = sign.create_proof(unsigned, sign.SUITES[suite], key, _load(folder / options))
    assert proof["proofValue"] == expected_proof["proofValue"]
    assert proof == expected_proof
    check = sign.verify_proof(expected, expected_proof, lambda vm: key.public_multibase)
    assert check.ok, check.reason


def test_w3c_jcs_hashes():
    unsigned = _load(W3C / "unsigned.json")
    config = _load(W3C_JCS / "proofConfigJCS.json")
    data = sign.hash_data(sign.SUITES["eddsa-jcs-2022"], unsigned, config)
    assert data[:32].hex() == _text(W3C_JCS / "proofHashJCS.txt").strip()
    assert data[32:].hex() == _text(W3C_JCS / "docHashJCS.txt").strip()


@pytest.mark.parametrize("name", ["ob-v3p0-eddsa-rdfc-2022", "clr-v2p0-eddsa-rdfc-2022"])
def test_1edtech_canonical_forms_and_hashes(name):
    folder = VECTORS / name
    unsigned = _load(folder / "unsigned.json")
    options = _load(folder / "proofOptions.json")
    expected = _load(folder / "expected.json")
    assert jsonld.canonize(unsigned) == _text(folder / "document-canon.txt")
    config = {**options, "@context": unsigned["@context"]}
    assert jsonld.canonize(config) == _text(folder / "proof-canon.txt")
    data = sign.hash_data(sign.SUITES["eddsa-rdfc-2022"], unsigned, options)
    flat = json.dumps(expected)
    assert data[:32].hex() in flat and data[32:].hex() in flat
    assert hashlib.sha256(_text(folder / "document-canon.txt").encode()).digest() == data[32:]


def test_tampered_vector_fails():
    folder = VECTORS / "ob-v3p0-eddsa-rdfc-2022"
    signed = _load(folder / "signed.json")
    key = _key(folder)
    signed["credentialSubject"]["achievement"]["name"] = "Leadership"
    check = sign.verify_proof(signed, signed["proof"], lambda vm: key.public_multibase)
    assert not check.ok
    assert check.reason == "signature does not match the document"


def test_jcs_proof_context_is_covered_by_the_signature():
    # vc-di-eddsa §3.3.2 (Verify Proof, eddsa-jcs-2022): the document is hashed with the proof's
    # @context, so shortening it to a prefix of the document's must fail.
    signed = _load(W3C_JCS / "signedJCS.json")
    key = _key(W3C)
    proof = dict(signed["proof"])
    assert sign.verify_proof(signed, proof, lambda vm: key.public_multibase).ok
    proof["@context"] = proof["@context"][:1]
    check = sign.verify_proof(signed, proof, lambda vm: key.public_multibase)
    assert not check.ok and check.reason == "proof @context does not match the document"
