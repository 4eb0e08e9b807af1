"""Each badge page's QR code: an SVG that leads to the page, for the printed certificate.

QR codes follow ISO/IEC 18004:2015. Error correction level M (§7.5.1: about 15 % of
the symbol can be damaged), or Q or H where the data leaves room in the same version,
suits paper that gets folded or smudged; the mask is chosen by the standard's penalty
rules (§7.8.3), so a given URL always gives the same symbol, and the same bytes. Those
bytes are segno's: ``credpress.site.qr`` makes the same symbol and SVG some thirty
times faster, and segno draws whatever that encoder leaves to it (data for another
mode than byte mode, or beyond version 40).
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import segno

from ... import workers
from .. import qr
from ..data import SiteData


def qr_svg(url: str) -> bytes:
    """A small, self-contained SVG QR code of *url*: black on an opaque white square.

    No XML declaration, no classes, no fixed size (the page sizes it through the
    viewBox); the four-module quiet zone is the standard's own (§6.3.8). The white
    background keeps it readable on the muted certificate of an expired badge.
    """
    fast = qr.svg(url)
    return fast if fast is not None else segno_svg(url)


# segno's SVG options for qr_svg (credpress.site.qr writes the same bytes).
SEGNO_SVG = {
    "xmldecl": False,
    "svgns": True,
    "svgclass": None,
    "lineclass": None,
    "omitsize": True,
    "nl": False,
    "border": 4,
    "dark": "#000",
    "light": "#fff",
}


def segno_svg(url: str) -> bytes:
    """``qr_svg`` as segno draws it: the fallback, and the reference the tests hold
    ``credpress.site.qr`` to."""
    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(out, kind="svg", **SEGNO_SVG)
    return out.getvalue()


def generate(site: SiteData) -> Iterator[tuple[str, bytes]]:
    """Every credential's QR code (on all cores, and kept in the build cache, since a
    badge page's URL never changes)."""
    for file, key in workers.map_indices(_qr_file, len(site.records), site):
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
