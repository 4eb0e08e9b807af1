"""Each achievement's published JSON (its ``id``) and its page (its criteria)."""

from __future__ import annotations

from collections.abc import Iterator

from ...documents.credential import achievement_object, standalone
from ...documents.pathway import pathway_terms
from ...output.writer import json_bytes
from ..data import SiteData


def generate(site: SiteData) -> Iterator[tuple[str, bytes]]:
    """Each achievement's JSON and page."""
    layout, views = site.layout, site.views
    for achievement in site.model.achievements.values():
        yield (
            layout.achievement_json(achievement.slug),
            json_bytes(
                standalone({**achievement_object(achievement, site.model), **pathway_terms(achievement, site.model)})
            ),
        )
        page = layout.achievement_page(achievement.slug)
        yield site.page(
            "achievement.html",
            page,
            achievement=views.achievement(achievement, page),
            issuer=views.issuer(achievement.issuer, page),
            title=achievement.name,
            og=site.previews.achievement_og(achievement, page),
        )
