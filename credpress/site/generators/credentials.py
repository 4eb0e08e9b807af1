"""Each credential's signed JSON and its badge page: the bulk of the work, on all cores."""

from __future__ import annotations

from collections.abc import Iterator

from ... import workers
from ...documents.record import CredentialRecord
from ...output.writer import json_bytes
from ..data import SiteData
from ..record_views import badge_learner_view


def generate(site: SiteData) -> Iterator[tuple[str, bytes]]:
    """Every credential's JSON and badge page."""
    for files in workers.map_indices(_credential_files, len(site.records), site):
        yield from files


def _credential_files(site: SiteData, index: int) -> list[tuple[str, bytes]]:
    return credential_files(site, site.records[index])


def credential_files(site: SiteData, record: CredentialRecord) -> list[tuple[str, bytes]]:
    """The credential's JSON and its badge page, which embeds the very same bytes."""
    data = json_bytes(record.document)
    views, page = site.views, record.page_path
    achievement, issuer, award = record.achievement, record.issuer, record.award
    badge_page = site.page(
        "credential.html",
        page,
        credential=views.credential(record),
        document=record.document,
        document_json=data.decode("utf-8"),
        achievement=views.achievement(achievement, page),
        issuer=views.issuer(issuer.slug, page),
        learner=badge_learner_view(site, record),  # None unless the learner opted in (public_record)
        title=f"{award.recipient.name}: {achievement.name}",
        og=site.previews.credential_og(record),
    )
    return [(record.json_path, data), badge_page]
