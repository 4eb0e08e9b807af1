"""Each issuer's signed Bitstring Status List credential."""

from __future__ import annotations

from collections.abc import Iterator

from ...output.writer import json_bytes
from ..data import SiteData


def generate(site: SiteData) -> Iterator[tuple[str, bytes]]:
    """Each issuer's status list."""
    for slug in site.model.issuers:
        yield site.layout.status_list(slug), json_bytes(site.status_lists[slug])
