"""The home page: stacks first, then single badges, then issuers."""

from __future__ import annotations

from collections.abc import Iterator

from ..data import SiteData
from ..layout import relative


def generate(site: SiteData) -> Iterator[tuple[str, bytes]]:
    """The home page."""
    model, views, page = site.model, site.views, site.layout.home
    achievement_views = {a.slug: views.achievement(a, page) for a in model.achievements.values()}
    stacked = {part for a in model.achievements.values() for part in a.stack}
    stacks = [achievement_views[a.slug] for a in model.achievements.values() if a.stack]
    singles = [achievement_views[a.slug] for a in model.achievements.values() if not a.stack and a.slug not in stacked]
    issuers = [views.issuer(slug, page) for slug in model.issuers]
    yield site.page(
        "home.html",
        page,
        stacks=stacks,
        singles=singles,
        issuers=issuers,
        title=model.site.title,
        credential_count=len(site.records),
        dashboard_href=relative(page, site.layout.dashboard) if model.site.dashboard else None,
    )
