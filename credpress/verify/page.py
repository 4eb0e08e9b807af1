"""Finding the credential a badge page links to, without running the page.

A badge page (what learners share: ``https://host/base/credentials/<id>/``) names
its credential in ``<link rel="alternate" type="application/ld+json" href="…">``
(HTML Living Standard §4.6.7.1, link type "alternate" with a ``type``). This is a
strict, bounded scan for that one element, not an HTML parser: the page is at
most :data:`MAX_PAGE_BYTES`; comments, ``<script>``, ``<style>``, ``<template>``
and ``<textarea>`` contents are skipped; every step is a forward ``find``, so the
scan is linear in the page's length whatever it holds. Nothing on the page is
executed or fetched except the one linked credential.

Decisions: exactly one such link (none, or two, is refused: which credential the
page stands for must not be a guess), and only on the page's own origin (scheme,
host and port): a page cannot send the verifier to another host.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin, urlsplit

MAX_PAGE_BYTES = 1_000_000  # a credpress badge page is about 10 kB
# Elements whose content is text to a browser, not elements: a "<link" inside is not a link.
_RAW_TEXT = (b"script", b"style", b"template", b"textarea", b"title", b"noscript")
_ATTRIBUTE = re.compile(rb"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_TAG_END = re.compile(rb"[\s/>]")


class PageError(ValueError):
    """The page does not name exactly one credential we may follow; the message says why."""


def looks_like_html(data: bytes) -> bool:
    """Whether *data* starts like an HTML document (a doctype or an ``<html>`` element)."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html"))


def _skip_to(lowered: bytes, closing: bytes, start: int) -> int:
    end = lowered.find(closing, start)
    return len(lowered) if end < 0 else end + len(closing)


def link_tags(data: bytes) -> list[dict[bytes, bytes]]:
    """The attributes (names lower-cased) of every ``<link>`` element in the page, in order."""
    lowered = data.lower()  # ASCII only: positions stay the same
    links: list[dict[bytes, bytes]] = []
    at = 0
    while True:
        at = lowered.find(b"<", at)
        if at < 0:
            return links
        if lowered.startswith(b"<!--", at):
            at = _skip_to(lowered, b"-->", at + 4)
            continue
        close = lowered.find(b">", at)
        if close < 0:
            return links  # an unfinished tag ends the document
        name_end = _TAG_END.search(lowered, at + 1, close + 1)
        name = lowered[at + 1 : name_end.start() if name_end else close]
        if name in _RAW_TEXT:
            at = _skip_to(lowered, b"</" + name, close + 1)
            continue
        if name == b"link":
            attributes: dict[bytes, bytes] = {}
            for match in _ATTRIBUTE.finditer(data, at + 5, close):
                key = match.group(1).lower()
                value = next((v for v in match.group(2, 3, 4) if v is not None), b"")
                attributes.setdefault(key, value)  # HTML: the first of a repeated attribute wins
            links.append(attributes)
        at = close + 1


def credential_link(data: bytes, page_url: str) -> str:
    """The absolute URL of the credential the page at *page_url* links to; PageError otherwise."""
    if len(data) > MAX_PAGE_BYTES:
        raise PageError(f"the page {page_url} is larger than {MAX_PAGE_BYTES} bytes")
    found = [
        attributes[b"href"]
        for attributes in link_tags(data)
        if b"alternate" in attributes.get(b"rel", b"").lower().split()
        and attributes.get(b"type", b"").strip().lower() == b"application/ld+json"
        and b"href" in attributes
    ]
    if not found:
        raise PageError(f"{page_url} is a web page without a credential link (<link rel=alternate ld+json>)")
    if len(found) > 1:
        raise PageError(f"{page_url} links {len(found)} credentials; a badge page links exactly one")
    href = html.unescape(found[0].decode("utf-8", "replace")).strip()
    url = urljoin(page_url, href)
    page, target = urlsplit(page_url), urlsplit(url)
    if (page.scheme, page.netloc) != (target.scheme, target.netloc):
        raise PageError(
            f"{page_url} links its credential on another site ({href[:200]}); only a link on the page's "
            "own site is followed: verify that URL itself if you mean to"
        )
    return url
