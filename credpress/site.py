"""Assemble every output file: signed JSON, DID documents, pages, images, host files.

Pure: returns ``(path, bytes)`` pairs for the writer. Views handed to templates
are plain dicts built here, so templates hold no logic beyond layout.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from PIL import Image

from . import credential as cred
from . import workers
from .did import did_document, issuer_did, published_keys
from .layout import Layout, relative
from .model import Achievement, Award, ImageFile, Model
from .render import Renderer, environment, linkedin_url
from .write import json_bytes

STATIC_FILES = ("style.css", "page.js", "verify.js", "verify-ui.js")

# Netlify and Cloudflare Pages read _headers: let browser verifiers on other
# origins fetch our JSON (credentials, did.json, status lists).
HEADERS_FILE = """/*
  Access-Control-Allow-Origin: *
"""


def _image_view(image: ImageFile | None, layout: Layout, page: str, alt: str) -> dict[str, Any] | None:
    if image is None:
        return None
    view: dict[str, Any] = {"src": relative(page, layout.image(image.rel)), "url": layout.url(layout.image(image.rel)), "alt": alt,
            "media_type": image.media_type, "width": None, "height": None}
    if image.media_type in ("image/png", "image/jpeg"):
        view["width"], view["height"] = _pixel_size(image.source)
    return view


@lru_cache(maxsize=256)
def _pixel_size(path: Path) -> tuple[int, int]:
    # Every badge page shows the same few images: read each file's size once.
    with Image.open(path) as img:
        return img.size


def _date(moment: datetime | None) -> str | None:
    return moment.strftime("%-d %B %Y") if moment else None


class SiteBuilder:
    def __init__(self, model: Model, signed: list[tuple[Award, dict[str, Any]]], assignments: dict[str, Any],
                 status_lists: dict[str, dict[str, Any]], public_key: str, templates: Path | None):
        self.model = model
        self.signed = signed
        self.status_lists = status_lists
        self.assignments = assignments
        self.public_key = public_key
        self.layout = Layout(model.site)
        self.files: list[tuple[str, bytes]] = []
        self.renderer = Renderer(environment(templates), {"site": model.site})
        self._achievement_views: dict[tuple[str, int], dict[str, Any]] = {}
        self.awards_of: dict[str, list[Award]] = {}
        for award in model.awards:
            self.awards_of.setdefault(award.achievement, []).append(award)

    def add(self, rel: str, data: bytes | str) -> None:
        self.files.append((rel, data.encode("utf-8") if isinstance(data, str) else data))

    def page(self, template: str, path: str, **context: Any) -> None:
        self.add(path + "index.html", self.renderer.page(template, path, **context))

    # --- views -------------------------------------------------------------------------

    def issuer_view(self, slug: str, page: str) -> dict[str, Any]:
        issuer = self.model.issuers[slug]
        return {
            "slug": slug, "name": issuer.name, "url": issuer.url, "email": issuer.email,
            "description": issuer.description, "did": issuer_did(self.model.site, slug),
            "href": relative(page, self.layout.issuer_page(slug)),
            "did_href": relative(page, self.layout.did_document(slug)),
            "profile_href": relative(page, self.layout.issuer_profile_json(slug)),
            "image": _image_view(issuer.image, self.layout, page, f"{issuer.name} logo"),
        }

    def achievement_view(self, achievement: Achievement, page: str) -> dict[str, Any]:
        # Links are relative, so pages at the same depth share a view (every badge page).
        key = (achievement.slug, page.count("/"))
        if key not in self._achievement_views:
            self._achievement_views[key] = self._achievement_view(achievement, page)
        return self._achievement_views[key]

    def _achievement_view(self, achievement: Achievement, page: str) -> dict[str, Any]:
        layout = self.layout
        return {
            "slug": achievement.slug, "name": achievement.name, "type": achievement.type,
            "type_label": _type_label(achievement.type),
            "description": achievement.description, "criteria": achievement.criteria,
            "tags": achievement.tags, "credits": achievement.credits,
            "expires_after": _duration_label(achievement.expires_after),
            "alignment": achievement.alignment,
            "href": relative(page, layout.achievement_page(achievement.slug)),
            "json_href": relative(page, layout.achievement_json(achievement.slug)),
            "image": _image_view(achievement.image, layout, page, f"{achievement.name} badge"),
            "awarded_count": len(self.awards_of.get(achievement.slug, [])),
            "stack": [self.stack_part(self.model.achievements[s], page) for s in achievement.stack],
            "stacks_into": [self.stack_part(a, page) for a in self.model.stacks_into(achievement.slug)],
        }

    def stack_part(self, achievement: Achievement, page: str) -> dict[str, Any]:
        return {"slug": achievement.slug, "name": achievement.name, "type_label": _type_label(achievement.type),
                "href": relative(page, self.layout.achievement_page(achievement.slug)),
                "image": _image_view(achievement.image, self.layout, page, f"{achievement.name} badge")}

    # --- files -------------------------------------------------------------------------

    def build(self) -> list[tuple[str, bytes]]:
        model, layout = self.model, self.layout
        for slug, issuer in model.issuers.items():
            did = issuer_did(model.site, slug)
            self.add(layout.did_document(slug), json_bytes(did_document(did, published_keys(issuer, self.public_key))))
            self.add(layout.issuer_profile_json(slug), json_bytes(cred.standalone(cred.issuer_profile(issuer, model))))
            self.add(layout.status_list(slug), json_bytes(self.status_lists[slug]))
            page = layout.issuer_page(slug)
            achievements = [self.achievement_view(a, page) for a in model.achievements.values() if a.issuer == slug]
            self.page("issuer.html", page, issuer=self.issuer_view(slug, page), achievements=achievements,
                      title=issuer.name)
        for achievement in model.achievements.values():
            self.add(layout.achievement_json(achievement.slug),
                     json_bytes(cred.standalone(cred.achievement_object(achievement, model))))
            page = layout.achievement_page(achievement.slug)
            self.page("achievement.html", page, achievement=self.achievement_view(achievement, page),
                      issuer=self.issuer_view(achievement.issuer, page), title=achievement.name,
                      og=self._og(achievement, page, achievement.name, _plain(achievement.description)))
        # Credential JSON and badge pages: the bulk of the work, on all cores.
        for files in workers.map_indices(_credential_files, len(self.signed), self):
            self.files += files
        self._home()
        # The verify page tells this site's credentials from anyone else's by issuer DID.
        self.page("verify.html", layout.verify_page, title="Verify a credential",
                  site_issuers=[{"did": issuer_did(model.site, slug), "name": issuer.name}
                                for slug, issuer in model.issuers.items()])
        for image in self._images():
            self.add(layout.image(image.rel), image.source.read_bytes())
        static = resources.files("credpress") / "static"
        for name in STATIC_FILES:
            self.add(layout.asset(name), (static / name).read_bytes())
        self.add(".nojekyll", b"")
        self.add("_headers", HEADERS_FILE)
        return self.files

    def credential_files(self, award: Award, document: dict[str, Any]) -> list[tuple[str, bytes]]:
        """The credential's JSON and its badge page (added to a fresh list)."""
        files, self.files = self.files, []
        try:
            self._credential_files(award, document)
            return self.files
        finally:
            self.files = files

    def _credential_files(self, award: Award, document: dict[str, Any]) -> None:
        model, layout = self.model, self.layout
        credential_id = self.assignments[award.fingerprint].credential_id
        json_path = layout.credential_json(credential_id)
        data = json_bytes(document)
        self.add(json_path, data)
        page = layout.credential_page(credential_id)
        achievement = model.achievements[award.achievement]
        issuer = model.issuers[achievement.issuer]
        until = cred.valid_until(award, achievement)
        page_url = layout.url(page)
        linkedin = linkedin_url(
            name=achievement.name, organization_id=issuer.linkedin_organization_id, organization_name=issuer.name,
            issued_year=award.awarded.year, issued_month=award.awarded.month, cert_url=page_url,
            cert_id=credential_id, expires_year=until.year if until else None,
            expires_month=until.month if until else None,
        )
        view = {
            "id": credential_id, "url": document["id"], "page_url": page_url,
            "json_href": relative(page, json_path), "json_name": f"{_file_stem(achievement.name)}-{credential_id[:8]}.json",
            "recipient": award.recipient.name, "awarded": _date(award.awarded), "awarded_iso": document["awardedDate"],
            "valid_from": document["validFrom"], "valid_until": document.get("validUntil"),
            "valid_until_label": _date(until), "narrative": award.narrative, "evidence": award.evidence,
            "linkedin": linkedin, "verify_href": relative(page, layout.verify_page),
            "revoked": award.revoked and {"date": award.revoked.date.strftime("%-d %B %Y"),
                                          "date_iso": award.revoked.date.isoformat(), "reason": award.revoked.reason},
            "reissued": _date(award.reissued),
        }
        title = f"{award.recipient.name}: {achievement.name}"
        self.page("credential.html", page, credential=view, document=document, document_json=data.decode("utf-8"),
                  achievement=self.achievement_view(achievement, page), issuer=self.issuer_view(issuer.slug, page),
                  title=title, og=self._og(achievement, page, f"{achievement.name} – {issuer.name}",
                                           f"{award.recipient.name} earned {achievement.name} from {issuer.name}."))

    def _og(self, achievement: Achievement, page: str, title: str, description: str) -> dict[str, Any]:
        image = _image_view(achievement.image, self.layout, page, f"{achievement.name} badge")
        # LinkedIn shows PNG or JPEG previews, not SVG (SPEC-NOTES §8.2).
        if image and image["media_type"] not in ("image/png", "image/jpeg"):
            image = None
        return {"title": title, "description": description[:300], "url": self.layout.url(page), "image": image}

    def _home(self) -> None:
        page = self.layout.home
        views = {a.slug: self.achievement_view(a, page) for a in self.model.achievements.values()}
        stacked = {part for a in self.model.achievements.values() for part in a.stack}
        stacks = [views[a.slug] for a in self.model.achievements.values() if a.stack]
        singles = [views[a.slug] for a in self.model.achievements.values() if not a.stack and a.slug not in stacked]
        issuers = [self.issuer_view(slug, page) for slug in self.model.issuers]
        self.page("home.html", page, stacks=stacks, singles=singles, issuers=issuers,
                  title=self.model.site.title, credential_count=len(self.signed))

    def _images(self) -> list[ImageFile]:
        seen: dict[str, ImageFile] = {}
        images = [i.image for i in self.model.issuers.values()] + [a.image for a in self.model.achievements.values()]
        for image in images:
            if image is not None:
                seen.setdefault(image.rel, image)
        return list(seen.values())


def _type_label(achievement_type: str) -> str:


    name = achievement_type.removeprefix("ext:")
    label = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)
    return {"Micro Credential": "Microcredential"}.get(label, label)


def _duration_label(duration: str | None) -> str | None:
    if not duration:
        return None


    units = {"Y": "year", "M": "month", "W": "week", "D": "day"}
    parts = [f"{n} {units[u]}{'s' if n != '1' else ''}" for n, u in re.findall(r"(\d+)([YMWD])", duration)]
    return ", ".join(parts)


def _plain(markdown_text: str) -> str:


    return re.sub(r"[*_`#>\[\]]", "", markdown_text).replace("\n", " ").strip()


def _file_stem(name: str) -> str:


    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "credential"


def _credential_files(builder: SiteBuilder, index: int) -> list[tuple[str, bytes]]:
    award, document = builder.signed[index]
    return builder.credential_files(award, document)


def site_files(model: Model, signed: list[tuple[Award, dict[str, Any]]], assignments: dict[str, Any],
               status_lists: dict[str, dict[str, Any]], public_key: str, templates: Path | None) -> list[tuple[str, bytes]]:
    return SiteBuilder(model, signed, assignments, status_lists, public_key, templates).build()
