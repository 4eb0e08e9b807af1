"""The data-model check: the same pure function runs when issuing and verifying.

It validates an OpenBadgeCredential against both published 1EdTech JSON Schemas
for AchievementCredential (OB 3.0 §1.2.3 and App. E.2 JSON Schema: the strict 2024 file and the
JSON-LD-adapted 2026 file), plus the rules the schemas cannot express.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

import jsonschema_rs
from jsonschema import Draft201909Validator

from .contexts import OB_V3, VC_V2

# XML Schema dateTimeStamp: a date-time that carries its time zone.
_DATE_TIME_STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")

SCHEMAS = {
    "strict": "ob_v3p0_achievementcredential_schema.strict.json",
    "adapted": "ob_v3p0_achievementcredential_schema.adapted.json",
}


@cache
def schema_document(name: str) -> dict[str, Any]:
    """One of the bundled 1EdTech OB 3.0 JSON Schemas, parsed."""
    text = (resources.files("credpress") / "data" / "schemas" / SCHEMAS[name]).read_text("utf-8")
    return json.loads(text)


@cache
def _validator(name: str) -> Draft201909Validator:
    """The reference validator (jsonschema, draft 2019-09): full error messages."""
    return Draft201909Validator(schema_document(name))


@cache
def _fast_validator(name: str) -> Any:
    """A native validator for the common, valid case (~40x faster than fastjsonschema).

    jsonschema-rs implements draft 2019-09 itself, so the schemas are used as they
    are. It only ever says "valid"; any doubt goes to the reference validator, and
    tests/test_schema.py checks that both agree.
    """
    # In 2019-09 "format" is an annotation, not an assertion (jsonschema's default
    # too); dates are checked by data_model_errors instead.
    return jsonschema_rs.Draft201909Validator(schema_document(name), validate_formats=False)


def _fast_valid(credential: Any) -> bool:
    try:
        return all(_fast_validator(name).is_valid(credential) for name in SCHEMAS)
    except Exception:  # a value it cannot take: let the reference validator decide
        return False


def schema_errors(credential: Any) -> list[str]:
    """Messages for every violation of either OB 3.0 schema (empty when valid)."""
    if _fast_valid(credential):
        return []
    errors = []
    for name in SCHEMAS:
        for error in sorted(_validator(name).iter_errors(credential), key=lambda e: list(e.absolute_path)):
            where = ".".join(str(p) for p in error.absolute_path) or "(top level)"
            errors.append(f"{name} schema: {where}: {error.message}")
    return errors


def data_model_errors(credential: Any) -> list[str]:
    """Rules of VC 2.0 / OB 3.0 the JSON Schemas do not check."""
    if not isinstance(credential, dict):
        return ["credential is not a JSON object"]
    errors = []
    context = credential.get("@context")
    if not isinstance(context, list) or context[:1] != [VC_V2]:
        errors.append(f"@context must start with {VC_V2}")
    elif len(context) < 2 or not str(context[1]).startswith("https://purl.imsglobal.org/spec/ob/v3p0/context"):
        errors.append(f"@context must name an OB 3.0 context second (use {OB_V3})")
    types = credential.get("type")
    types = types if isinstance(types, list) else [types]
    if "VerifiableCredential" not in types or not {"OpenBadgeCredential", "AchievementCredential"} & set(types):
        errors.append("type must include VerifiableCredential and OpenBadgeCredential")
    for name in ("validFrom", "validUntil", "awardedDate"):
        value = credential.get(name)
        if value is not None and not (isinstance(value, str) and _DATE_TIME_STAMP.match(value)):
            errors.append(f"{name} must be a date-time with a time zone (e.g. 2026-03-14T00:00:00Z)")
    subject = credential.get("credentialSubject")
    if isinstance(subject, dict) and "id" not in subject and not subject.get("identifier"):
        errors.append("credentialSubject needs an id or an identifier")
    return errors


def check_credential(credential: Any) -> list[str]:
    """Every data-model and schema problem of *credential* (empty when valid)."""
    return data_model_errors(credential) + schema_errors(credential)
