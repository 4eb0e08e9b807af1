"""Files static hosts read: ``.nojekyll`` (GitHub Pages) and ``_headers`` (Netlify, Cloudflare)."""

from __future__ import annotations

from collections.abc import Iterator

from ..data import SiteData

# Netlify and Cloudflare Pages read _headers; a request gets the headers of every rule
# whose path matches it, and '*' matches any characters. Every file: let browser verifiers
# on other origins fetch our JSON (credentials, did.json, status lists). SVG files: a badge
# SVG opened on its own is a document on the site's origin, so it may not run script, load
# anything but embedded images or be sniffed as another type, whatever the content checks
# let through (CSP Level 3 §6.1.3 default-src, §6.3.2 sandbox).
HEADERS_FILE = """/*
  Access-Control-Allow-Origin: *
/*.svg
  Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox
  X-Content-Type-Options: nosniff
"""


def generate(site: SiteData) -> Iterator[tuple[str, bytes]]:
    """The host configuration files, the same for every site."""
    yield ".nojekyll", b""
    yield "_headers", HEADERS_FILE.encode("utf-8")
