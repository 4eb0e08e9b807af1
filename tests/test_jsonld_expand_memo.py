"""The memo of expanded objects (credpress.vc.processor) never changes a canonical form.

Compared with pyld exactly as published (both memos off) on documents built to
hit the memo with near-misses: every one-field variant of a real credential, the
same object under different properties, and the same object with and without
the ``type`` that brings in its type-scoped context.
"""

from __future__ import annotations

import json

from jsonpaths import leaves, with_value
from pyld import jsonld as pyld
from test_jsonld import _unpatched_canon

from credpress.vc import jsonld, processor
from credpress.vc.processor import MemoProcessor


def _canon_or_error(document):
    try:
        return jsonld.canonize(document)
    except Exception as exc:  # a variant may drop a term: then both must refuse it
        return type(exc).__name__


def _unpatched_or_error(document):
    try:
        # canonize refuses dropped terms and what jsonld.js safe mode refuses
        expanded_ok = not jsonld.dropped_terms(document) and not jsonld.safe_mode_problems(document)
    except Exception as exc:
        return type(exc).__name__
    return _unpatched_canon(document) if expanded_ok else "JsonLdError"


def test_memo_is_private_and_used(example_site):
    # pyld as every other importer sees it is untouched; only our canonicalizer
    # uses the memoising subclass, and it does use it.
    assert pyld.JsonLdProcessor._expand is not MemoProcessor._expand
    assert pyld.JsonLdProcessor._process_context is not MemoProcessor._process_context
    processor._expand_memo.clear()
    path = next((example_site / "credentials").glob("*.json"))
    # the pyld route: the shape route may answer from a shape learned earlier, unexpanded
    jsonld.canonize({k: v for k, v in json.loads(path.read_text()).items() if k != "proof"}, via="pyld")
    assert processor._expand_memo


def test_one_field_variants_match_unpatched_pyld(example_site):
    path = max((example_site / "credentials").glob("*.json"), key=lambda p: len(p.read_text()))
    credential = {k: v for k, v in json.loads(path.read_text()).items() if k != "proof"}
    jsonld.canonize(credential)  # fill the memo with the original's objects first
    variants = []
    for where, value in leaves(credential, skip=("@context",)):
        changed = (
            (not value) if isinstance(value, bool) else value + 1 if isinstance(value, (int, float)) else value + "x"
        )
        variants.append(with_value(credential, where, changed))
    assert len(variants) > 60
    for variant in variants:
        assert _canon_or_error(variant) == _unpatched_or_error(variant)
    # and the original still canonicalises as before, after all those entries
    assert jsonld.canonize(credential) == _unpatched_canon(credential)


def test_same_object_under_other_properties_and_types(example_site):
    path = next((example_site / "credentials").glob("*.json"))
    credential = {k: v for k, v in json.loads(path.read_text()).items() if k != "proof"}
    achievement = credential["credentialSubject"]["achievement"]
    image = achievement["image"]
    cases = [
        # the achievement's image also as the credential's and the subject's image
        {**credential, "image": image, "credentialSubject": {**credential["credentialSubject"], "image": image}},
        # the same Profile as issuer and as the achievement's creator
        with_value(credential, ("credentialSubject", "achievement", "creator"), credential["issuer"]),
        # an Achievement without its type: its type-scoped terms are dropped (refused)
        with_value(credential, ("credentialSubject", "achievement", "type"), ["Thing"]),
        # the subject without AchievementSubject: "achievement" becomes undefined
        with_value(credential, ("credentialSubject", "type"), ["Thing"]),
    ]
    for document in cases:
        jsonld.canonize(credential)
        assert _canon_or_error(document) == _unpatched_or_error(document)
