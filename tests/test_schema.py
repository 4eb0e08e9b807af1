"""Both OB 3.0 schemas: every example credential passes; the fast path agrees with jsonschema."""

from __future__ import annotations

import json

from jsonpaths import paths, with_value, without
from jsonschema import Draft201909Validator

from credpress.vc import datamodel as schema


def _credentials(site):
    return [json.loads(p.read_text()) for p in sorted((site / "credentials").glob("*.json"))]


def test_every_example_credential_validates_against_both_schemas(example_site):
    credentials = _credentials(example_site)
    assert len(credentials) >= 10
    for name in schema.SCHEMAS:
        reference = Draft201909Validator(schema.schema_document(name))
        for credential in credentials:
            errors = [e.message for e in reference.iter_errors(credential)]
            assert errors == [], (name, credential["id"], errors)


def _mutations(document):
    """Copies of *document* with one value replaced by each wrong-typed value, or removed."""
    for path in paths(document):
        for replacement in (None, 42, "text", {}):
            yield with_value(document, path, replacement)
        yield without(document, path)


def test_fast_validator_agrees_with_reference(example_site):
    credential = _credentials(example_site)[0]
    references = {name: Draft201909Validator(schema.schema_document(name)) for name in schema.SCHEMAS}
    checked = invalid = 0
    for mutated in _mutations(credential):
        expected = all(v.is_valid(mutated) for v in references.values())
        assert schema._fast_valid(mutated) == expected
        checked += 1
        invalid += not expected
    assert checked > 500 and invalid > 100


def test_schema_errors_name_the_field(example_site):
    credential = _credentials(example_site)[0]
    credential["image"] = "https://example.test/badge.png"
    assert "strict schema: image: 'https://example.test/badge.png' is not of type 'object'" in schema.schema_errors(
        credential
    )


def test_data_model_rules():
    assert schema.data_model_errors(
        {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "credentialSubject": {},
        }
    ) == [
        "@context must name an OB 3.0 context second (use https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json)",
        "type must include VerifiableCredential and OpenBadgeCredential",
        "credentialSubject needs an id or an identifier",
    ]
