"""Stage 2, validate: check loaded YAML against the content format and build the model.

Each content file has a declarative schema: a mapping of field name to
:class:`Field` (a checker plus whether it is required). Checking collects every
problem with its ``path:line: field`` instead of stopping at the first one.
Unknown keys are warnings (probable typos); ``--strict`` makes them errors.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from . import multibase
from .errors import Problem
from .load import LineDict, LineList, LoadedContent, SourceFile
from .model import (
    Achievement,
    Alignment,
    Award,
    Evidence,
    ImageFile,
    Issuer,
    Model,
    PublicKey,
    Recipient,
    Revocation,
    Site,
)


class Invalid(Exception):
    """A field's value is wrong; the message says why."""


# --- Checkers: each takes a YAML value and returns the cleaned value or raises Invalid.

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def text(max_length: int = 200, multiline: bool = False) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise Invalid(f"must be text, not {_kind(value)}")
        value = value.strip()
        if not value:
            raise Invalid("must not be empty")
        if len(value) > max_length:
            raise Invalid(f"is longer than {max_length} characters")
        if _CONTROL.search(value.replace("\t", " ") if multiline else value) or (
            not multiline and "\n" in value
        ):
            raise Invalid("contains control characters")
        if _INVISIBLE.search(value):
            raise Invalid("contains invisible (zero-width or bidirectional) characters")
        return value

    return check


def markdown(max_length: int = 20_000) -> Callable[[Any], str]:
    return text(max_length, multiline=True)


def url(value: Any) -> str:
    value = text(2000)(value)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise Invalid("must be an http(s) URL")
    if parts.username or parts.password:
        raise Invalid("must not contain a user name or password")
    return value


_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")


def email(value: Any) -> str:
    value = text(254)(value)
    if not _EMAIL.match(value) or ".." in value:
        raise Invalid("not an email address")
    # Normalisation rule (documented in README): trim, then lower-case.
    return value.lower()


_DID = re.compile(r"^did:[a-z0-9]+:[A-Za-z0-9._:%-]*[A-Za-z0-9._%-]$")


def did(value: Any) -> str:
    value = text(500)(value)
    if not _DID.match(value):
        raise Invalid("not a DID (did:method:identifier)")
    return value


def email_hash(value: Any) -> str:
    value = text(100)(value)
    if not re.fullmatch(r"sha256\$[0-9a-fA-F]{64}", value):
        raise Invalid("must be 'sha256$' followed by 64 hex digits")
    return value.lower()


def slug(value: Any) -> str:
    value = text(64)(value)
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", value):
        raise Invalid("must be a slug: lower-case letters, digits and hyphens")
    return value


def choice(*allowed: str, extension: bool = False) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        value = text(100)(value)
        if value in allowed or (extension and re.fullmatch(r"ext:[A-Za-z0-9]+", value)):
            return value
        hint = difflib.get_close_matches(value, allowed, 1)
        raise Invalid(f"'{value}' is not one of the allowed values" + (f" (did you mean '{hint[0]}'?)" if hint else ""))

    return check


def number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Invalid(f"must be a number, not {_kind(value)}")
    if not 0 <= value <= 10_000:
        raise Invalid("must be between 0 and 10000")
    return float(value)


def language(value: Any) -> str:
    value = text(35)(value)
    if not re.fullmatch(r"[a-zA-Z]{2,3}(-[A-Za-z0-9]{1,8})*", value):
        raise Invalid("not a BCP 47 language tag (e.g. en, en-GB)")
    return value


def date_value(value: Any) -> date:
    if isinstance(value, datetime):
        raise Invalid("must be a date (YYYY-MM-DD), not a date and time")
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise Invalid(f"'{value}' is not a valid date (YYYY-MM-DD)") from None
    if not isinstance(value, date):
        raise Invalid(f"must be a date (YYYY-MM-DD), not {_kind(value)}")
    _check_year(value.year)
    return value


def moment(value: Any) -> datetime:
    """A date or a date-time; naive times are UTC. Returns an aware UTC datetime."""
    if isinstance(value, str):
        raw = value.strip()
        try:
            value = datetime.fromisoformat(raw.replace("Z", "+00:00")) if "T" in raw or " " in raw else date.fromisoformat(raw)
        except ValueError:
            raise Invalid(f"'{raw}' is not a valid date or date-time (YYYY-MM-DD)") from None
    if isinstance(value, datetime):
        result = value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
    elif isinstance(value, date):
        result = datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    else:
        raise Invalid(f"must be a date (YYYY-MM-DD), not {_kind(value)}")
    _check_year(result.year)
    return result.replace(microsecond=0)


