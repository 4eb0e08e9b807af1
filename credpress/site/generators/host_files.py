"""Files static hosts read: ``.nojekyll`` (GitHub Pages) and ``_headers`` (Netlify, Cloudflare)."""

from __future__ import annotations

from collections.abc import Iterator

from ..data import SiteData

# Netlify and Cloudflare Pages read _headers: let browser verifiers on other
# origins fetch our JSON (credentials, did.json, status lists).
HEADERS_FILE = """/*
  Access-Control-Allow-Origin: *
"""


def generate(site: SiteData) -> Iterator[tuple[str, bytes]]:
    yield ".nojekyll", b""
    yield "_headers", HEADERS_FILE.encode("utf-8")
