"""Stage 5, sign: every credential and status list gets its Data Integrity proofs.

Each credential's unsigned document is built (:mod:`credpress.documents`),
checked against the OB 3.0 data model, then signed with both cryptosuites, on
all cores for large builds (:mod:`credpress.workers`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from . import workers
from .content.model import Model
from .documents.credential import unsigned_credential
from .documents.record import CredentialRecord
from .documents.status_list import status_list
from .errors import ContentError, JsonLdError, Problem
from .site.layout import Layout
from .vc import cryptosuites, datamodel
from .vc.keys import SigningKey


def credential_problems(record: CredentialRecord, document: dict[str, Any]) -> list[Problem]:
    """Why *document* (the record's unsigned credential) may not be issued, as content problems."""
    award = record.award
    return [
        Problem(award.source, award.line, "", f"credential would be invalid: {e}")
        for e in datamodel.check_credential(document)
    ]


def _sign_record(
    model: Model, key: SigningKey, record: CredentialRecord
) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Unsigned credential → data-model check → signed (or the problems)."""
    document = unsigned_credential(record, model)
    problems = credential_problems(record, document)
    if problems:
        return None, problems
    method = f"{Layout(model.site).issuer_did(record.issuer.slug)}#{record.issuer.active_key(key.public_multibase).id}"
    try:
        return cryptosuites.sign_document(
            document, key, method, document["validFrom"], cryptosuites.CREDENTIAL_SUITES
        ), []
    except JsonLdError as exc:
        return None, [Problem(record.award.source, record.award.line, "", str(exc))]


Signed = tuple[dict[str, Any] | None, list[Problem]]


def _sign_index(state: tuple[Model, SigningKey, tuple[CredentialRecord, ...], dict[int, Signed]], index: int) -> Signed:
    model, key, records, done = state
    return done[index] if index in done else _sign_record(model, key, records[index])


def _first_of_each_achievement(records: tuple[CredentialRecord, ...]) -> list[int]:
    first: dict[tuple[str, str], int] = {}
    for index, record in enumerate(records):
        first.setdefault((record.issuer.slug, record.achievement.slug), index)
    return sorted(first.values())


def sign_credentials(
    model: Model, key: SigningKey, records: tuple[CredentialRecord, ...]
) -> tuple[CredentialRecord, ...]:
    """Every record with its signed credential; ContentError with every problem otherwise."""
    # One credential of each achievement is signed here first, so the shapes of the
    # canonicalizer (credpress.vc.shapes) are learned once, before the workers fork and
    # inherit them, not once in every worker.
    done = {index: _sign_record(model, key, records[index]) for index in _first_of_each_achievement(records)}
    results = workers.map_indices(_sign_index, len(records), (model, key, records, done))
    problems = [p for _, found in results for p in found]
    if problems:
        raise ContentError(problems)
    return tuple(record.with_signed(signed) for record, (signed, _) in zip(records, results) if signed is not None)


def sign_status_lists(
    model: Model,
    key: SigningKey,
    records: tuple[CredentialRecord, ...],
    erased: Mapping[str, Sequence[tuple[int, date]]] | None = None,
) -> dict[str, dict[str, Any]]:
    """Each issuer's revocation list, signed, with the bits of its revoked awards and of its
    erased credentials (*erased*: issuer slug -> (index, date), from the lock) set."""
    layout = Layout(model.site)
    lists = {}
    for slug, issuer in model.issuers.items():
        document = status_list(issuer, model, records, (erased or {}).get(slug, ()))
        method = f"{layout.issuer_did(slug)}#{issuer.active_key(key.public_multibase).id}"
        lists[slug] = cryptosuites.sign_document(
            document, key, method, document["validFrom"], cryptosuites.CREDENTIAL_SUITES
        )
    return lists
