"""One record per issued credential, carried through every later stage.

A :class:`CredentialRecord` joins what earlier stages made separately: the award,
the achievement and issuer it refers to, the values the lock file assigned it,
where its files go, and (after signing) its signed document. Later stages read
the record instead of looking things up again by fingerprint or slug.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..content.lock import Assignment
from ..content.model import Achievement, Award, Evidence, Issuer, Model
from ..output.writer import json_bytes
from ..site.layout import Layout
from . import signed_store


@dataclass(frozen=True)
class CredentialRecord:
    """An issued credential: its award, its lock values, its paths and its documents."""

    award: Award
    achievement: Achievement
    issuer: Issuer
    assignment: Assignment
    json_path: str  # output path of the credential JSON (its id is this path's URL)
    page_path: str  # output path of its badge page (a folder)
    url: str  # the credential's id
    page_url: str
    qr_path: str  # output path of the QR code that leads to the badge page
    signed: dict[str, Any] | None = None
    signed_json: bytes | None = None  # the signed credential's file bytes, when already formatted
    signed_digest: str | None = None  # SHA-256 of signed_json (hex), so workers need not touch the bytes
    signed_stored: tuple[int, int, int] | None = None  # where a SignedStore keeps the bytes instead
    components: tuple[CredentialRecord, ...] = ()  # a stacked credential's components (its evidence)
    learner_page: str | None = None  # the page of its learner's record, if they opted in (public_record)

    @property
    def stacked(self) -> bool:
        """Whether the build issued this credential because its learner completed a stack."""
        return self.award.stacked

    @property
    def credential_id(self) -> str:
        """The UUID the lock file assigned."""
        return self.assignment.credential_id

    @property
    def document(self) -> dict[str, Any]:
        """The signed credential (only after the sign stage). A record signed by this build or
        taken from the build cache holds only its file bytes (a credential's parsed JSON takes
        several times the memory), read again each time the document is asked for: only the
        badge pages rendered again and learner records need it."""
        if self.signed is not None:
            return self.signed
        document: dict[str, Any] = json.loads(self.document_bytes)
        return document

    @property
    def document_bytes(self) -> bytes:
        """The signed credential as its published file's bytes."""
        if self.signed_json is not None:
            return self.signed_json
        if self.signed_stored is not None:
            return signed_store.read(self.signed_stored)
        if self.signed is None:
            raise ValueError(f"credential {self.credential_id} has not been signed")
        return json_bytes(self.signed)

    def with_signed(self, signed: dict[str, Any] | None, signed_json: bytes | None = None) -> CredentialRecord:
        """This record with its signed credential (and, if known, its file bytes: ``json_bytes(signed)``;
        the bytes alone are enough)."""
        digest = hashlib.sha256(signed_json).hexdigest() if signed_json is not None else None
        return replace(self, signed=signed, signed_json=signed_json, signed_digest=digest, signed_stored=None)

    def stored_in(self, store: signed_store.SignedStore) -> CredentialRecord:
        """This signed record with its file bytes kept in *store* instead of in memory."""
        data = self.document_bytes
        return replace(self, signed=None, signed_json=None, signed_stored=store.add(data))


def credential_records(
    model: Model,
    assignments: Mapping[str, Assignment],
    stacked: Sequence[tuple[Award, Sequence[Award]]] = (),
) -> tuple[CredentialRecord, ...]:
    """A record for every award of *model*, in award order, then for every stacked award
    (components first, from :mod:`.stacks`), from the lock's assignments.

    A stacked record knows its component records; its evidence lists their URLs
    (type Evidence, named after the component's achievement).
    """
    layout = Layout(model.site)
    records: list[CredentialRecord] = []
    by_fingerprint: dict[str, CredentialRecord] = {}
    pending: list[tuple[Award, Sequence[Award]]] = [(award, ()) for award in model.awards] + list(stacked)
    for award, parts in pending:
        components = tuple(by_fingerprint[p.fingerprint] for p in parts)
        if award.stacked:
            award = replace(
                award,
                evidence=tuple(Evidence(c.achievement.name, c.url, None) for c in components),
            )
        assignment = assignments[award.fingerprint]
        achievement = model.achievements[award.achievement]
        json_path = layout.credential_json(assignment.credential_id)
        page_path = layout.credential_page(assignment.credential_id)
        records.append(
            CredentialRecord(
                award=award,
                achievement=achievement,
                issuer=model.issuers[achievement.issuer],
                assignment=assignment,
                json_path=json_path,
                page_path=page_path,
                url=layout.url(json_path),
                page_url=layout.url(page_path),
                components=components,
                qr_path=layout.credential_qr(assignment.credential_id),
            )
        )
        by_fingerprint[award.fingerprint] = records[-1]
    return tuple(records)
