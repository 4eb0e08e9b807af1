"""Views of learner records: the record page's pathways, and a badge page's link to it.

Only opted-in learners have a learner record, so only their pages show
progress toward a stack ("2 of 3 toward …"): nothing here is computed for
anyone else's credentials.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..content.model import Achievement, Requirement
from ..dates import day_label
from ..documents.learner import LearnerRecord
from ..documents.record import CredentialRecord
from .layout import relative

if TYPE_CHECKING:
    from .data import SiteData


def progress(rule: Requirement, held: set[str]) -> tuple[int, int]:
    """(parts met, parts needed) of a stack's rule: a nested rule is met when all it needs is."""
    met = 0
    for part in rule.parts:
        if isinstance(part, str):
            met += part in held
        else:
            done, needed = progress(part, held)
            met += done >= needed
    needed = rule.count if rule.count is not None else len(rule.parts)
    return min(met, needed), needed


def _progress_label(stack: Achievement, held: set[str]) -> str | None:
    """ "2 of 3 toward …" while the learner does not hold *stack*; None once they do."""
    if stack.requires is None or stack.slug in held:
        return None
    done, needed = progress(stack.requires, held)
    return f"{done} of {needed} toward {stack.name}"


def _item(record: CredentialRecord, page: str) -> dict[str, Any]:
    return {
        "id": record.url,
        "name": record.achievement.name,
        "href": relative(page, record.page_path),
        "awarded": day_label(record.award.awarded),
        "awarded_iso": record.document["awardedDate"],
    }


def learner_record_view(site: SiteData, record: LearnerRecord) -> dict[str, Any]:
    """The record page: pathways (a stack, then its components) first, single credentials after."""
    page, model = record.page_path, site.model
    by_slug = {r.achievement.slug: r for r in record.credentials}
    held = set(by_slug)
    pathways, placed = [], set()
    # The stacks the learner holds or holds a part of, by name: linear in what they hold.
    relevant = {s.slug for slug in held for s in site.stacks_by_part.get(slug, ())}
    relevant |= {slug for slug in held if model.achievements[slug].stack}
    for stack in sorted((model.achievements[slug] for slug in relevant), key=lambda a: (a.name, a.slug)):
        parts = []
        for slug in stack.stack:
            achievement = model.achievements[slug]
            parts.append({"name": achievement.name, "credential": by_slug.get(slug) and _item(by_slug[slug], page)})
        placed |= {stack.slug, *stack.stack}
        pathways.append(
            {
                "name": stack.name,
                "href": relative(page, site.layout.achievement_page(stack.slug)),
                "credential": by_slug.get(stack.slug) and _item(by_slug[stack.slug], page),
                "parts": parts,
                "progress": _progress_label(stack, held),
            }
        )
    return {
        "id": record.record_id,
        "url": record.url,
        "name": record.name,
        "json_href": relative(page, record.json_path),
        "json_name": f"learning-record-{record.record_id[:8]}.json",
        "pathways": pathways,
        "singles": [_item(r, page) for r in record.credentials if r.achievement.slug not in placed],
        "count": len(record.credentials),
        "verify_href": relative(page, site.layout.verify_page),
    }


def badge_learner_view(site: SiteData, record: CredentialRecord) -> dict[str, Any] | None:
    """A badge page's link to its learner's record and their progress, if they opted in; else None."""
    learner = site.learner_records_by_page.get(record.learner_page or "")
    if learner is None:
        return None
    held = {r.achievement.slug for r in learner.credentials}
    stacks = site.stacks_by_part.get(record.achievement.slug, [])
    return {
        "href": relative(record.page_path, learner.page_path),
        "name": learner.name,
        "progress": [label for stack in stacks if (label := _progress_label(stack, held))],
    }
