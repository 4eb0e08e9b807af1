"""The model: the provider's content as plain, immutable Python objects.

Built by :mod:`credpress.content.check` from loaded YAML; read by every later
stage. Nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path


@dataclass(frozen=True)
class Site:
    """The site as a whole (site.yaml)."""

    base_url: str
    title: str
    language: str
    preview_image: ImageFile | None = None  # the provider's own link-preview image
    dashboard: bool = True  # publish the issuer dashboard (dashboard/) and link it from the home page


@dataclass(frozen=True)
class ImageFile:
    """An image under content/: where it is, and where it is published."""

    source: Path
    rel: str  # POSIX path relative to content/, also its path in the output
    media_type: str


@dataclass(frozen=True)
class PublicKey:
    """One of an issuer's keys (issuers/<slug>.yaml ``keys``)."""

    id: str
    public_key: str
    status: str  # active | retired | revoked
    revoked: datetime | None = None  # when a revoked key was compromised or withdrawn


@dataclass(frozen=True)
class Issuer:
    """Who issues badges (issuers/<slug>.yaml)."""

    slug: str
    name: str
    url: str
    email: str
    description: str
    image: ImageFile | None
    linkedin_organization_id: str | None
    keys: tuple[PublicKey, ...] | None
    source: str
    preview_image: ImageFile | None = None  # the provider's own link-preview image

    def published_keys(self, signing_public_key: str) -> tuple[PublicKey, ...]:
        """The issuer's keys; without a ``keys`` list, the signing key is its only key."""
        if self.keys is None:
            return (PublicKey("key-1", signing_public_key, "active"),)
        return self.keys

    def active_key(self, signing_public_key: str) -> PublicKey:
        """The one key with status active (the one that signs this build)."""
        return next(k for k in self.published_keys(signing_public_key) if k.status == "active")


@dataclass(frozen=True)
class Alignment:
    """A competency or standard an achievement aligns to."""

    name: str
    url: str
    framework: str | None
    code: str | None


@dataclass(frozen=True)
class Requirement:
    """A stack's rule: all of its parts, or any *count* of them.

    A part is an achievement slug or a nested rule, to any depth (a stack can
    require another stack).
    """

    parts: tuple[str | Requirement, ...]
    count: int | None = None  # None: all of the parts; N: any N of them

    def label(self) -> str:
        """``All of`` or ``Any 2 of 3``: how the group reads on pages and in diagrams."""
        return "All of" if self.count is None else f"Any {self.count} of {len(self.parts)}"

    def slugs(self) -> tuple[str, ...]:
        """Every achievement slug the rule names, nested ones included, in order."""
        found: list[str] = []
        for part in self.parts:
            found += [part] if isinstance(part, str) else list(part.slugs())
        return tuple(dict.fromkeys(found))


@dataclass(frozen=True)
class Achievement:
    """What a badge means (achievements/<slug>.yaml)."""

    slug: str
    issuer: str
    name: str
    description: str
    criteria: str
    image: ImageFile | None
    type: str
    tags: tuple[str, ...]
    alignment: tuple[Alignment, ...]
    credits: float | None
    expires_after: str | None
    source: str
    requires: Requirement | None = None  # a stack: what it takes to earn it
    within: str | None = None  # ISO 8601 duration: the counted parts were earned within it
    auto_award: bool = True  # issue the stack when a learner completes it
    preview_image: ImageFile | None = None  # the provider's own link-preview image

    @property
    def stack(self) -> tuple[str, ...]:
        """The achievements this one stacks from (every slug its rule names)."""
        return self.requires.slugs() if self.requires else ()


@dataclass(frozen=True)
class Recipient:
    """The learner an award names."""

    name: str
    email: str | None = None  # trimmed and lower-cased
    email_hash: str | None = None
    salt: str | None = None
    did: str | None = None
    public_record: bool | None = None  # opted in to a learner record (True), withdrew (False), unsaid (None)
    # An email_hash recipient's learner key (``credpress import``): a keyed hash of the
    # email that is the same in every award of the learner, unlike the salted email_hash.
    # It identifies them across awards (stacks, the lock); it is never published.
    learner: str | None = None

    @property
    def identity(self) -> str:
        """What identifies the learner across awards (never published in plain)."""
        if self.did:
            return "did:" + self.did
        if self.learner:
            return "learner:" + self.learner
        if self.email:
            return "email:" + self.email
        return "hash:" + (self.email_hash or "")


@dataclass(frozen=True)
class Evidence:
    """Evidence of an award (a page or a description)."""

    name: str
    url: str | None
    description: str | None


@dataclass(frozen=True)
class Revocation:
    """Why and when an award was revoked."""

    date: date
    reason: str


@dataclass(frozen=True)
class Award:
    """One learner's award of one achievement (awards/*.yaml)."""

    achievement: str
    recipient: Recipient
    awarded: datetime  # UTC
    evidence: tuple[Evidence, ...]
    narrative: str | None
    expires: date | None
    source: str
    line: int | None  # None for a stacked award, which the build makes (it has no line)
    revoked: Revocation | None = None
    reissued: datetime | None = None  # a corrected copy: becomes validFrom
    stacked: bool = False  # made by the build when the learner completed the stack (documents/stacks.py)

    @property
    def valid_from(self) -> datetime:
        """When the credential starts being valid: the reissue date, else the award date."""
        return self.reissued or self.awarded

    @cached_property  # read for every award at every stage (lock keys, stacks, records)
    def fingerprint(self) -> str:
        """What makes two awards the same award: achievement, learner, award date.

        A stacked award's date is its completion date, so completing a stack again is a new award.
        """
        version = "v1-stack" if self.stacked else "v1"
        return "\0".join((version, self.achievement, self.recipient.identity, self.awarded.isoformat()))


@dataclass(frozen=True)
class Model:
    """The whole content folder, checked."""

    root: Path
    site: Site
    issuers: dict[str, Issuer]
    achievements: dict[str, Achievement]
    awards: tuple[Award, ...] = field(default=())

    def stacks_into(self, slug: str) -> list[Achievement]:
        """The achievements whose stack contains *slug*."""
        return [a for a in self.achievements.values() if slug in a.stack]