def _check_year(year: int) -> None:
    if not 1970 <= year <= 2200:
        raise Invalid(f"year {year} is out of range (1970-2200)")


_DURATION = re.compile(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?")


def duration(value: Any) -> str:
    value = text(30)(value)
    match = _DURATION.fullmatch(value)
    if not match or not any(match.groups()):
        raise Invalid("not an ISO 8601 duration of years, months, weeks or days (e.g. P2Y, P18M)")
    return value


def multikey(value: Any) -> str:
    value = text(100)(value)
    try:
        multibase.decode_public_key(value)
    except ValueError as exc:
        raise Invalid(str(exc)) from None
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    for kind, label in ((bool, "true/false"), (dict, "a mapping"), (list, "a list"), (str, "text"),
                        ((int, float), "a number"), (datetime, "a date and time"), (date, "a date")):
        if isinstance(value, kind):
            return label
    return type(value).__name__


@dataclass(frozen=True)
class Field:
    check: Callable[[Any], Any] | Schema | ListOf
    required: bool = False


@dataclass(frozen=True)
class ListOf:
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
    "base_url": Field(url, required=True),
    "title": Field(text()),
    "language": Field(language),
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
    "linkedin_organization_id": Field(lambda v: _digits(v)),
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
    "type": Field(choice(*ACHIEVEMENT_TYPES, extension=True)),
    "tags": Field(ListOf(text(50), 30)),
    "alignment": Field(ListOf(ALIGNMENT_SCHEMA, 30)),
    "credits": Field(number),
    "expires_after": Field(duration),
    "stack": Field(ListOf(slug, 50)),
}
RECIPIENT_SCHEMA: Schema = {
    "name": Field(text(), required=True),
    "email": Field(email),
    "email_hash": Field(email_hash),
    "salt": Field(text(100)),
    "did": Field(did),
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


def _digits(value: Any) -> str:
    value = str(value).strip() if isinstance(value, (int, str)) and not isinstance(value, bool) else None
    if not value or not value.isdigit():
        raise Invalid("must be the numeric LinkedIn organization id")
    return value


class Checker:
    """Collects problems for one content folder while checking its files."""

    def __init__(self, root: Path, problems: list[Problem], warnings: list[Problem]):
        self.root = root
        self.problems = problems
        self.warnings = warnings

    def error(self, path: str, line: int | None, field: str, message: str) -> None:
        self.problems.append(Problem(path, line, field, message))

    def warn(self, path: str, line: int | None, field: str, message: str) -> None:
        self.warnings.append(Problem(path, line, field, message))

    def mapping(self, data: Any, schema: Schema, path: str, prefix: str = "", line: int | None = None) -> dict | None:
        """Check a YAML mapping against *schema*; None if any field was wrong."""
        if not isinstance(data, LineDict):
            self.error(path, getattr(data, "line", line), prefix.rstrip("."), f"must be a mapping, not {_kind(data)}")
            return None
        ok = True
        result: dict[str, Any] = {}
        for key, value in data.items():
            where = data.lines.get(key, data.line)
            if key not in schema:
                hint = difflib.get_close_matches(key, schema, 1)
                self.warn(path, where, prefix + key, "unknown field" + (f" (did you mean '{hint[0]}'?)" if hint else ""))
                continue
            if value is None:
                continue
            checked = self.value(value, schema[key].check, path, prefix + key, where)
            if checked is _BAD:
                ok = False
            else:
                result[key] = checked
        for key, spec in schema.items():
            if spec.required and key not in result and (key not in data or data[key] is None):
                self.error(path, data.line, prefix + key, "required field is missing")
                ok = False
        return result if ok else None

    def value(self, value: Any, check: Any, path: str, field: str, line: int | None) -> Any:
        if isinstance(check, dict):
            checked = self.mapping(value, check, path, field + ".", line)
            return _BAD if checked is None else checked
        if isinstance(check, ListOf):
            if not isinstance(value, LineList):
                self.error(path, line, field, f"must be a list, not {_kind(value)}")
                return _BAD
            if len(value) > check.max_items:
                self.error(path, line, field, f"has more than {check.max_items} items")
                return _BAD
            items = [self.value(item, check.item, path, f"{field}[{i}]", value.lines[i]) for i, item in enumerate(value)]
            return _BAD if any(item is _BAD for item in items) else items
        try:
            return check(value)
        except Invalid as exc:
            self.error(path, line, field, str(exc))
            return _BAD

    def image(self, rel: str, path: str, line: int | None, field: str) -> ImageFile | None:
        """Resolve an image path under content/ and check that the file is an image."""
        candidate = Path(rel)
        if candidate.is_absolute() or ".." in candidate.parts:
            self.error(path, line, field, "must be a path inside the content folder")
            return None
        full = self.root / candidate
        root = self.root.resolve()
        if not full.resolve().is_relative_to(root):
            self.error(path, line, field, "points outside the content folder")
            return None
        if not full.is_file():
            self.error(path, line, field, f"image file {rel} not found")
            return None
        try:
            media_type = _sniff_image(full)
        except Invalid as exc:
            self.error(path, line, field, f"{rel} {exc}")
            return None
        if media_type is None:
            self.error(path, line, field, f"{rel} is not a PNG, JPEG or SVG image")
            return None
        return ImageFile(full, candidate.as_posix(), media_type)


_BAD = object()


MAX_IMAGE_BYTES = 5 * 1024 * 1024


def _sniff_image(path: Path) -> str | None:
    """The media type of a real PNG, JPEG or safe SVG file; None for anything else.

    Raises Invalid with the reason for a file that looks like an image but is
    corrupt, too large, or an SVG that could run script or load other files.
    """
    data = path.read_bytes()
    if len(data) > MAX_IMAGE_BYTES:
        raise Invalid(f"image is larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MiB")
    if data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8\xff"):
        from PIL import Image

        try:
            with Image.open(path) as image:
                image.verify()
        except Exception:
            raise Invalid("is not a readable PNG or JPEG image") from None
        return "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
    if path.suffix.lower() == ".svg":
        _check_svg(data)
        return "image/svg+xml"
    return None


_SVG_DANGER = re.compile(
    rb"<!DOCTYPE|<!ENTITY|<script|<foreignObject|<iframe|<embed|<object|javascript:|\bon[a-z]+\s*=",
    re.IGNORECASE,
)
_SVG_REFERENCE = re.compile(rb"""(?:href|src)\s*=\s*["']\s*([^"'#\s][^"']*)["']""", re.IGNORECASE)


def _check_svg(data: bytes) -> None:
    """Badge SVGs are shown on pages and in wallets: no script, no outside files."""
    import xml.etree.ElementTree as ElementTree

    found = _SVG_DANGER.search(data)
    if found:
        raise Invalid(f"SVG contains {found.group(0).decode('ascii', 'replace').strip()!r} (scripts, entities and embedded documents are not allowed)")
    for reference in _SVG_REFERENCE.findall(data):
        if not reference.lower().startswith((b"data:image/png", b"data:image/jpeg")):
            raise Invalid(f"SVG refers to another file ({reference.decode('utf-8', 'replace')[:60]}); embed it instead")
    if re.search(rb"url\(\s*['\"]?\s*(?!#)", data, re.IGNORECASE) or b"@import" in data.lower():
        raise Invalid("SVG style refers to another file (url() or @import); only url(#id) is allowed")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise Invalid(f"is not a well-formed SVG file ({exc})") from None
    if root.tag not in ("svg", "{http://www.w3.org/2000/svg}svg"):
        raise Invalid("is not an SVG image (the root element is not <svg>)")


def _file_slug(checker: Checker, source: SourceFile, stem: str) -> bool:
    try:
        slug(stem)
    except Invalid as exc:
        checker.error(source.path, None, "", f"file name '{stem}' {exc}")
        return False
    return True


def _site(checker: Checker, source: SourceFile | None) -> Site | None:
    if source is None or source.data is None:
        if source is not None and not any(p.path == source.path for p in checker.problems):
            checker.error(source.path, None, "", "file is empty")
        return None
    data = checker.mapping(source.data, SITE_SCHEMA, source.path)
    if data is None:
        return None
    base = data["base_url"]
    parts = urlsplit(base)
    line = source.data.lines.get("base_url")
    if parts.scheme != "https":
        checker.error(source.path, line, "base_url", "must be an https URL (verifiers require TLS for did:web)")
        return None
    if parts.query or parts.fragment:
        checker.error(source.path, line, "base_url", "must not have a query or fragment")
        return None
    if re.fullmatch(r"[\d.]+|\[.*\]", parts.hostname or ""):
        checker.error(source.path, line, "base_url", "must use a host name, not an IP address (did:web)")
        return None
    if not base.endswith("/"):
        base += "/"
    return Site(base_url=base, title=data.get("title", "Credentials"), language=data.get("language", "en"))


def _named_file(checker: Checker, stem: str, source: SourceFile, schema: Schema) -> tuple[dict, ImageFile | None] | None:
    """An issuer or achievement file: its slug, its fields and its image, checked."""
    if not _file_slug(checker, source, stem):
        return None
    data = checker.mapping(source.data, schema, source.path)
    if data is None:
        return None
    image = None
    if "image" in data:
        image = checker.image(data["image"], source.path, source.data.lines["image"], "image")
        if image is None:
            return None
    return data, image


def _issuer(checker: Checker, stem: str, source: SourceFile) -> Issuer | None:
    checked = _named_file(checker, stem, source, ISSUER_SCHEMA)
    if checked is None:
        return None
    data, image = checked
    keys = None
    if "keys" in data:
        keys = tuple(PublicKey(k["id"], k["public_key"], k["status"], k.get("revoked")) for k in data["keys"])
        line = source.data.lines["keys"]
        for index, key in enumerate(keys):
            if (key.status == "revoked") != (key.revoked is not None):
                checker.error(source.path, source.data["keys"].lines[index], f"keys[{index}].revoked",
                              "a revoked key needs the date it was revoked (revoked: YYYY-MM-DD), and only a revoked key has one")
                return None
        if len({k.public_key for k in keys}) != len(keys):
            checker.error(source.path, line, "keys", "the same public key is listed twice")
            return None
        ids = [k.id for k in keys]
        if len(set(ids)) != len(ids):
            checker.error(source.path, line, "keys", "key ids must be unique")
            return None
        if sum(k.status == "active" for k in keys) != 1:
            checker.error(source.path, line, "keys", "exactly one key must have status: active")
            return None
    return Issuer(
        slug=stem,
        name=data["name"],
        url=data["url"],
        email=data["email"],
        description=data.get("description", ""),
        image=image,
        linkedin_organization_id=data.get("linkedin_organization_id"),
        keys=keys,
        source=source.path,
    )


def _achievement(checker: Checker, stem: str, source: SourceFile) -> Achievement | None:
    checked = _named_file(checker, stem, source, ACHIEVEMENT_SCHEMA)
    if checked is None:
        return None
    data, image = checked
    return Achievement(
        slug=stem,
        issuer=data["issuer"],
        name=data["name"],
        description=data["description"],
        criteria=data["criteria"],
        image=image,
        type=data.get("type", "Badge"),
        tags=tuple(data.get("tags", ())),
        alignment=tuple(
            Alignment(a["name"], a["url"], a.get("framework"), a.get("code")) for a in data.get("alignment", ())
        ),
        credits=data.get("credits"),
        expires_after=data.get("expires_after"),
        stack=tuple(data.get("stack", ())),
        source=source.path,
    )


def _award(checker: Checker, source: SourceFile, item: Any, index: int, line: int) -> Award | None:
    prefix = f"[{index}]."
    data = checker.mapping(item, AWARD_SCHEMA, source.path, prefix, line)
    if data is None:
        return None
    rec = data["recipient"]
    rec_line = item.lines["recipient"]
    ways = [k for k in ("email", "email_hash", "did") if k in rec]
    if len(ways) != 1:
        checker.error(source.path, rec_line, prefix + "recipient", "give exactly one of email, email_hash (with salt) or did")
        return None
    if ("email_hash" in rec) != ("salt" in rec):
        checker.error(source.path, rec_line, prefix + "recipient.salt", "email_hash and salt go together")
        return None
    recipient = Recipient(rec["name"], rec.get("email"), rec.get("email_hash"), rec.get("salt"), rec.get("did"))
    expires = data.get("expires")
    if expires is not None and expires <= data["awarded"].date():
        checker.error(source.path, item.lines["expires"], prefix + "expires", "must be after the award date")
        return None
    evidence = tuple(Evidence(e["name"], e.get("url"), e.get("description")) for e in data.get("evidence", ()))
    reissued = data.get("reissued")
    if reissued is not None and reissued <= data["awarded"]:
        checker.error(source.path, item.lines["reissued"], prefix + "reissued", "must be after the award date")
        return None
    revoked = None
    if "revoked" in data:
        revoked = Revocation(data["revoked"]["date"], data["revoked"]["reason"])
        if revoked.date < data["awarded"].date():
            checker.error(source.path, item["revoked"].lines["date"], prefix + "revoked.date", "must not be before the award date")
            return None
    return Award(
        achievement=data["achievement"],
        recipient=recipient,
        awarded=data["awarded"],
        evidence=evidence,
        narrative=data.get("narrative"),
        expires=expires,
        source=source.path,
        line=line,
        revoked=revoked,
        reissued=reissued,
    )


def build_model(loaded: LoadedContent, now: datetime | None = None) -> tuple[Model | None, list[Problem], list[Problem]]:
    """Validate loaded content. Returns (model or None, errors, warnings)."""
    problems = list(loaded.problems)
    warnings = list(loaded.warnings)
    checker = Checker(loaded.root, problems, warnings)
    site = _site(checker, loaded.site)
    issuers = {}
    for stem, source in loaded.issuers.items():
        if source.data is not None:
            issuer = _issuer(checker, stem, source)
            if issuer:
                issuers[stem] = issuer
    achievements = {}
    for stem, source in loaded.achievements.items():
        if source.data is not None:
            achievement = _achievement(checker, stem, source)
            if achievement:
                achievements[stem] = achievement
    if not loaded.issuers and not any(p.path.startswith(f"{loaded.root.name}/issuers") for p in problems):
        checker.error(f"{loaded.root.name}/issuers", None, "", "no issuer: add issuers/<slug>.yaml")
    _check_references(checker, loaded, issuers, achievements)
    awards = _awards(checker, loaded, achievements, now)
    if problems or site is None:
        return None, problems, warnings
    model = Model(loaded.root, site, issuers, achievements, tuple(awards))
    return model, problems, warnings


def _check_references(checker: Checker, loaded: LoadedContent, issuers: dict, achievements: dict) -> None:
    for achievement in achievements.values():
        data = loaded.achievements[achievement.slug].data
        if achievement.issuer not in issuers and achievement.issuer not in loaded.issuers:
            checker.error(achievement.source, data.lines["issuer"], "issuer", f"unknown issuer '{achievement.issuer}'")
        for i, part in enumerate(achievement.stack):
            line = data["stack"].lines[i]
            if part == achievement.slug:
                checker.error(achievement.source, line, f"stack[{i}]", "an achievement cannot stack into itself")
            elif part not in achievements and part not in loaded.achievements:
                checker.error(achievement.source, line, f"stack[{i}]", f"unknown achievement '{part}'")
            elif part in achievements and achievements[part].stack:
                checker.error(achievement.source, line, f"stack[{i}]", f"'{part}' has a stack of its own; stacks are one level deep")


def _awards(checker: Checker, loaded: LoadedContent, achievements: dict, now: datetime | None) -> list[Award]:
    awards: list[Award] = []
    seen: dict[str, Award] = {}
    for source in loaded.awards:
        if source.data is None:
            continue
        if not isinstance(source.data, LineList):
            checker.error(source.path, getattr(source.data, "line", None), "", "an awards file must be a list of awards")
            continue
        for index, item in enumerate(source.data):
            line = source.data.lines[index]
            award = _award(checker, source, item, index, line)
            if award is None:
                continue
            prefix = f"[{index}]."
            if award.achievement not in achievements:
                if award.achievement not in loaded.achievements:
                    checker.error(source.path, item.lines["achievement"], prefix + "achievement", f"unknown achievement '{award.achievement}'")
                continue
            if now is not None and award.awarded > now:
                checker.warn(source.path, item.lines["awarded"], prefix + "awarded", "is in the future")
            first = seen.get(award.fingerprint)
            if first is not None:
                checker.error(source.path, line, prefix.rstrip("."), f"duplicate award: same achievement, recipient and date as {first.source}:{first.line}")
                continue
            seen[award.fingerprint] = award
            awards.append(award)
    _check_stacks(checker, awards, achievements)
    return awards


def _check_stacks(checker: Checker, awards: list[Award], achievements: dict) -> None:
    """Warn when a stacked achievement is awarded to someone missing a part of it."""
    held: dict[str, set[str]] = {}
    for award in awards:
        held.setdefault(award.recipient.identity, set()).add(award.achievement)
    for award in awards:
        stack = achievements[award.achievement].stack
        if any(part not in achievements for part in stack):
            continue  # a part has errors of its own, already reported
        missing = [part for part in stack if part not in held[award.recipient.identity]]
        if missing:
            checker.warn(award.source, award.line, "achievement", f"recipient does not hold {', '.join(missing)} from the stack of '{award.achievement}'")
