"""Badge art and logos, copied from content/ to the same relative paths."""

from __future__ import annotations

from collections.abc import Iterator

from ...content.model import ImageFile
from ..data import SiteData


def generate(site: SiteData) -> Iterator[tuple[str, bytes]]:
    """Each content image once."""
    model = site.model
    seen: dict[str, ImageFile] = {}
    for image in [i.image for i in model.issuers.values()] + [a.image for a in model.achievements.values()]:
        if image is not None:
            seen.setdefault(image.rel, image)
    for image in seen.values():
        yield site.layout.image_file(image.rel), image.source.read_bytes()
