"""Link-preview images (og:image): once for the site, once per issuer and once per achievement."""

from __future__ import annotations

from collections.abc import Iterator

from ..data import SiteData


def generate(site: SiteData) -> Iterator[tuple[str, bytes]]:
    """Each preview image: the provider's own, or a card drawn with Pillow."""
    for preview in site.previews.all():
        yield preview.path, preview.image_bytes()
