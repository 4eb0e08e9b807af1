"""Recipient identity: how a learner's email is normalised and hashed.

OB 3.0 §9.3 and App. B IdentityObject / IdentityHash: a hashed ``identityHash`` is ``sha256$`` followed
by the hex SHA-256 of the identifier concatenated with the ``salt``. The same
function serves issuing (credpress build) and checking (credpress verify
--recipient), so the two can never disagree.
"""

from __future__ import annotations

import hashlib
import hmac


def normalise_email(email: str) -> str:
    """Our documented normalisation before hashing: trim, then lower-case."""
    return email.strip().lower()


def email_identity(email: str, salt: str) -> str:
    """``sha256$`` + hex(SHA-256(identifier ‖ salt)) of an already normalised email."""
    return "sha256$" + hashlib.sha256((email + salt).encode("utf-8")).hexdigest()


def learner_key(email: str, base_url: str) -> str:
    """The learner key ``credpress import`` stores beside a salted email hash.

    ``hmac-sha256:`` + hex(HMAC-SHA256(key = "credpress-learner-v1 " + base_url,
    message = the normalised email)). The same for every award of one learner on
    one site, so awards can be matched (stacks, duplicates) without the address;
    keyed by the site, so the same learner gets unrelated keys on two sites and no
    table computed for one site works on another. It stays in the repository: no
    credential publishes it (each carries its own salted ``identityHash``).
    """
    key = ("credpress-learner-v1 " + base_url).encode("utf-8")
    return "hmac-sha256:" + hmac.new(key, normalise_email(email).encode("utf-8"), hashlib.sha256).hexdigest()
