"""Learner records: one per opted-in learner and issuer, and its unsigned CLR 2.0 ``ClrCredential``.

A :class:`LearnerRecord` gathers, for a learner who set ``public_record: true``,
the credential records of one issuer they hold (revoked ones left out), its lock
values and its paths. Its document embeds each credential exactly as it was
signed and published, with its own proofs (CLR 2.0 ``ClrSubject.verifiableCredential``),
the achievements they assert, and the ``Association`` objects between a stack's
achievement and each component it requires that the learner also holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from ..content.learners import learners
from ..content.lock import Assignment
from ..content.model import Issuer, Model
from ..dates import timestamp
from ..site.layout import Layout
from ..vc.contexts import CLR_V2, OB_V3, VC_V2
from .credential import achievement_object, identity_objects, image_object, issuer_profile, status_object
from .record import CredentialRecord

CLR_CONTEXT = [VC_V2, CLR_V2, OB_V3]  # the order the CLR 2.0 schema requires


@dataclass(frozen=True)
class LearnerRecord:
    """An opted-in learner's record of one issuer's credentials."""

    key: str  # its lock key
    name: str  # the learner's name, from their latest award
    issuer: Issuer
    credentials: tuple[CredentialRecord, ...]  # the credentials it embeds, in award order
    assignment: Assignment
    json_path: str
    page_path: str
    url: str  # the ClrCredential's id
    page_url: str
    signed: dict[str, Any] | None = None

    @property
    def record_id(self) -> str:
        """The UUID the lock file assigned."""
        return self.assignment.credential_id

    @property
    def document(self) -> dict[str, Any]:
        """The signed ClrCredential (only after the sign stage)."""
        if self.signed is None:
            raise ValueError(f"learner record {self.record_id} has not been signed")
        return self.signed

    def with_signed(self, signed: dict[str, Any]) -> LearnerRecord:
        """This record with its signed ClrCredential."""
        return replace(self, signed=signed)


def learner_records(
    model: Model, records: tuple[CredentialRecord, ...], assignments: Mapping[str, Assignment]
) -> tuple[LearnerRecord, ...]:
    """A record for every opted-in learner and issuer with an unrevoked credential (from *assignments*)."""
    layout = Layout(model.site)
    by_fingerprint = {r.award.fingerprint: r for r in records}
    found = []
    for learner in learners(model):
        if learner.key not in assignments:
            continue
        held = tuple(by_fingerprint[a.fingerprint] for a in learner.awards if not a.revoked)
        if not held:
            continue
        assignment = assignments[learner.key]
        json_path = layout.learner_record_json(assignment.credential_id)
        page_path = layout.learner_record_page(assignment.credential_id)
        latest = max(learner.awards, key=lambda a: a.awarded)
        found.append(
            LearnerRecord(
                key=learner.key,
                name=latest.recipient.name,
                issuer=model.issuers[learner.issuer],
                credentials=held,
                assignment=assignment,
                json_path=json_path,
                page_path=page_path,
                url=layout.url(json_path),
                page_url=layout.url(page_path),
            )
        )
    return tuple(found)


def link_learner_pages(
    records: tuple[CredentialRecord, ...], learner_records: tuple[LearnerRecord, ...]
) -> tuple[CredentialRecord, ...]:
    """Every credential record, those in a learner record with its page path (``learner_page``)."""
    pages = {r.award.fingerprint: lr.page_path for lr in learner_records for r in lr.credentials}
    return tuple(replace(r, learner_page=pages.get(r.award.fingerprint)) for r in records)


def associations(record: LearnerRecord, model: Model) -> list[dict[str, Any]]:
    """CLR 2.0 ``Association``s between the achievements the record holds: a stack ``isParentOf``
    each component it requires, and each component ``isPartOf`` the stack (CLR 2.0 Association,
    AssociationType). credpress has no ordering of components, so no ``precedes``."""
    layout = Layout(model.site)
    held = list(dict.fromkeys(r.achievement.slug for r in record.credentials))
    found = []
    for slug in held:
        for part in model.achievements[slug].stack:
            if part in held:
                stack_id = layout.url(layout.achievement_json(slug))
                part_id = layout.url(layout.achievement_json(part))
                found.append(_association("isParentOf", stack_id, part_id))
                found.append(_association("isPartOf", part_id, stack_id))
    return found


def _association(kind: str, source: str, target: str) -> dict[str, Any]:
    return {"type": "Association", "associationType": kind, "sourceId": source, "targetId": target}


def unsigned_clr(record: LearnerRecord, model: Model) -> dict[str, Any]:
    """The learner record's ClrCredential, without its proof (CLR 2.0 ClrCredential, ClrSubject)."""
    layout = Layout(model.site)
    first = record.credentials[0].award.recipient
    subject: dict[str, Any] = {"type": ["ClrSubject"]}
    if first.did:
        subject["id"] = first.did
    identifiers = identity_objects(first, record.assignment.salt, record.name)
    subject["identifier"] = identifiers
    subject["verifiableCredential"] = [r.document for r in record.credentials]
    achievements = dict.fromkeys(r.achievement.slug for r in record.credentials)
    subject["achievement"] = [achievement_object(model.achievements[slug], model) for slug in achievements]
    links = associations(record, model)
    if links:
        subject["association"] = links
    issuer = record.issuer
    # The record is as new as its newest credential, never the clock: same input, same bytes.
    valid_from = max(r.award.valid_from for r in record.credentials)
    document: dict[str, Any] = {
        "@context": list(CLR_CONTEXT),
        "id": record.url,
        "type": ["VerifiableCredential", "ClrCredential"],
        "name": f"{record.name}: learning record from {issuer.name}",
        "description": f"The credentials {record.name} holds from {issuer.name}, each with its own proofs.",
    }
    if issuer.image:
        document["image"] = image_object(issuer.image, layout, f"{issuer.name} logo")
    document["issuer"] = issuer_profile(issuer, model)
    document["validFrom"] = timestamp(valid_from)
    document["credentialSubject"] = subject
    document["credentialStatus"] = status_object(layout, issuer.slug, record.assignment)
    return document
