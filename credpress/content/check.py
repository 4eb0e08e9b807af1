"""Stage 2, check: loaded YAML against the content format, then the model.

Every file is checked against its schema (:mod:`.schemas`) by the checking
engine (:mod:`.checker`), then the rules that span files (:mod:`.rules`). Every
problem is collected with its ``path:line: field``; the model is built only
when there is none.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..errors import Problem
from . import learners, rules, stacks
from .checker import BAD, Checker
from .fields import Invalid, kind, slug
from .load import LineList, LoadedContent, SourceFile
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
    Requirement,
    Revocation,
    Site,
)
from .schemas import ACHIEVEMENT_SCHEMA, AWARD_SCHEMA, ISSUER_SCHEMA, SITE_SCHEMA, Schema


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
    base = data["base_url"]  # checked and normalised by urls.base_url
    preview = checker.preview_image(data, source)
    if preview is BAD:
        return None
    return Site(
        base_url=base,
        title=data.get("title", "Credentials"),
        language=data.get("language", "en"),
        preview_image=preview,  # type: ignore[arg-type]
        dashboard=data.get("dashboard", True),
    )


def _named_file(
    checker: Checker, stem: str, source: SourceFile, schema: Schema
) -> tuple[dict, ImageFile | None] | None:
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
    preview = checker.preview_image(data, source)
    if preview is BAD:
        return None
    data["preview_image"] = preview
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
                checker.error(
                    source.path,
                    source.data["keys"].lines[index],
                    f"keys[{index}].revoked",
                    "a revoked key needs the date it was revoked (revoked: YYYY-MM-DD), and only a revoked key has one",
                )
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
        preview_image=data["preview_image"],
    )


def _achievement(checker: Checker, stem: str, source: SourceFile) -> Achievement | None:
    checked = _named_file(checker, stem, source, ACHIEVEMENT_SCHEMA)
    if checked is None:
        return None
    data, image = checked
    rule = _rule(checker, source, data)
    if rule is False:
        return None
    requires = rule if isinstance(rule, Requirement) else None
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
        requires=requires,
        within=data.get("within"),
        auto_award=data.get("auto_award", True),
        source=source.path,
        preview_image=data["preview_image"],
    )


def _rule(checker: Checker, source: SourceFile, data: dict) -> Requirement | None | bool:
    """The achievement's stack rule (``requires:``, or the old ``stack:``); None for a single
    badge; False when it is wrong (reported)."""
    lines = source.data.lines
    if "requires" in data and "stack" in data:
        checker.error(
            source.path, lines["stack"], "stack", "give requires: or stack:, not both (stack: is the old name)"
        )
        return False
    field = "requires" if "requires" in data else "stack" if "stack" in data else None
    if field is None:
        for only in ("within", "auto_award"):
            if only in data:
                checker.error(source.path, lines[only], only, "only a stack has this field: add requires: [...]")
                return False
        return None
    if field == "stack":
        if not isinstance(data["stack"], LineList):
            checker.error(source.path, lines["stack"], "stack", f"must be a list, not {kind(data['stack'])}")
            return False
        checker.warn(
            source.path,
            lines["stack"],
            "stack",
            "is the old name of requires: (read as all of its achievements); rename it to requires:",
        )
    rule = stacks.parse(checker, source.path, data[field], field, lines[field])
    return False if rule is None else rule


def _award(checker: Checker, source: SourceFile, item: Any, index: int, line: int) -> Award | None:
    prefix = f"[{index}]."
    data = checker.mapping(item, AWARD_SCHEMA, source.path, prefix, line)
    if data is None:
        return None
    rec = data["recipient"]
    rec_line = item.lines["recipient"]
    ways = [k for k in ("email", "email_hash", "did") if k in rec]
    if len(ways) != 1:
        checker.error(
            source.path, rec_line, prefix + "recipient", "give exactly one of email, email_hash (with salt) or did"
        )
        return None
    if ("email_hash" in rec) != ("salt" in rec):
        checker.error(source.path, rec_line, prefix + "recipient.salt", "email_hash and salt go together")
        return None
    if "learner" in rec and "email_hash" not in rec:
        checker.error(source.path, rec_line, prefix + "recipient.learner", "goes only with email_hash and salt")
        return None
    recipient = Recipient(
        rec["name"],
        rec.get("email"),
        rec.get("email_hash"),
        rec.get("salt"),
        rec.get("did"),
        public_record=rec.get("public_record"),
        learner=rec.get("learner"),
    )
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
            checker.error(
                source.path, item["revoked"].lines["date"], prefix + "revoked.date", "must not be before the award date"
            )
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


def build_model(
    loaded: LoadedContent, now: datetime | None = None
) -> tuple[Model | None, list[Problem], list[Problem]]:
    """Validate loaded content. Returns (model or None, errors, warnings)."""
    problems = list(loaded.problems)
    warnings = list(loaded.warnings)
    checker = Checker(loaded.root, problems, warnings)
    site = _site(checker, loaded.site)
    empty = rules.empty_files(loaded)
    issuers = {}
    for stem, source in loaded.issuers.items():
        if source.path in empty:
            checker.error(source.path, None, "", "file is empty")
        elif source.data is not None:
            issuer = _issuer(checker, stem, source)
            if issuer:
                issuers[stem] = issuer
    achievements = {}
    for stem, source in loaded.achievements.items():
        if source.path in empty:
            checker.error(source.path, None, "", "file is empty")
        elif source.data is not None:
            achievement = _achievement(checker, stem, source)
            if achievement:
                achievements[stem] = achievement
    if not loaded.issuers and not any(p.path.startswith(f"{loaded.root.name}/issuers") for p in problems):
        checker.error(f"{loaded.root.name}/issuers", None, "", "no issuer: add issuers/<slug>.yaml")
    rules.check_references(checker, loaded, empty)
    awards = _awards(checker, loaded, empty, achievements, now)
    if problems or site is None:
        return None, problems, warnings
    model = Model(loaded.root, site, issuers, achievements, tuple(awards))
    return model, problems, warnings


def _awards(
    checker: Checker, loaded: LoadedContent, empty: set[str], achievements: dict, now: datetime | None
) -> list[Award]:
    awards: list[Award] = []
    seen: dict[str, Award] = {}
    for source in loaded.awards:
        if source.data is None:
            continue
        if not isinstance(source.data, LineList):
            checker.error(
                source.path, getattr(source.data, "line", None), "", "an awards file must be a list of awards"
            )
            continue
        for index, item in enumerate(source.data):
            line = source.data.lines[index]
            prefix = f"[{index}]."
            # The reference is checked whatever else is wrong with the award, so every
            # error shows in one run; an award of a broken achievement is reported there.
            rules.check_award_reference(checker, loaded, empty, source.path, item, prefix)
            award = _award(checker, source, item, index, line)
            if award is None or award.achievement not in achievements:
                continue
            if now is not None and award.awarded > now:
                checker.warn(source.path, item.lines["awarded"], prefix + "awarded", "is in the future")
            first = seen.get(award.fingerprint)
            if first is not None:
                checker.error(
                    source.path,
                    line,
                    prefix.rstrip("."),
                    f"duplicate award: same achievement, recipient and date as {first.source}:{first.line}",
                )
                continue
            seen[award.fingerprint] = award
            awards.append(award)
    learners.check_public_record(checker, awards)
    return awards
