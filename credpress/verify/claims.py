"""What a credential says about its learner and achievement, for people to read.

These are claims: they mean something only once the credential is verified,
and then they were signed by the issuer the verifier names.
"""

from __future__ import annotations

from typing import Any


def _subject(doc: dict[str, Any]) -> dict[str, Any]:
    subjects = doc.get("credentialSubject")
    first = subjects[0] if isinstance(subjects, list) and subjects else subjects
    return first if isinstance(first, dict) else {}


def learner_of(doc: dict[str, Any]) -> tuple[str | None, str | None]:
    """The learner's signed name (an unhashed ``name`` IdentityObject, OB 3.0 App. B
    ``#identityobject``; as verify.js's recipientName, ``name`` is read too), else what
    identifies them: "a hashed email", "the email …" or the subject's ``id``."""
    subject = _subject(doc)
    found = subject.get("identifier")
    identities = [i for i in (found if isinstance(found, list) else [found]) if isinstance(i, dict)]
    for identity in identities:
        value = identity.get("identityHash")
        if identity.get("identityType") == "name" and identity.get("hashed") is False and isinstance(value, str):
            return value, None
    if isinstance(subject.get("name"), str) and subject["name"]:
        return subject["name"], None
    for identity in identities:
        if identity.get("identityType") == "emailAddress":
            plain = identity.get("hashed") is False and isinstance(identity.get("identityHash"), str)
            return None, f"the email {identity['identityHash']}" if plain else "a hashed email"
    return None, subject["id"] if isinstance(subject.get("id"), str) else None


def achievement_of(doc: dict[str, Any]) -> str | None:
    """The achievement's ``name`` (OB 3.0 App. B, AchievementSubject ``achievement``)."""
    achievement = _subject(doc).get("achievement")
    name = achievement.get("name") if isinstance(achievement, dict) else None
    return name if isinstance(name, str) else None
