"""The CLR 2.0 data-model check: the same pure function runs when issuing and verifying.

A ``ClrCredential`` is validated against the published 1EdTech JSON Schema
(``clr_v2p0_clrcredential_schema.json``, JSON-LD-adapted; the only variant
published), plus the rules the schema cannot express. Each embedded credential
is checked on its own by the verifier, as an OpenBadgeCredential
(:mod:`credpress.vc.datamodel`).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import jsonschema_rs
from jsonschema import Draft201909Validator

from .contexts import VC_V2
from .datamodel import data_model_errors

SCHEMA = "clr_v2p0_clrcredential_schema.json"


def is_clr(document: Any) -> bool:
    """Whether *document* says it is a ClrCredential (its ``type`` names it)."""
    if not isinstance(document, dict):
        return False
    types = document.get("type")
    return "ClrCredential" in (types if isinstance(types, list) else [types])


@cache
def schema_document() -> dict[str, Any]:
    """The bundled 1EdTech CLR 2.0 ClrCredential JSON Schema, parsed."""
    return json.loads((resources.files("credpress") / "data" / "schemas" / SCHEMA).read_text("utf-8"))


@cache
def _validator() -> Draft201909Validator:
    return Draft201909Validator(schema_document())


@cache
def _fast_validator() -> Any:
    # As in vc.datamodel: the native validator only ever says "valid"; doubt goes to jsonschema.
    return jsonschema_rs.Draft201909Validator(schema_document(), validate_formats=False)


def schema_errors(document: Any) -> list[str]:
    """Messages for every violation of the CLR 2.0 schema (empty when valid)."""
    try:
        if _fast_validator().is_valid(document):
            return []
    except Exception:  # a value the native validator cannot take: let jsonschema decide
        pass
    errors = []
    for error in sorted(_validator().iter_errors(document), key=lambda e: list(e.absolute_path)):
        where = ".".join(str(p) for p in error.absolute_path) or "(top level)"
        errors.append(f"CLR 2.0 schema: {where}: {error.message}")
    return errors


def clr_model_errors(document: Any) -> list[str]:
    """Rules of VC 2.0 / CLR 2.0 the JSON Schema does not check."""
    if not isinstance(document, dict):
        return ["credential is not a JSON object"]
    errors = []
    context = document.get("@context")
    if not isinstance(context, list) or context[:1] != [VC_V2]:
        errors.append(f"@context must start with {VC_V2}")
    types = document.get("type")
    if not isinstance(types, list) or not {"VerifiableCredential", "ClrCredential"} <= set(types):
        errors.append("type must include VerifiableCredential and ClrCredential")
    # Dates and the subject's id-or-identifier follow the same rules as an OB credential's.
    errors += [e for e in data_model_errors(document) if not e.startswith(("@context", "type"))]
    subject = document.get("credentialSubject")
    embedded = subject.get("verifiableCredential") if isinstance(subject, dict) else None
    if not isinstance(embedded, list) or not embedded:
        errors.append("credentialSubject.verifiableCredential must list the credentials the record holds")
    return errors


def check_clr(document: Any) -> list[str]:
    """Every data-model and schema problem of a ClrCredential (empty when valid)."""
    return clr_model_errors(document) + schema_errors(document)
