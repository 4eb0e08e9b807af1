"""The generators: one module per kind of output file, listed once, in order.

Each module has ``generate(site: SiteData) -> Iterable[OutputFile]``, a function
from the complete site data to ``(path, bytes)`` pairs for the writer, which
writes each pair as it comes (a generator should yield its files as it makes
them, not gather them first). A new
kind of output (baked badges, preview images, CLR records…) is one new module
here and one line in :data:`GENERATORS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from ...output.writer import Known
from ..data import SiteData
from . import (
    achievements,
    assets,
    credentials,
    dashboard,
    home,
    host_files,
    identity,
    images,
    issuer_pages,
    learner_records,
    pathways,
    previews,
    qr_codes,
    status_lists,
    verify_page,
)

OutputFile = tuple[str, bytes | Known]  # Known: bytes a build cache entry holds
Generator = Callable[[SiteData], Iterable[OutputFile]]

GENERATORS: tuple[Generator, ...] = (
    identity.generate,  # issuers' DID documents and profiles
    status_lists.generate,  # issuers' signed revocation lists
    issuer_pages.generate,
    achievements.generate,  # achievement JSON and pages
    pathways.generate,  # each stack's pathway diagram (SVG)
    credentials.generate,  # signed credential JSON and badge pages
    learner_records.generate,  # opted-in learners' ClrCredentials (CLR 2.0) and record pages
    qr_codes.generate,  # each badge page's QR code (SVG)
    home.generate,
    dashboard.generate,  # the issuer dashboard: credentials per month, statuses, stacks
    verify_page.generate,
    images.generate,  # badge art and logos from content/
    previews.generate,  # link-preview images (og:image), never one per credential
    assets.generate,  # stylesheet and scripts
    host_files.generate,  # .nojekyll, _headers
)


def site_files(site: SiteData) -> Iterator[OutputFile]:
    """Every output file of the site, from every generator in order, one at a time (the
    writer writes each as it comes: the site's bytes are never all in memory at once)."""
    for generate in GENERATORS:
        yield from generate(site)
