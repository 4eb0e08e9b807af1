"""Offline JSON-LD: the memoised pyld gives the same bytes, drops are caught, URLs refused."""

from __future__ import annotations

import json

import pytest
from conftest import SPECS
from pyld import jsonld as pyld

from credpress.errors import JsonLdError
from credpress.vc import contexts, jsonld


def _unpatched_canon(document):
    """pyld exactly as published: our memoising processor is a private subclass,
    so pyld's own functions are untouched."""
    return pyld.normalize(
        json.loads(json.dumps(document)),
        {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": contexts.document_loader},
    )


def test_memoised_canonicalization_matches_unpatched_pyld(example_site):
    documents = [json.loads(p.read_text()) for p in sorted((example_site / "credentials").glob("*.json"))]
    documents += [json.loads(p.read_text()) for p in sorted((example_site / "achievements").glob("*.json"))]
    assert len(documents) > 30
    for document in documents:
        unsecured = {k: v for k, v in document.items() if k != "proof"}
        assert jsonld.canonize(unsecured) == _unpatched_canon(unsecured)


def test_vectors_match_unpatched_pyld():
    # The W3C vc-di-eddsa, 1EdTech OB 3.0 and 1EdTech CLR 2.0 unsigned documents.
    paths = sorted((SPECS / "test-vectors").rglob("unsigned.json"))
    assert len(paths) >= 3, f"expected at least 3 published unsigned.json vectors under {SPECS}, found {paths}"
    for path in paths:
        document = json.loads(path.read_text())
        assert jsonld.canonize(document) == _unpatched_canon(document), path


def test_dropped_terms_are_named():
    document = json.loads((SPECS / "test-vectors/ob-v3p0-eddsa-rdfc-2022/unsigned.json").read_text())
    document["credentialSubject"]["nickname"] = "Ada"
    document["favouriteColour"] = {"value": "blue"}
    with pytest.raises(JsonLdError) as caught:
        jsonld.canonize(document)
    assert str(caught.value) == (
        "JSON-LD would drop credentialSubject.nickname, favouriteColour (term not defined by the @context)"
    )


def test_missing_type_drops_type_scoped_terms():
    # The OB context defines "achievement" only inside an AchievementSubject: without that
    # type the term is undefined and expansion drops it (JSON-LD 1.1 API §5.1.2, VC-DI §2.4.3).
    document = json.loads((SPECS / "test-vectors/ob-v3p0-eddsa-rdfc-2022/unsigned.json").read_text())
    del document["credentialSubject"]["type"]
    assert jsonld.dropped_terms(document) == ["credentialSubject.achievement"]


def test_complete_document_drops_nothing(example_site):
    path = next((example_site / "credentials").glob("*.json"))
    document = json.loads(path.read_text())
    assert jsonld.dropped_terms({k: v for k, v in document.items() if k != "proof"}) == []


@pytest.mark.parametrize("url", ["https://example.com/context.json", "http://www.w3.org/ns/credentials/v2"])
def test_unknown_context_is_refused_not_fetched(url):
    with pytest.raises(JsonLdError, match="unknown JSON-LD context"):
        jsonld.canonize({"@context": ["https://www.w3.org/ns/credentials/v2", url], "type": "VerifiableCredential"})
    with pytest.raises(JsonLdError, match="unknown JSON-LD context"):
        contexts.document_loader(url)


def test_every_bundled_context_loads():
    for url in contexts.context_index():
        assert "@context" in contexts.document_loader(url)["document"]


@pytest.mark.parametrize(
    "change, named",
    [
        (
            lambda d: d.update(evidence=[{"id": "foo bar", "type": ["Evidence"]}]),
            "evidence[0].id (relative @id reference 'foo bar')",
        ),
        (
            lambda d: d.update(evidence=[{"id": "/relative", "type": ["Evidence"]}]),
            "evidence[0].id (relative @id reference '/relative')",
        ),
        (
            lambda d: d["credentialSubject"]["achievement"].update(type=["Achievement", "Relative"]),
            "credentialSubject.achievement.type (relative @type reference 'Relative')",
        ),
        (lambda d: d.update(issuer="issuers/565049"), "issuer (relative @id reference 'issuers/565049')"),
        (lambda d: d.update({"_:b0": "x"}), "_:b0 (blank node predicate '_:b0')"),
        (lambda d: d.update(name={"@value": "Badge", "@language": "en us"}), "invalid @language value 'en us'"),
    ],
)
def test_what_jsonld_js_safe_mode_refuses_is_refused_and_named(change, named):
    # Digital Bazaar canonizes with safe: true; pyld would leave these out of the
    # N-Quads (or resolve them against a made-up base) without a word.
    document = json.loads((SPECS / "test-vectors/ob-v3p0-eddsa-rdfc-2022/unsigned.json").read_text())
    change(document)
    with pytest.raises(JsonLdError, match="JSON-LD safe mode refuses") as caught:
        jsonld.canonize(document)
    assert named in str(caught.value)


def test_safe_mode_problems_are_listed_in_document_order():
    document = json.loads((SPECS / "test-vectors/ob-v3p0-eddsa-rdfc-2022/unsigned.json").read_text())
    document["credentialSubject"]["id"] = "learner 1"
    document["evidence"] = [{"id": "https://example.org/e", "type": ["Evidence"]}, {"id": "e 2", "type": ["Evidence"]}]
    assert jsonld.safe_mode_problems(document) == [
        "credentialSubject.id (relative @id reference 'learner 1')",
        "evidence[1].id (relative @id reference 'e 2')",
    ]
