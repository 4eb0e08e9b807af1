"""Views: the plain dicts templates receive, so templates hold no logic beyond layout.

Links in views are relative to the page they appear on, so the site works under
any base path and from a local preview.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import Image

from ..content.model import Achievement, ImageFile, Requirement
from ..dates import day_label, duration_label
from ..documents.credential import credential_dates, valid_until
from ..documents.plain_text import one_line
from ..documents.record import CredentialRecord
from .layout import Layout, relative
from .render import linkedin_url
from .summary import summary

if TYPE_CHECKING:
    from .data import SiteData


def image_view(image: ImageFile | None, layout: Layout, page: str, alt: str) -> dict[str, Any] | None:
    """How a page shows a content image (its pixel size for PNG and JPEG)."""
    if image is None:
        return None
    view: dict[str, Any] = {
        "src": relative(page, layout.image(image.rel)),
        "url": layout.url(layout.image(image.rel)),
        "alt": alt,
        "media_type": image.media_type,
        "width": None,
        "height": None,
    }
    if image.media_type in ("image/png", "image/jpeg"):
        view["width"], view["height"] = _pixel_size(image.source)
    return view


@lru_cache(maxsize=256)
def _pixel_size(path: Path) -> tuple[int, int]:
    # Every badge page shows the same few images: read each file's size once.
    with Image.open(path) as img:
        return img.size


def type_label(achievement_type: str) -> str:
    """``MicroCredential`` → ``Microcredential``; ``ext:ShortCourse`` → ``Short Course``."""
    name = achievement_type.removeprefix("ext:")
    label = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)
    return {"Micro Credential": "Microcredential"}.get(label, label)


def plain(markdown_text: str) -> str:
    """Markdown as one line of plain text (for descriptions in meta tags)."""
    return one_line(markdown_text)


def file_stem(name: str) -> str:
    """A safe download file name from a display name."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "credential"


