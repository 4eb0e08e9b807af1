"""Unsigned Open Badges 3.0 documents from the model (pure).

Shapes follow the OB 3.0 data model in the strict-schema form: ``type`` arrays,
``image`` objects, ``@context`` [VC v2, OB 3.0.3]. The same functions build the
documents embedded in credentials and the ones published on their own.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from ..content.lock import Assignment
from ..content.model import Achievement, Award, Evidence, ImageFile, Issuer, Model, Recipient
from ..dates import add_duration, timestamp
from ..site.layout import Layout
from ..vc import bitstring
from ..vc.contexts import OB_V3, VC_V2
from ..vc.recipient import email_identity
from .plain_text import plain_text
from .record import CredentialRecord

CONTEXT = [VC_V2, OB_V3]


def valid_until(award: Award, achievement: Achievement) -> datetime | None:
    """When the credential stops being valid: the award's own date, or its achievement's period."""
    if award.expires is not None:
        return datetime(award.expires.year, award.expires.month, award.expires.day, tzinfo=timezone.utc)
    if achievement.expires_after:
        return add_duration(award.awarded, achievement.expires_after)
    return None


def image_object(image: ImageFile, layout: Layout, caption: str) -> dict[str, Any]:
    """An OB ``Image`` for a published content image."""
    return {"id": layout.url(layout.image(image.rel)), "type": "Image", "caption": caption}


def issuer_profile(issuer: Issuer, model: Model) -> dict[str, Any]:
    """The issuer's OB ``Profile``; its ``id`` is the issuer's did:web DID."""
    layout = Layout(model.site)
    profile: dict[str, Any] = {
        "id": layout.issuer_did(issuer.slug),
        "type": ["Profile"],
        "name": issuer.name,
        "url": issuer.url,
        "email": issuer.email,
    }
    if issuer.description:
        # description is plain text; Markdown only in narrative fields (OB 3.0 App. B, Profile).
        profile["description"] = plain_text(issuer.description)
    if issuer.image:
        profile["image"] = image_object(issuer.image, layout, f"{issuer.name} logo")
    return profile


def achievement_object(achievement: Achievement, model: Model) -> dict[str, Any]:
    """The OB ``Achievement``; its ``id`` is the URL of its published JSON."""
    layout = Layout(model.site)
    doc: dict[str, Any] = {
        "id": layout.url(layout.achievement_json(achievement.slug)),
        "type": ["Achievement"],
        "achievementType": achievement.type,
        "name": achievement.name,
        # Plain text (OB 3.0 App. B, Achievement); criteria.narrative keeps its Markdown.
        "description": plain_text(achievement.description),
        "criteria": {
            "id": layout.url(layout.achievement_page(achievement.slug)),
            "narrative": achievement.criteria,
        },
    }
    if achievement.image:
        doc["image"] = image_object(achievement.image, layout, f"{achievement.name} badge")
    doc["creator"] = {
        "id": layout.issuer_did(achievement.issuer),
        "type": ["Profile"],
        "name": model.issuers[achievement.issuer].name,
    }
    if achievement.credits is not None:
        doc["creditsAvailable"] = achievement.credits
    if achievement.tags:
        doc["tag"] = list(achievement.tags)
    if achievement.alignment:
        doc["alignment"] = [_alignment(a) for a in achievement.alignment]
    doc["inLanguage"] = model.site.language
    return doc


def _alignment(alignment: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": ["Alignment"], "targetName": alignment.name, "targetUrl": alignment.url}
    if alignment.framework:
        out["targetFramework"] = alignment.framework
    if alignment.code:
        out["targetCode"] = alignment.code
    return out


def identity_objects(recipient: Recipient, salt: str, name: str) -> list[dict[str, Any]]:
    """A subject's IdentityObjects: the hashed email (with *salt*, drawn per document so two
    documents of one learner cannot be linked by it) and the *name*, unhashed."""
    identifiers: list[dict[str, Any]] = []
    if recipient.email or recipient.email_hash:
        salt = salt if recipient.email else (recipient.salt or "")
        identity = email_identity(recipient.email, salt) if recipient.email else recipient.email_hash
        identifiers.append(
            {
                "type": "IdentityObject",
                "identityType": "emailAddress",
                "hashed": True,
                "identityHash": identity,
                "salt": salt,
            }
        )
    # The learner's name is signed too, so the name a page shows is covered.
    identifiers.append({"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": name})
    return identifiers


def recipient_identifiers(record: CredentialRecord) -> list[dict[str, Any]]:
    """The subject's IdentityObjects: the hashed email (salted per credential) and the name."""
    recipient = record.award.recipient
    return identity_objects(recipient, record.assignment.salt, recipient.name)


def credential_dates(award: Award, achievement: Achievement) -> dict[str, str]:
    """The credential's ``validFrom``, ``validUntil`` (if it expires) and ``awardedDate``, in
    that order (what a badge page shows of them, without reading the signed document)."""
    # A reissued (corrected) copy gets a newer validFrom and keeps awardedDate,
    # so verifiers can tell which copy is newest (VC 2.0 validFrom; OB 3.0 keeps awardedDate).
    dates = {"validFrom": timestamp(award.valid_from)}
    until = valid_until(award, achievement)
    if until is not None:
        dates["validUntil"] = timestamp(until)
    dates["awardedDate"] = timestamp(award.awarded)
    return dates


def unsigned_credential(record: CredentialRecord, model: Model) -> dict[str, Any]:
    """The OpenBadgeCredential for one award, without its proof."""
    layout = Layout(model.site)
    award, achievement, issuer = record.award, record.achievement, record.issuer
    subject: dict[str, Any] = {"type": ["AchievementSubject"]}
    if award.recipient.did:
        subject["id"] = award.recipient.did
    subject["identifier"] = recipient_identifiers(record)
    subject["achievement"] = achievement_object(achievement, model)
    if award.narrative:
        subject["narrative"] = award.narrative
    credential: dict[str, Any] = {
        "@context": list(CONTEXT),
        "id": record.url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement.name,
        "description": f"{achievement.name}, awarded by {issuer.name}.",
    }
    if achievement.image:
        credential["image"] = image_object(achievement.image, layout, f"{achievement.name} badge")
    credential["issuer"] = issuer_profile(issuer, model)
    credential.update(credential_dates(award, achievement))
    credential["credentialSubject"] = subject
    if award.evidence:
        credential["evidence"] = [_evidence(e) for e in award.evidence]
    credential["credentialStatus"] = status_object(layout, issuer.slug, record.assignment)
    return credential


def status_object(layout: Layout, issuer: str, assignment: Assignment) -> dict[str, Any]:
    """The ``credentialStatus`` of a credential of *issuer* (a slug): its bit in the issuer's status
    list that holds it (Bitstring Status List §2.1: ``statusListIndex`` counts within that list)."""
    list_url = layout.url(layout.status_list(issuer, assignment.status_list))
    return bitstring.status_entry(list_url, assignment.list_index)


def _evidence(evidence: Evidence) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if evidence.url:
        out["id"] = evidence.url
    out["type"] = ["Evidence"]
    out["name"] = evidence.name
    if evidence.description:
        out["description"] = plain_text(evidence.description)  # plain text (OB 3.0 App. B, Evidence)
    return out


def standalone(document: dict[str, Any]) -> dict[str, Any]:
    """An embedded object published as its own JSON-LD document."""
    return {"@context": list(CONTEXT), **document}
