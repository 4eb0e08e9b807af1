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
    yield site.page("verify.html", site.layout.verify_page, title="Verify a credential", site_issuers=issuers)
