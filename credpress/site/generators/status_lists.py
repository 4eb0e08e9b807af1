"""Each issuer's signed Bitstring Status List credentials."""

from __future__ import annotations

from collections.abc import Iterator

from ...output.writer import json_bytes
from ..data import SiteData


def generate(site: SiteData) -> Iterator[tuple[str, bytes]]:
    """Each issuer's status lists: list 1, and every later one that holds a credential."""
    for slug in site.model.issuers:
        for number, document in sorted(site.status_lists[slug].items()):
            yield site.layout.status_list(slug, number), json_bytes(document)
