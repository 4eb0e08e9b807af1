"""Stage 4, credential: unsigned Open Badges 3.0 documents from the model (pure).

Shapes follow SPEC-NOTES §1 in the strict-schema form: ``type`` arrays, ``image``
objects, ``@context`` [VC v2, OB 3.0.3]. The same functions build the documents
embedded in credentials and the ones published on their own.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime, timedelta, timezone
from typing import Any

from . import status
from .did import issuer_did
from .jsonld import OB_V3, VC_V2
from .layout import Layout
from .lock import Assignment
from .model import Achievement, Award, ImageFile, Issuer, Model

CONTEXT = [VC_V2, OB_V3]


def timestamp(moment: datetime) -> str:
    """XML Schema dateTimeStamp in UTC with a ``Z``: 2026-03-14T00:00:00Z."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def add_duration(start: datetime, duration: str) -> datetime:
    """start + an ISO 8601 duration of years/months/weeks/days (month ends clamp)."""
    match = re.fullmatch(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?", duration)
    if not match:
        raise ValueError(f"unsupported duration {duration!r}")
    years, months, weeks, days = (int(g or 0) for g in match.groups())
    month_index = start.month - 1 + months + 12 * years
    year, month = start.year + month_index // 12, month_index % 12 + 1
    last_day = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)).day
    moved = start.replace(year=year, month=month, day=min(start.day, last_day))
    return moved + timedelta(weeks=weeks, days=days)


def valid_until(award: Award, achievement: Achievement) -> datetime | None:
    if award.expires is not None:
        return datetime(award.expires.year, award.expires.month, award.expires.day, tzinfo=timezone.utc)
    if achievement.expires_after:
        return add_duration(award.awarded, achievement.expires_after)
    return None


def image_object(image: ImageFile, layout: Layout, caption: str) -> dict[str, Any]:
    return {"id": layout.url(layout.image(image.rel)), "type": "Image", "caption": caption}


def issuer_profile(issuer: Issuer, model: Model) -> dict[str, Any]:
    """The issuer's OB ``Profile``; its ``id`` is the issuer's did:web DID."""
    layout = Layout(model.site)
    profile: dict[str, Any] = {
        "id": issuer_did(model.site, issuer.slug),
        "type": ["Profile"],
        "name": issuer.name,
        "url": issuer.url,
        "email": issuer.email,
    }
    if issuer.description:
        profile["description"] = issuer.description
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
        "description": achievement.description,
        "criteria": {
            "id": layout.url(layout.achievement_page(achievement.slug)),
            "narrative": achievement.criteria,
        },
    }
    if achievement.image:
        doc["image"] = image_object(achievement.image, layout, f"{achievement.name} badge")
    doc["creator"] = {
        "id": issuer_did(model.site, achievement.issuer),
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


def email_identity(email: str, salt: str) -> str:
    """SPEC-NOTES §1.6: sha256$ + hex(SHA-256(identifier ‖ salt))."""
    return "sha256$" + hashlib.sha256((email + salt).encode("utf-8")).hexdigest()


def recipient_identifiers(award: Award, assignment: Assignment) -> list[dict[str, Any]]:
    recipient = award.recipient
    identifiers: list[dict[str, Any]] = []
    if recipient.email or recipient.email_hash:
        salt = assignment.salt if recipient.email else (recipient.salt or "")
        identity = email_identity(recipient.email, salt) if recipient.email else recipient.email_hash
        identifiers.append(
            {"type": "IdentityObject", "identityType": "emailAddress", "hashed": True, "identityHash": identity, "salt": salt}
        )
    # The learner's name is signed too, so the name a badge page shows is covered.
    identifiers.append({"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": recipient.name})
    return identifiers


def unsigned_credential(award: Award, assignment: Assignment, model: Model) -> dict[str, Any]:
    """The OpenBadgeCredential for one award, without its proof."""
    layout = Layout(model.site)
    achievement = model.achievements[award.achievement]
    issuer = model.issuers[achievement.issuer]
    subject: dict[str, Any] = {"type": ["AchievementSubject"]}
    if award.recipient.did:
        subject["id"] = award.recipient.did
    subject["identifier"] = recipient_identifiers(award, assignment)
    subject["achievement"] = achievement_object(achievement, model)
    if award.narrative:
        subject["narrative"] = award.narrative
    credential: dict[str, Any] = {
        "@context": list(CONTEXT),
        "id": layout.url(layout.credential_json(assignment.credential_id)),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement.name,
        "description": f"{achievement.name}, awarded by {issuer.name}.",
    }
    if achievement.image:
        credential["image"] = image_object(achievement.image, layout, f"{achievement.name} badge")
    credential["issuer"] = issuer_profile(issuer, model)
    # A reissued (corrected) copy gets a newer validFrom and keeps awardedDate,
    # so verifiers can tell which copy is newest (SPEC-NOTES §1.1).
    credential["validFrom"] = timestamp(award.valid_from)
    until = valid_until(award, achievement)
    if until is not None:
        credential["validUntil"] = timestamp(until)
    credential["awardedDate"] = timestamp(award.awarded)
    credential["credentialSubject"] = subject
    if award.evidence:
        credential["evidence"] = [_evidence(e) for e in award.evidence]
    list_url = layout.url(layout.status_list(issuer.slug))
    credential["credentialStatus"] = status.status_entry(list_url, assignment.status_index)
    return credential


def status_list(issuer: Issuer, model: Model, revoked: list[int]) -> dict[str, Any]:
    """The issuer's unsigned status list credential.

    Its validFrom is the latest date in the content that concerns the issuer (an
    award or a revocation), never the clock, so rebuilding gives the same bytes.
    """
    layout = Layout(model.site)
    moments = [a.valid_from for a in model.awards if model.achievements[a.achievement].issuer == issuer.slug]
    moments += [datetime(r.date.year, r.date.month, r.date.day, tzinfo=timezone.utc)
                for a in model.awards if (r := a.revoked) and model.achievements[a.achievement].issuer == issuer.slug]
    valid_from = max(moments, default=datetime(2000, 1, 1, tzinfo=timezone.utc))
    return status.status_list_credential(
        layout.url(layout.status_list(issuer.slug)), issuer_did(model.site, issuer.slug), timestamp(valid_from), revoked
    )


def _evidence(evidence: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if evidence.url:
        out["id"] = evidence.url
    out["type"] = ["Evidence"]
    out["name"] = evidence.name
    if evidence.description:
        out["description"] = evidence.description
    return out


def standalone(document: dict[str, Any]) -> dict[str, Any]:
    """An embedded object published as its own JSON-LD document."""
    return {"@context": list(CONTEXT), **document}
