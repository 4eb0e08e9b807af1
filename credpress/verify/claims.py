"""What a credential says about its learner and achievement, and whether an email is its learner's.

These are claims: they mean something only once the credential is verified,
and then they were signed by the issuer the verifier names.
"""

from __future__ import annotations

from typing import Any

from ..vc.recipient import email_identity, normalise_email


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


def recipient_match(doc: dict[str, Any], email: str) -> tuple[bool, str]:
    """Whether *email* is an emailAddress identifier of the credential, and the words saying so.

    OB 3.0 §9.3 (IdentityHash), with our normalisation: trim, then lower-case.
    """
    wanted = normalise_email(email)
    subjects = doc.get("credentialSubject")
    identifiers: list[Any] = []
    for subject in subjects if isinstance(subjects, list) else [subjects]:
        found = subject.get("identifier") if isinstance(subject, dict) else None
        identifiers += found if isinstance(found, list) else [] if found is None else [found]
    emails = [i for i in identifiers if isinstance(i, dict) and i.get("identityType") == "emailAddress"]
    if not emails:
        return False, "the credential has no emailAddress identifier"
    for identity in emails:
        value = identity.get("identityHash")
        if not isinstance(value, str):
            continue
        if identity.get("hashed") is True:
            salt = identity.get("salt")
            expected = email_identity(wanted, salt if isinstance(salt, str) else "")
            if value.lower() == expected:
                return True, f"{wanted} matches the hashed emailAddress identifier"
        elif value.strip().lower() == wanted:
            return True, f"{wanted} matches the emailAddress identifier"
    return False, f"{wanted} does not match the credential's emailAddress identifier"


def types_of(doc: dict[str, Any]) -> list[Any]:
    """The document's ``type`` values as a list."""
    value = doc.get("type")
    return value if isinstance(value, list) else [value]


def issuer_id(doc: dict[str, Any]) -> str | None:
    """``issuer`` is a URI string or a Profile object with an ``id`` (VC DM 2.0 §4.7)."""
    issuer = doc.get("issuer")
    value = issuer.get("id") if isinstance(issuer, dict) else issuer
    return value if isinstance(value, str) else None
