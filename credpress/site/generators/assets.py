"""The stylesheet and scripts every page uses (the in-browser verifier among them)."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources

from ..data import SiteData

STATIC_FILES = ("style.css", "page.js", "verify.js", "verify-ui.js", "bake.js")


def generate(site: SiteData) -> Iterator[tuple[str, bytes]]:
    """The static assets."""
    static = resources.files("credpress") / "static"
    for name in STATIC_FILES:
        yield site.layout.asset(name), (static / name).read_bytes()
