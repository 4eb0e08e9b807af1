"""Each credential's signed JSON and its badge page: the bulk of the work, on all cores."""

from __future__ import annotations

from collections.abc import Iterator

from ... import workers
from ...documents.record import CredentialRecord
from ...output.writer import json_bytes
from ..data import SiteData


def generate(site: SiteData) -> Iterator[tuple[str, bytes]]:
    """Every credential's JSON and badge page."""
    for files in workers.map_indices(_credential_files, len(site.records), site):
        yield from files


def _credential_files(site: SiteData, index: int) -> list[tuple[str, bytes]]:
    return credential_files(site, site.records[index])


def credential_files(site: SiteData, record: CredentialRecord) -> list[tuple[str, bytes]]:
    """The credential's JSON and its badge page (which links the JSON and verifies that file,
    rather than carrying a second copy of it)."""
    data = json_bytes(record.document)
    views, page = site.views, record.page_path
    achievement, issuer, award = record.achievement, record.issuer, record.award
    badge_page = site.page(
        "credential.html",
        page,
        credential=views.credential(record),
        document=record.document,
        achievement=views.achievement(achievement, page),
        issuer=views.issuer(issuer.slug, page),
        title=f"{award.recipient.name}: {achievement.name}",
        og=views.og(
            achievement,
            page,
            f"{achievement.name} – {issuer.name}",
            f"{award.recipient.name} earned {achievement.name} from {issuer.name}.",
        ),
    )
    return [(record.json_path, data), badge_page]
