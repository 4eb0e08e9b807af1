"""Recipient identity: how a learner's email is normalised and hashed.

OB 3.0 §9.3 and App. B IdentityObject / IdentityHash: a hashed ``identityHash`` is ``sha256$`` followed
by the hex SHA-256 of the identifier concatenated with the ``salt``. The same
function serves issuing (credpress build) and checking (credpress verify
--recipient), so the two can never disagree.
"""

from __future__ import annotations

import hashlib


def normalise_email(email: str) -> str:
    """Our documented normalisation before hashing: trim, then lower-case."""
    return email.strip().lower()


def email_identity(email: str, salt: str) -> str:
    """``sha256$`` + hex(SHA-256(identifier ‖ salt)) of an already normalised email."""
    return "sha256$" + hashlib.sha256((email + salt).encode("utf-8")).hexdigest()
