"""Each badge page's QR code: an SVG that leads to the page, for the printed certificate.

QR codes follow ISO/IEC 18004 (segno encodes them). Error correction level M
(§6.5.1: about 15 % of the symbol can be damaged) suits paper that gets folded or
smudged; segno picks the mask by the standard's penalty rules (§7.8.3), so a
given URL always gives the same symbol, and the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import segno

from ... import workers
from ..data import SiteData


def qr_svg(url: str) -> bytes:
    """A small, self-contained SVG QR code of *url*: black on an opaque white square.

    No XML declaration, no classes, no fixed size (the page sizes it through the
    viewBox); the four-module quiet zone is the standard's own (§6.3.8). The white
    background keeps it readable on the muted certificate of an expired badge.
    """
    out = io.BytesIO()
    symbol = segno.make(url, error="m", micro=False)
    symbol.save(
        out,
        kind="svg",
        xmldecl=False,
        svgns=True,
        svgclass=None,
        lineclass=None,
        omitsize=True,
        nl=False,
        border=4,
        dark="#000",
        light="#fff",
    )
    return out.getvalue()


def generate(site: SiteData) -> Iterator[tuple[str, bytes]]:
    """Every credential's QR code (choosing the mask is the cost: on all cores, and kept in
    the build cache, since a badge page's URL never changes)."""
    for file, key in workers.imap_indices(_qr_file, len(site.records), site):
        if site.cache is not None:
            site.cache.mark_used("qr", key)
        yield file


def _qr_file(site: SiteData, index: int) -> tuple[tuple[str, bytes], str]:
    record = site.records[index]
    if site.cache is None:
        return (record.qr_path, qr_svg(record.page_url)), ""
    key = site.cache.qr_key(record.page_url)
    body = site.cache.get("qr", key)
    if body is None:
        body = qr_svg(record.page_url)
        site.cache.put("qr", key, body)
    return (record.qr_path, body), key
