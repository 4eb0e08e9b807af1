"""The verify page: any credential, pasted, dropped or fetched, checked in the browser."""

from __future__ import annotations

from collections.abc import Iterator

from ..data import SiteData


def generate(site: SiteData) -> Iterator[tuple[str, bytes]]:
    """The verify page."""
    # The verify page tells this site's credentials from anyone else's by issuer DID.
    issuers = [
        {"did": site.layout.issuer_did(slug), "name": issuer.name} for slug, issuer in site.model.issuers.items()
    ]
    page, title = site.layout.verify_page, "Verify a credential"
    description = (
        f"Check an Open Badges 3.0 credential from {site.model.site.title} or anyone else: signature, issuer, "
        "revocation and dates, checked in your browser."
    )
    og = site.previews.og(page, title, description)
    yield site.page("verify.html", page, title=title, site_issuers=issuers, og=og)
