"""Each issuer's page: who they are and what they award."""

from __future__ import annotations

from collections.abc import Iterator

from ..data import SiteData


def generate(site: SiteData) -> Iterator[tuple[str, bytes]]:
    """Each issuer's page."""
    views = site.views
    for slug, issuer in site.model.issuers.items():
        page = site.layout.issuer_page(slug)
        achievements = [views.achievement(a, page) for a in site.model.achievements.values() if a.issuer == slug]
        yield site.page(
            "issuer.html",
            page,
            issuer=views.issuer(slug, page),
            achievements=achievements,
            title=issuer.name,
            og=site.previews.issuer_og(slug, page),
        )
