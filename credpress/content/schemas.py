"""The content format: one declarative schema per kind of content file.

A schema maps each field name to a :class:`Field` (a checker from :mod:`.fields`,
a nested schema or a :class:`ListOf`, and whether it is required). The README's
"Content format" section documents the same fields.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .fields import (
    as_written,
    choice,
    date_value,
    did,
    digits,
    duration,
    email,
    email_hash,
    flag,
    language,
    learner_key,
    markdown,
    moment,
    multikey,
    number,
    slug,
    text,
)
from .urls import base_url, url


@dataclass(frozen=True)
class Field:
    """One field of a schema: its checker (or nested schema or list) and whether it is required."""

    check: Callable[[Any], Any] | Schema | ListOf
    required: bool = False


@dataclass(frozen=True)
class ListOf:
    """A list field: each item checked by *item*, at most *max_items* of them."""

    item: Callable[[Any], Any] | Schema
    max_items: int = 100


Schema = dict  # field name -> Field

ACHIEVEMENT_TYPES = (
    "Achievement ApprenticeshipCertificate Assessment Assignment AssociateDegree Award Badge "
    "BachelorDegree Certificate CertificateOfCompletion Certification CommunityService Competency "
    "Course CoCurricular Degree Diploma DoctoralDegree Fieldwork GeneralEducationDevelopment "
    "JourneymanCertificate LearningProgram License Membership ProfessionalDoctorate "
    "QualityAssuranceCredential MasterCertificate MasterDegree MicroCredential ResearchDoctorate "
    "SecondarySchoolDiploma"
).split()

SITE_SCHEMA: Schema = {
    "base_url": Field(base_url, required=True),
    "title": Field(text()),
    "language": Field(language),
    "preview_image": Field(text(500)),
    "dashboard": Field(flag),
}
KEY_SCHEMA: Schema = {
    "id": Field(slug, required=True),
    "public_key": Field(multikey, required=True),
    "status": Field(choice("active", "retired", "revoked"), required=True),
    "revoked": Field(moment),
}
ISSUER_SCHEMA: Schema = {
    "name": Field(text(), required=True),
    "url": Field(url, required=True),
    "email": Field(email, required=True),
    "description": Field(markdown()),
    "image": Field(text(500)),
    "preview_image": Field(text(500)),
    "linkedin_organization_id": Field(digits),
    "keys": Field(ListOf(KEY_SCHEMA, 20)),
}
ALIGNMENT_SCHEMA: Schema = {
    "name": Field(text(), required=True),
    "url": Field(url, required=True),
    "framework": Field(text()),
    "code": Field(text(100)),
}
ACHIEVEMENT_SCHEMA: Schema = {
    "issuer": Field(slug, required=True),
    "name": Field(text(), required=True),
    "description": Field(markdown(), required=True),
    "criteria": Field(markdown(), required=True),
    "image": Field(text(500)),
    "preview_image": Field(text(500)),
    "type": Field(choice(*ACHIEVEMENT_TYPES, extension=True)),
    "tags": Field(ListOf(text(50), 30)),
    "alignment": Field(ListOf(ALIGNMENT_SCHEMA, 30)),
    "credits": Field(number),
    "expires_after": Field(duration),
    "requires": Field(as_written),  # a stack's rule, read by content/stacks.py
    "within": Field(duration),
    "auto_award": Field(flag),
    "stack": Field(as_written),  # the old one-level form of requires: (a warning names it)
}
RECIPIENT_SCHEMA: Schema = {
    "name": Field(text(), required=True),
    "email": Field(email),
    "email_hash": Field(email_hash),
    "salt": Field(text(100)),
    "did": Field(did),
    "public_record": Field(flag),  # opt in to a learner record (CLR 2.0); false withdraws it
    "learner": Field(learner_key),
}
EVIDENCE_SCHEMA: Schema = {
    "name": Field(text(), required=True),
    "url": Field(url),
    "description": Field(markdown(2000)),
}
REVOCATION_SCHEMA: Schema = {
    "date": Field(date_value, required=True),
    "reason": Field(text(500), required=True),
}
AWARD_SCHEMA: Schema = {
    "achievement": Field(slug, required=True),
    "recipient": Field(RECIPIENT_SCHEMA, required=True),
    "awarded": Field(moment, required=True),
    "evidence": Field(ListOf(EVIDENCE_SCHEMA, 20)),
    "narrative": Field(markdown(5000)),
    "expires": Field(date_value),
    "revoked": Field(REVOCATION_SCHEMA),
    "reissued": Field(moment),
}
