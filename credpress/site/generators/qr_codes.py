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
from functools import partial

import segno

from ... import workers
from ...output.writer import Known
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


def generate(site: SiteData) -> Iterator[tuple[str, bytes | Known]]:
    """Every credential's QR code (on all cores, and kept in the build cache, since a
    badge page's URL never changes)."""
    cache = site.cache
    for index, (key, body, fresh) in enumerate(workers.imap_indices(_qr_file, len(site.records), site)):
        record = site.records[index]
        if cache is None:
            assert body is not None
            yield record.qr_path, body
            continue
        if fresh:
            assert body is not None
            cache.put("qr", key, body)  # drawn in a worker, stored here
        cache.mark_used("qr", key)
        load = partial(_qr_bytes, site, index, key) if body is None else partial(bytes, body)
        yield record.qr_path, Known(key, load)


def _qr_file(site: SiteData, index: int) -> tuple[str, bytes | None, bool]:
    """A QR code's cache key, its bytes, and whether they were drawn now (not found in the cache);
    no bytes when the previous build wrote the same code there (the writer links that file, or
    asks :func:`_qr_bytes`)."""
    record = site.records[index]
    if site.cache is None:
        return "", qr_svg(record.page_url), True
    key = site.cache.qr_key(record.page_url)
    previous = site.cache.previous_files.get(record.qr_path)
    if previous is not None and previous[4] == key:
        return key, None, False
    body = site.cache.get("qr", key)
    if body is not None:
        return key, body, False
    return key, qr_svg(record.page_url), True


def _qr_bytes(site: SiteData, index: int, key: str) -> bytes:
    assert site.cache is not None
    body = site.cache.get("qr", key)
    if body is None:
        body = qr_svg(site.records[index].page_url)
        site.cache.put("qr", key, body)
    return body
