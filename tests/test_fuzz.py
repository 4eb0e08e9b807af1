"""Fuzzing the verifier with random mutations of real credentials (hypothesis).

Two properties: it never raises, whatever it is given; and nothing verifies
unless its signed content is exactly what the issuer signed (the only change
that may still verify is dropping one of the two independent proofs).
"""

from __future__ import annotations

import copy
import json
import shutil
from datetime import datetime, timezone
from typing import Any

import pytest
from conftest import EXAMPLE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonpaths import parent_of, paths

from credpress.pipeline import BuildOptions, build
from credpress.vc import keys
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
    build(BuildOptions(content=root / "content", out=root / "_site", key_path=root / "key.pem", environ={},
                       warn=lambda m: None))
    credentials = [json.loads(p.read_text()) for p in sorted((root / "_site" / "credentials").glob("*.json"))]
    resolver = Resolver([(BASE, root / "_site")], offline=True, http_get=_no_network)
    good = [c for c in credentials if verify_credential(c, resolver, NOW).status == "verified"]
    assert len(good) >= 30
    return good, resolver


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-2**63, 2**63) | st.floats(allow_nan=False) | st.text(max_size=20),
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
        parent[last] = text[:at] + data.draw(st.characters(), label="char") + text[at + 1:]
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


def _unsecured(document: Any) -> Any:
    return {k: v for k, v in document.items() if k != "proof"} if isinstance(document, dict) else document


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(st.data())
def test_mutations_never_verify_unless_signed_content_is_intact(world, data):
    good, resolver = world
    original = data.draw(st.sampled_from(good), label="credential")
    mutated = _mutate(original, data)
    result = verify_credential(mutated, resolver, NOW)  # must not raise
    if result.status == "verified":
        assert _unsecured(mutated) == _unsecured(original)
        proofs = mutated["proof"] if isinstance(mutated["proof"], list) else [mutated["proof"]]
        assert all(proof in original["proof"] for proof in proofs)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(JSON)
def test_arbitrary_json_never_raises(world, value):
    _, resolver = world
    assert verify_credential(value, resolver, NOW).status == "failed"
