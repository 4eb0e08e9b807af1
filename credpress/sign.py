"""Stage 5, sign: every credential and status list gets its Data Integrity proofs.

Each credential's unsigned document is built (:mod:`credpress.documents`),
checked against the OB 3.0 data model, then signed with both cryptosuites, on
all cores for large builds (:mod:`credpress.workers`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from . import workers
from .build_cache import BuildCache
from .content.model import Issuer, Model
from .documents.credential import CONTEXT, unsigned_credential
from .documents.learner import LearnerRecord, unsigned_clr
from .documents.record import CredentialRecord
from .documents.signed_store import SignedStore
from .documents.status_list import status_lists
from .errors import ContentError, JsonLdError, Problem
from .output.writer import json_bytes
from .site.layout import Layout
from .vc import clr, cryptosuites, datamodel
from .vc.keys import SigningKey


def credential_problems(record: CredentialRecord, document: dict[str, Any]) -> list[Problem]:
    """Why *document* (the record's unsigned credential) may not be issued, as content problems."""
    award = record.award
    return [
        Problem(award.source, award.line, "", f"credential would be invalid: {e}")
        for e in datamodel.check_credential(document)
    ]


def verification_method(model: Model, key: SigningKey, issuer: Issuer) -> str:
    """The DID URL of *issuer*'s key that signs its documents with *key* (its active key):
    credentials, learner records and status lists alike."""
    return f"{Layout(model.site).issuer_did(issuer.slug)}#{issuer.active_key(key.public_multibase).id}"


def _sign_record(
    model: Model, key: SigningKey, record: CredentialRecord, method: str
) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Unsigned credential → data-model check → signed with *method*, the issuer's
    :func:`verification_method` (or the problems)."""
    document = unsigned_credential(record, model)
    problems = credential_problems(record, document)
    if problems:
        return None, problems
    try:
        return cryptosuites.sign_document(
            document, key, method, document["validFrom"], cryptosuites.CREDENTIAL_SUITES
        ), []
    except JsonLdError as exc:
        return None, [Problem(record.award.source, record.award.line, "", str(exc))]


Signed = tuple[bytes | None, list[Problem]]  # the signed credential's file bytes, or the problems


def _signed_bytes(model: Model, key: SigningKey, record: CredentialRecord, methods: dict[str, str]) -> Signed:
    slug = record.issuer.slug
    if slug not in methods:  # one DID URL per issuer, not one per credential
        methods[slug] = verification_method(model, key, record.issuer)
    signed, problems = _sign_record(model, key, record, methods[slug])
    return (json_bytes(signed) if signed is not None else None), problems


_SignState = tuple[Model, SigningKey, tuple[CredentialRecord, ...], dict[int, Signed], dict[str, str]]


def _sign_index(state: _SignState, index: int) -> Signed:
    model, key, records, done, methods = state
    return done[index] if index in done else _signed_bytes(model, key, records[index], methods)


def _first_of_each_achievement(records: tuple[CredentialRecord, ...]) -> list[int]:
    first: dict[tuple[str, str], int] = {}
    for index, record in enumerate(records):
        first.setdefault((record.issuer.slug, record.achievement.slug), index)
    return sorted(first.values())


def sign_credentials(
    model: Model,
    key: SigningKey,
    records: tuple[CredentialRecord, ...],
    progress: Callable[[int], None] | None = None,
    on_signed: Callable[[CredentialRecord], None] | None = None,
    store: SignedStore | None = None,
) -> tuple[CredentialRecord, ...]:
    """Every record with its signed credential; ContentError with every problem otherwise.
    *progress* is called with the number signed so far, now and then; *on_signed* with each
    signed record as soon as it is signed, while the workers sign the next ones (the build
    writes its JSON file then), until a record has problems. With a *store*, the records
    returned keep their bytes there rather than in memory."""
    # One credential of each achievement is signed here first, so the shapes of the
    # canonicalizer (credpress.vc.shapes) are learned once, before the workers fork and
    # inherit them, not once in every worker.
    methods: dict[str, str] = {}  # issuer slug -> its verification method, filled as met
    done = {index: _signed_bytes(model, key, records[index], methods) for index in _first_of_each_achievement(records)}
    signed: list[CredentialRecord] = []
    problems: list[Problem] = []
    results = workers.imap_indices(_sign_index, len(records), (model, key, records, done, methods), progress=progress)
    for record, (data, found) in zip(records, results):
        problems += found
        if data is not None:
            # Only the bytes are kept (and sent back by the workers): see CredentialRecord.document.
            record = record.with_signed(None, data)
            if on_signed is not None and not problems:
                on_signed(record)
            signed.append(record.stored_in(store) if store is not None else record)
    if problems:
        raise ContentError(problems)
    return tuple(signed)


def sign_learner_records(
    model: Model, key: SigningKey, records: tuple[LearnerRecord, ...]
) -> tuple[LearnerRecord, ...]:
    """Every learner record with its signed ClrCredential (checked against the CLR 2.0 schema
    first); ContentError naming the learner's first award otherwise."""
    signed, problems = [], []
    for record in records:
        document = unsigned_clr(record, model)
        first = record.credentials[0].award
        found = [f"learner record would be invalid: {e}" for e in clr.check_clr(document)]
        method = verification_method(model, key, record.issuer)
        try:
            if not found:
                signed.append(
                    record.with_signed(
                        cryptosuites.sign_document(
                            document, key, method, document["validFrom"], cryptosuites.CREDENTIAL_SUITES
                        )
                    )
                )
        except JsonLdError as exc:
            found.append(f"learner record: {exc}")
        problems += [Problem(first.source, first.line, "recipient.public_record", message) for message in found]
    if problems:
        raise ContentError(problems)
    return tuple(signed)


def sign_credentials_cached(
    model: Model,
    key: SigningKey,
    records: tuple[CredentialRecord, ...],
    cache: BuildCache,
    progress: Callable[[int, int], None] | None = None,
    on_signed: Callable[[CredentialRecord], None] | None = None,
    store: SignedStore | None = None,
) -> tuple[tuple[CredentialRecord, ...], dict[str, str]]:
    """:func:`sign_credentials`, reusing the cache's signed credential of every record whose
    inputs did not change, and storing the others. Also returns credential id -> SHA-256 of
    the signed JSON's bytes (for the build summary). *progress* gets (signed, to sign);
    *on_signed* each record, reused ones first; *store* as for :func:`sign_credentials`."""
    methods: dict[str, str] = {}  # issuer slug -> its verification method
    for record in records:
        if record.issuer.slug not in methods:
            methods[record.issuer.slug] = verification_method(model, key, record.issuer)
    entry_keys = [cache.signed_key(model.site, r, methods[r.issuer.slug]) for r in records]
    reused: dict[int, bytes] = {}
    for index, (record, entry) in enumerate(zip(records, entry_keys)):
        body = cache.get("signed", entry)
        if body is not None and _is_entry_of(body, record):
            reused[index] = body
    fresh_indexes = [i for i in range(len(records)) if i not in reused]
    report = (lambda done: progress(done, len(fresh_indexes))) if progress and fresh_indexes else None
    known: dict[int, CredentialRecord] = {}
    for index, body in reused.items():
        record = records[index].with_signed(None, body)  # parsed when first needed
        if on_signed is not None:
            on_signed(record)
        known[index] = record.stored_in(store) if store is not None else record
    del reused
    fresh = iter(sign_credentials(model, key, tuple(records[i] for i in fresh_indexes), report, on_signed, store))
    signed: list[CredentialRecord] = []
    digests: dict[str, str] = {}
    for index, (record, entry) in enumerate(zip(records, entry_keys)):
        if index in known:
            record = known[index]
        else:
            record = next(fresh)
            body = record.document_bytes
            cache.put("signed", entry, body)
        signed.append(record)
        assert record.signed_digest is not None
        digests[record.credential_id] = record.signed_digest
    return tuple(signed), digests


def _is_entry_of(body: bytes, record: CredentialRecord) -> bool:
    """Whether a cache entry's signed credential is this record's (else: sign again)."""
    # The entry's tag proves this build's code wrote it with json_bytes(), from a document that
    # starts with its "@context" and then its "id" (documents.credential): the bytes start as
    # json_bytes() writes those two, whatever its formatting. Guards against a key collision.
    head = json_bytes({"@context": CONTEXT, "id": record.url}).rstrip()[:-1].rstrip()
    return body.startswith(head) and body[len(head) : len(head) + 1] == b","


def sign_status_lists(
    model: Model,
    key: SigningKey,
    records: tuple[CredentialRecord, ...],
    erased: Mapping[str, Sequence[tuple[int, date]]] | None = None,
    learner_records: Sequence[LearnerRecord] = (),
) -> dict[str, dict[int, dict[str, Any]]]:
    """Each issuer's revocation lists (list number -> list), signed, with the bits of its revoked awards
    and of its erased credentials (*erased*: issuer slug -> (index, date), from the lock) set."""
    lists: dict[str, dict[int, dict[str, Any]]] = {}
    for slug, issuer in model.issuers.items():
        method = verification_method(model, key, issuer)
        documents = status_lists(issuer, model, records, (erased or {}).get(slug, ()), learner_records)
        lists[slug] = {
            number: cryptosuites.sign_document(
                document, key, method, document["validFrom"], cryptosuites.CREDENTIAL_SUITES
            )
            for number, document in documents.items()
        }
    return lists