class Views:
    """View builders over one site's data (achievement views are shared between pages)."""

    def __init__(self, site: SiteData):
        self.site = site
        self.model = site.model
        self.layout = site.layout
        self._achievement_views: dict[tuple[str, int], dict[str, Any]] = {}
        self._issuer_views: dict[tuple[str, int], dict[str, Any]] = {}

    def issuer(self, slug: str, page: str) -> dict[str, Any]:
        """The view of an issuer, with links relative to *page*."""
        # Links are relative, so pages at the same depth share a view (every badge page).
        key = (slug, page.count("/"))
        if key not in self._issuer_views:
            self._issuer_views[key] = self._issuer(slug, page)
        return self._issuer_views[key]

    def _issuer(self, slug: str, page: str) -> dict[str, Any]:
        issuer = self.model.issuers[slug]
        layout = self.layout
        return {
            "slug": slug,
            "name": issuer.name,
            "url": issuer.url,
            "email": issuer.email,
            "description": issuer.description,
            "did": layout.issuer_did(slug),
            "href": relative(page, layout.issuer_page(slug)),
            "did_href": relative(page, layout.did_document(slug)),
            "profile_href": relative(page, layout.issuer_profile_json(slug)),
            "image": image_view(issuer.image, layout, page, f"{issuer.name} logo"),
        }

    def achievement(self, achievement: Achievement, page: str) -> dict[str, Any]:
        """The view of an achievement, with links relative to *page*."""
        # Links are relative, so pages at the same depth share a view (every badge page).
        key = (achievement.slug, page.count("/"))
        if key not in self._achievement_views:
            self._achievement_views[key] = self._achievement(achievement, page)
        return self._achievement_views[key]

    def _achievement(self, achievement: Achievement, page: str) -> dict[str, Any]:
        layout = self.layout
        return {
            "slug": achievement.slug,
            "name": achievement.name,
            "type": achievement.type,
            "type_label": type_label(achievement.type),
            "description": achievement.description,
            "criteria": achievement.criteria,
            "criteria_summary": summary(achievement.criteria),  # the printed certificate's
            "tags": achievement.tags,
            "credits": achievement.credits,
            "expires_after": duration_label(achievement.expires_after),
            "alignment": achievement.alignment,
            "href": relative(page, layout.achievement_page(achievement.slug)),
            "json_href": relative(page, layout.achievement_json(achievement.slug)),
            "image": image_view(achievement.image, layout, page, f"{achievement.name} badge"),
            "awarded_count": len(self.site.records_by_achievement.get(achievement.slug, [])),
            "stack": [self.stack_part(self.model.achievements[s], page) for s in achievement.stack],
            "stacks_into": [self.stack_part(a, page) for a in self.model.stacks_into(achievement.slug)],
            "pathway": achievement.requires
            and {
                "svg_href": relative(page, layout.pathway_svg(achievement.slug)),
                "rule": self._rule(achievement.requires, page),
                "within": duration_label(achievement.within),
                "auto_award": achievement.auto_award,
            },
        }

    def _rule(self, rule: Requirement, page: str) -> dict[str, Any]:
        """A stack's rule as nested groups, for the list beside its diagram."""
        return {
            "label": rule.label(),
            "parts": [
                self._rule(part, page)
                if isinstance(part, Requirement)
                else self.stack_part(self.model.achievements[part], page)
                for part in rule.parts
            ],
        }

    def stack_part(self, achievement: Achievement, page: str) -> dict[str, Any]:
        """A short view of an achievement in a stack."""
        return {
            "slug": achievement.slug,
            "name": achievement.name,
            "type_label": type_label(achievement.type),
            "href": relative(page, self.layout.achievement_page(achievement.slug)),
            "image": image_view(achievement.image, self.layout, page, f"{achievement.name} badge"),
        }

    def og(self, achievement: Achievement, page: str, title: str, description: str) -> dict[str, Any]:
        """Open Graph tags of a page about *achievement*, with the achievement's preview image."""
        previews = self.site.previews
        return previews.og(page, title, description, previews.achievement(achievement))

    def credential(self, record: CredentialRecord) -> dict[str, Any]:
        """The badge page's view of one credential."""
        award, achievement, issuer = record.award, record.achievement, record.issuer
        dates = credential_dates(award, achievement)  # as signed (the document's id is record.url)
        page = record.page_path
        until = valid_until(award, achievement)
        linkedin = linkedin_url(
            name=achievement.name,
            organization_id=issuer.linkedin_organization_id,
            organization_name=issuer.name,
            issued_year=award.awarded.year,
            issued_month=award.awarded.month,
            cert_url=record.page_url,
            cert_id=record.credential_id,
            expires_year=until.year if until else None,
            expires_month=until.month if until else None,
        )
        return {
            "id": record.credential_id,
            "url": record.url,
            "page_url": record.page_url,
            "json_href": relative(page, record.json_path),
            "json_name": f"{file_stem(achievement.name)}-{record.credential_id[:8]}.json",
            "recipient": award.recipient.name,
            "awarded": day_label(award.awarded),
            "awarded_iso": dates["awardedDate"],
            "valid_from": dates["validFrom"],
            "valid_from_label": day_label(datetime.fromisoformat(dates["validFrom"])),
            "valid_until": dates.get("validUntil"),
            "valid_until_label": day_label(until),
            "narrative": award.narrative,
            "evidence": award.evidence,
            "linkedin": linkedin,
            "verify_href": relative(page, self.layout.verify_page),
            "verify_url": self.layout.url(self.layout.verify_page),
            "qr_src": relative(page, record.qr_path),
            "revoked": award.revoked
            and {
                "date": day_label(award.revoked.date),
                "date_iso": award.revoked.date.isoformat(),
                "reason": award.revoked.reason,
            },
            "reissued": day_label(award.reissued),
            "stacked": record.stacked,
            # A stacked credential's components, each verified on its badge page: the only
            # links between one learner's credentials (they are in its signed evidence).
            "components": [
                {
                    "name": c.achievement.name,
                    "href": relative(page, c.page_path),
                    "json_href": relative(page, c.json_path),
                    "url": c.url,
                    "awarded": day_label(c.award.awarded),
                    "awarded_iso": c.award.awarded.date().isoformat(),
                }
                for c in record.components
            ],
        }
