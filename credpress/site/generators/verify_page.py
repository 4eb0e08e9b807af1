"""The verify page: any credential, pasted, dropped or fetched, checked in the browser."""

from __future__ import annotations

from collections.abc import Iterator

from ..data import SiteData


def generate(site: SiteData) -> Iterator[tuple[str, bytes]]:
    """The verify page."""
    yield site.page("verify.html", site.layout.verify_page, title="Verify a credential")
