"""Fuzzing the verifier with random mutations of real credentials (hypothesis).

Two properties: it never raises, whatever it is given; and a mutated credential
verifies if and only if every proof it carries still signs exactly what one of the
issuer's proofs signed. ("If" is checked when the issuer's proofs are left untouched:
the verifier may reject a proof object reshaped into an equivalent form.)

"What a proof signs" is the pair of canonical forms its cryptosuite hashes, computed
here independently of credpress, following vc-di-eddsa's Verify Proof algorithms:

* eddsa-rdfc-2022 (§3.2.2): the RDFC-1.0 canonical N-Quads of the document without
  ``proof``, and of the proof without ``proofValue`` whose ``@context`` is set to the
  document's (§3.2.5). A change that leaves both N-Quads identical is not signed, so
  it may verify: e.g. ``"0": null`` added to the proof (JSON-LD expansion ignores
  null members) or a repeated trailing ``@context`` entry (for this proof alone).
* eddsa-jcs-2022 (§3.3.2): the RFC 8785 (JCS) bytes of the proof without
  ``proofValue``, and of the document without ``proof`` whose ``@context`` is
  replaced by the proof's. The spec only asks that the document's ``@context``
  start with the proof's; credpress deliberately requires the two to be equal
  (stricter, never more lenient), so the oracle does too. Everything else in the
  JSON is signed byte for byte.

Dropping one of the two independent proofs still verifies: the other one signs
what it signed before.
"""

from __future__ import annotations

import copy
import json
import shutil
from datetime import datetime, timezone
from typing import Any

import pytest
import rfc8785
from conftest import EXAMPLE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonpaths import parent_of, paths
from pyld import jsonld as pyld

from credpress.pipeline import BuildOptions, build
from credpress.vc import jsonld, keys
from credpress.verify import verify_credential
from credpress.verify.fetch import Resolver

BASE = "https://badges.northwind-academy.example/"
NOW = datetime(2027, 1, 15, tzinfo=timezone.utc)


def _no_network(url: str, timeout: float, max_bytes: int) -> bytes:
    raise AssertionError(f"tried to fetch {url}")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(EXAMPLE, root / "content")
    keys.write_key_file(root / "key.pem", keys.generate())
    build(
        BuildOptions(
            content=root / "content", out=root / "_site", key_path=root / "key.pem", environ={}, warn=lambda m: None
        )
    )
    credentials = [json.loads(p.read_text()) for p in sorted((root / "_site" / "credentials").glob("*.json"))]
    resolver = Resolver([(BASE, root / "_site")], offline=True, http_get=_no_network)
    good = [c for c in credentials if verify_credential(c, resolver, NOW).status == "verified"]
    assert len(good) >= 30
    return good, resolver


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=6,
)

MUTATIONS = st.sampled_from(["replace", "delete", "duplicate", "add-key", "edit-text", "swap"])


def _mutate(document: dict, data) -> dict:
    mutated = copy.deepcopy(document)
    candidates = paths(mutated)
    path = data.draw(st.sampled_from(candidates), label="path")
    parent = parent_of(mutated, path)
    last = path[-1]
    kind = data.draw(MUTATIONS, label="mutation")
    if kind == "replace":
        parent[last] = data.draw(JSON, label="value")
    elif kind == "delete":
        del parent[last]
    elif kind == "duplicate" and isinstance(parent, list):
        parent.insert(last, copy.deepcopy(parent[last]))
    elif kind == "add-key" and isinstance(parent[last], dict):
        parent[last][data.draw(st.text(min_size=1, max_size=12), label="key")] = data.draw(JSON, label="value")
    elif kind == "edit-text" and isinstance(parent[last], str) and parent[last]:
        text = parent[last]
        at = data.draw(st.integers(0, len(text) - 1), label="at")
        parent[last] = text[:at] + data.draw(st.characters(), label="char") + text[at + 1 :]
    elif kind == "swap":
        other = data.draw(st.sampled_from(candidates), label="other")
        target = parent_of(mutated, other)
        try:
            parent[last], target[other[-1]] = target[other[-1]], parent[last]
        except (KeyError, IndexError, TypeError):
            pass
    else:
        parent[last] = None
    return mutated


