"""Link previews: which image and words each page gives LinkedIn, Slack, Teams and X.

Every page carries Open Graph tags and a Twitter card (docs/standards.md §9:
conventions, no specification): an absolute ``og:url``, a title, a plain-text
description and a 1.91:1 image. Images exist once for the site, once per issuer
and once per achievement, never once per credential: a badge page shows its
achievement's. A provider's own ``preview_image`` is published as it is;
otherwise :mod:`.preview_art` draws one.

A badge page's preview never reads as a valid award when it is not: a revoked
credential's title starts "REVOKED:", and an expiring credential's description
says until when it is valid (the build does not read the clock, so it cannot
say "expired": the date lets the reader judge).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from PIL import Image

from ..content.model import Achievement, ImageFile
from ..dates import day_label
from ..documents.credential import valid_until
from ..documents.plain_text import one_line
from ..documents.record import CredentialRecord
from . import preview_art
from .views import type_label

if TYPE_CHECKING:
    from .data import SiteData

RASTER = ("image/png", "image/jpeg")


@dataclass(frozen=True)
class Preview:
    """One preview image: where it is published, its size and text alternative, and its source."""

    path: str
    width: int
    height: int
    alt: str
    media_type: str
    own: ImageFile | None = None  # the provider's preview_image, published as it is
    card: preview_art.Card | None = None  # else this card, drawn

    def image_bytes(self) -> bytes:
        """The file's bytes: the provider's image, or the card drawn."""
        if self.own is not None:
            return self.own.source.read_bytes()
        assert self.card is not None
        return preview_art.draw(self.card)


class Previews:
    """The previews of one site, and the Open Graph views of its pages."""

    def __init__(self, site: SiteData):
        self.site = site
        self.layout = site.layout
        self.host = urlsplit(site.model.site.base_url).hostname or ""
        self._issuers: dict[str, Preview] = {}
        self._achievements: dict[str, Preview] = {}

    def _preview(self, kind: str, slug: str, own: ImageFile | None, alt: str, card: preview_art.Card) -> Preview:
        if own is not None:
            with Image.open(own.source) as opened:
                width, height = opened.size
            return Preview(self.layout.preview(kind, slug, own.media_type), width, height, alt, own.media_type, own)
        path = self.layout.preview(kind, slug)
        return Preview(path, preview_art.WIDTH, preview_art.HEIGHT, alt, "image/png", card=card)

    @cached_property
    def home(self) -> Preview:
        """The site's preview (home page, verify page, and any page without its own)."""
        model = self.site.model
        names = " and ".join(i.name for i in model.issuers.values())
        logos = [i.image for i in model.issuers.values()]
        art = logos[0].source if len(logos) == 1 and logos[0] and logos[0].media_type in RASTER else None
        card = preview_art.Card("Open Badges 3.0 credentials", model.site.title, f"Issued by {names}", self.host, art)
        return self._preview(
            "site", "", model.site.preview_image, f"{model.site.title}: credentials issued by {names}", card
        )

    def issuer(self, slug: str) -> Preview:
        """The issuer's preview."""
        if slug not in self._issuers:
            issuer = self.site.model.issuers[slug]
            art = issuer.image.source if issuer.image and issuer.image.media_type in RASTER else None
            card = preview_art.Card(
                "Issuer · Open Badges 3.0", issuer.name, urlsplit(issuer.url).hostname or "", self.host, art
            )
            self._issuers[slug] = self._preview(
                "issuers", slug, issuer.preview_image, f"{issuer.name}, issuer of Open Badges 3.0 credentials", card
            )
        return self._issuers[slug]

    def achievement(self, achievement: Achievement) -> Preview:
        """The achievement's preview, also used by every credential of it."""
        if achievement.slug not in self._achievements:
            issuer = self.site.model.issuers[achievement.issuer]
            image = achievement.image
            art = image.source if image and image.media_type in RASTER else None  # Pillow cannot draw SVG
            label = type_label(achievement.type)
            card = preview_art.Card(
                f"{label} · Open Badges 3.0", achievement.name, f"Issued by {issuer.name}", self.host, art
            )
            alt = f"{achievement.name}: {label.lower()} issued by {issuer.name}"
            self._achievements[achievement.slug] = self._preview(
                "achievements", achievement.slug, achievement.preview_image, alt, card
            )
        return self._achievements[achievement.slug]

    def all(self) -> list[Preview]:
        """Every preview image of the site, each once."""
        model = self.site.model
        return [
            self.home,
            *(self.issuer(slug) for slug in model.issuers),
            *(self.achievement(a) for a in model.achievements.values()),
        ]

    def og(self, page: str, title: str, description: str, preview: Preview | None = None) -> dict[str, Any]:
        """The Open Graph and Twitter card view of the page at *page* (templates/og.html)."""
        shown = preview or self.home
        layout = self.layout
        return {
            "title": title,
            "description": description,
            "url": layout.url(page),
            "image": {
                "url": layout.url(shown.path),
                "width": shown.width,
                "height": shown.height,
                "alt": shown.alt,
                "media_type": shown.media_type,
            },
        }

    def page_og(self, page: str, title: str | None) -> dict[str, Any]:
        """The preview of a page that names none: the site's image and description."""
        model = self.site.model
        names = " and ".join(i.name for i in model.issuers.values())
        description = f"Open Badges 3.0 credentials issued by {names}, signed and verifiable by anyone."
        return self.og(page, title or model.site.title, description)

    def achievement_og(self, achievement: Achievement, page: str) -> dict[str, Any]:
        """An achievement page's preview."""
        return self.og(page, achievement.name, one_line(achievement.description), self.achievement(achievement))

    def issuer_og(self, slug: str, page: str) -> dict[str, Any]:
        """An issuer page's preview."""
        issuer = self.site.model.issuers[slug]
        description = one_line(issuer.description) or f"{issuer.name} issues Open Badges 3.0 credentials."
        return self.og(page, issuer.name, description, self.issuer(slug))

    def credential_og(self, record: CredentialRecord) -> dict[str, Any]:
        """A badge page's preview: says so when the credential is revoked, and until when it is valid."""
        award, achievement, issuer = record.award, record.achievement, record.issuer
        name = award.recipient.name
        if award.revoked:
            title = f"REVOKED: {achievement.name} – {issuer.name}"
            description = (
                f"Revoked by {issuer.name} on {day_label(award.revoked.date)}: this credential is no longer valid. "
                f"It was awarded to {name} for {achievement.name}."
            )
        else:
            title = f"{achievement.name} – {issuer.name}"
            description = f"{name} earned {achievement.name} from {issuer.name} on {day_label(award.awarded)}."
            until = valid_until(award, achievement)
            if until is not None:
                description += f" Valid until {day_label(until)}."
        return self.og(record.page_path, title, description, self.achievement(achievement))
