"""``credpress init``: a new provider repository, ready to build, check and deploy.

The files come from ``credpress/data/scaffold/`` (``gitignore`` and ``github/``
are written as ``.gitignore`` and ``.github/``, names a package keeps poorly),
with the issuer's name, slug, ``base_url`` and today's date filled in. The badge
image is drawn here with Pillow, from fixed shapes, so it is the same every time.
"""

from __future__ import annotations

import html
import io
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from importlib import metadata
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from PIL import Image, ImageDraw

from ..errors import CredpressError
from .fields import Invalid, text
from .urls import base_url

RENAMES = {"gitignore": ".gitignore", "github": ".github"}
BADGE_IMAGE = "content/images/first-badge.png"


class ScaffoldError(CredpressError):
    """The folder cannot be made into a provider repository; nothing was written."""


@dataclass(frozen=True)
class Scaffold:
    """What ``init`` fills in."""

    name: str = "Example Academy"
    base_url: str = "https://example.github.io/badges/"
    today: date | None = None


def issuer_slug(name: str) -> str:
    """A slug for the issuer's file: ASCII letters and digits of *name*, joined by hyphens."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_name))[:64].strip("-") or "issuer"


def badge_png() -> bytes:
    """A plain badge: a ribbon and a medal with a star, drawn from fixed coordinates."""
    size = 512
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.polygon([(176, 300), (236, 300), (206, 500), (166, 460)], fill=(31, 91, 160))
    draw.polygon([(276, 300), (336, 300), (346, 460), (306, 500)], fill=(31, 91, 160))
    draw.ellipse((96, 40, 416, 360), fill=(23, 63, 120))
    draw.ellipse((120, 64, 392, 336), fill=(255, 196, 61))
    star = [(256, 104), (283, 170), (354, 174), (299, 219), (317, 288), (256, 250), (195, 288), (213, 219)]
    star += [(158, 174), (229, 170)]
    draw.polygon(star, fill=(23, 63, 120))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def _version() -> str:
    try:
        return metadata.version("credpress")
    except metadata.PackageNotFoundError:  # running from a source tree
        return "0.1.0"


def _fill(rel: str, template: str, scaffold: Scaffold, slug: str) -> str:
    """The template with its placeholders, each quoted for the file it lands in."""
    name = scaffold.name

    def quote(value: str) -> str:
        if rel.endswith(".yaml"):
            return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar
        return html.escape(value) if rel.endswith(".html") else value

    values = {
        "@@ISSUER_NAME@@": quote(name),
        "@@SITE_TITLE@@": quote(f"{name} Badges"),
        "@@ISSUER_SLUG@@": slug,
        "@@BASE_URL@@": scaffold.base_url,
        "@@TODAY@@": (scaffold.today or date.today()).isoformat(),
        "@@CREDPRESS_VERSION@@": _version(),
    }
    for token, value in values.items():
        template = template.replace(token, value)
    return template


def _walk(folder: Traversable, rel: str = "") -> list[tuple[str, Traversable]]:
    found = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name == "__pycache__":
            continue
        path = f"{rel}{RENAMES.get(entry.name, entry.name) if not rel else entry.name}"
        found += _walk(entry, path + "/") if entry.is_dir() else [(path, entry)]
    return found


def planned_files(scaffold: Scaffold) -> dict[str, bytes]:
    """Every file of the new repository: relative path -> bytes."""
    try:
        name = text()(scaffold.name)
        url = base_url(scaffold.base_url)
    except Invalid as exc:
        raise ScaffoldError(f"{exc}") from None
    scaffold = Scaffold(name, url, scaffold.today)
    slug = issuer_slug(name)
    planned: dict[str, bytes] = {}
    for rel, entry in _walk(files("credpress") / "data" / "scaffold"):
        rel = rel.replace("issuers/ISSUER.yaml", f"issuers/{slug}.yaml")
        planned[rel] = _fill(rel, entry.read_text("utf-8"), scaffold, slug).encode("utf-8")
    planned[BADGE_IMAGE] = badge_png()
    return planned


def init_repository(target: Path, scaffold: Scaffold) -> list[str]:
    """Write a provider repository into *target* (missing or empty); returns the paths written."""
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise ScaffoldError(f"{target} is a file, not a folder")
    if target.is_dir() and any(target.iterdir()):
        raise ScaffoldError(f"{target} is not empty: credpress init makes a new repository in an empty or new folder")
    planned = planned_files(scaffold)
    try:
        for rel, data in planned.items():
            path = target / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    except OSError as exc:
        raise ScaffoldError(f"could not write {target}: {exc.strerror or exc}") from None
    return sorted(planned)