def _rdfc(document: Any) -> str | None:
    """RDFC-1.0 canonical N-Quads (pyld, offline contexts); None if there are none."""
    try:
        return pyld.normalize(
            copy.deepcopy(document),
            {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": jsonld.document_loader},
        )
    except Exception:
        return None


def _jcs(document: Any) -> bytes | None:
    try:
        return rfc8785.dumps(document)
    except Exception:
        return None


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _signed(document: dict[str, Any], proof: Any) -> tuple[Any, ...] | None:
    """What *proof* signs in *document*: (suite, canonical proof configuration,
    canonical document), or None when there is nothing it could validly sign."""
    if not isinstance(proof, dict):
        return None
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    suite = options.get("cryptosuite")
    if suite == "eddsa-rdfc-2022":
        config, canonical = _rdfc({**options, "@context": unsecured.get("@context")}), _rdfc(unsecured)
    elif suite == "eddsa-jcs-2022":
        if "@context" in options:
            # credpress: equal, not merely a prefix (see the module docstring)
            if _as_list(unsecured.get("@context")) != _as_list(options["@context"]):
                return None
            unsecured["@context"] = options["@context"]
        config, canonical = _jcs(options), _jcs(unsecured)
    else:
        return None
    return None if config is None or canonical is None else (suite, config, canonical)


_ISSUER_SIGNED: dict[str, set[tuple[Any, ...]]] = {}


def _issuer_signed(original: dict[str, Any]) -> set[tuple[Any, ...]]:
    key = json.dumps(original, sort_keys=True)
    if key not in _ISSUER_SIGNED:
        signed = {_signed(original, proof) for proof in original["proof"]}
        assert None not in signed and len(signed) == len(original["proof"]) == 2
        _ISSUER_SIGNED[key] = signed
    return _ISSUER_SIGNED[key]


def _signs_only_what_the_issuer_signed(mutated: Any, original: dict[str, Any]) -> bool:
    if not isinstance(mutated, dict) or not mutated.get("proof"):
        return False

    # Cheap JCS proofs first: most mutations change the JCS bytes, and then the
    # RDFC canonical forms need not be computed.
    def jcs_first(proof: Any) -> bool:
        return not (isinstance(proof, dict) and proof.get("cryptosuite") == "eddsa-jcs-2022")

    proofs = sorted(_as_list(mutated["proof"]), key=jcs_first)
    signed = _issuer_signed(original)
    return all(_signed(mutated, proof) in signed for proof in proofs)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(st.data())
def test_mutations_verify_only_if_every_proof_signs_what_the_issuer_signed(world, data):
    good, resolver = world
    original = data.draw(st.sampled_from(good), label="credential")
    mutated = _mutate(original, data)
    verified = verify_credential(mutated, resolver, NOW).status == "verified"  # must not raise
    if verified:
        assert _signs_only_what_the_issuer_signed(mutated, original)
    elif isinstance(mutated, dict) and mutated.get("proof") == original["proof"]:
        # The issuer's own proofs, untouched, over a document in which nothing they
        # sign has changed: there is no reason to reject it.
        assert not _signs_only_what_the_issuer_signed(mutated, original)


def _proof_of(document: dict[str, Any], suite: str) -> dict[str, Any]:
    return next(p for p in document["proof"] if p["cryptosuite"] == suite)


EDITS = {
    # Not signed: null members are dropped by JSON-LD expansion.
    "null member in the RDFC proof": (lambda d: _proof_of(d, "eddsa-rdfc-2022").update({"0": None}), True),
    # Not signed by the RDFC proof (a repeated context entry changes no term definition),
    # but the JCS proof's @context is no longer the document's: refused.
    "repeated trailing @context entry": (lambda d: d["@context"].append(d["@context"][-1]), False),
    "JCS proof dropped": (lambda d: d.update(proof=[_proof_of(d, "eddsa-rdfc-2022")]), True),
    # Signed: JCS signs the JSON itself, and the JCS proof's @context must be a prefix.
    "null member in the JCS proof": (lambda d: _proof_of(d, "eddsa-jcs-2022").update({"0": None}), False),
    "null member in the document": (lambda d: d.update({"0": None}), False),
    "repeated first @context entry": (lambda d: d["@context"].insert(0, d["@context"][0]), False),
    "name changed": (lambda d: d.update(name=d["name"] + "x"), False),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_the_oracle_and_the_verifier_agree_on_known_edits(world, edit):
    good, resolver = world
    original = good[0]
    mutated = copy.deepcopy(original)
    change, expected = EDITS[edit]
    change(mutated)
    assert _signs_only_what_the_issuer_signed(mutated, original) is expected
    assert (verify_credential(mutated, resolver, NOW).status == "verified") is expected


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(JSON)
def test_arbitrary_json_never_raises(world, value):
    _, resolver = world
    assert verify_credential(value, resolver, NOW).status == "failed"
