"""Link-preview images (og:image): once for the site, once per issuer and once per achievement.

Drawing a card is costly (about 0.1 s each, mostly PNG compression), so with a
build cache (:mod:`credpress.build_cache`) a card whose words, art, fonts and
drawing code are those of an earlier build is reused instead of drawn again.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..data import SiteData
from ..previews import Preview


def generate(site: SiteData) -> Iterator[tuple[str, bytes]]:
    """Each preview image: the provider's own, or a card drawn with Pillow."""
    for preview in site.previews.all():
        yield preview.path, _image(site, preview)


def _image(site: SiteData, preview: Preview) -> bytes:
    if site.cache is None or preview.card is None:
        return preview.image_bytes()
    key = site.cache.preview_key(preview.card)
    body = site.cache.get("previews", key)
    if body is None:
        body = preview.image_bytes()
        site.cache.put("previews", key, body)
    return body
