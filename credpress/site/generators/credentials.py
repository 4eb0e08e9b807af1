"""Each credential's signed JSON and its badge page: the bulk of the work, on all cores.

With a build cache (:mod:`credpress.build_cache`), a page whose render context,
embedded credential and templates are those of an earlier build is reused
instead of rendered again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from ... import workers
from ...documents.record import CredentialRecord
from ..data import SiteData
from ..record_views import badge_learner_view


def generate(site: SiteData) -> Iterator[tuple[str, bytes]]:
    """Every credential's JSON and badge page."""
    total = len(site.records)
    progress = site.progress
    report = (lambda done: progress("Rendering", done, total)) if progress else None
    for files, page_key in workers.imap_indices(_credential_files, total, site, progress=report):
        if site.cache is not None:
            site.cache.mark_used("pages", page_key)
        yield from files


def _credential_files(site: SiteData, index: int) -> tuple[list[tuple[str, bytes]], str]:
    record = site.records[index]
    data = record.document_bytes
    context = page_context(site, record)
    if site.cache is None:
        return [(record.json_path, data), _badge_page(site, record, context)], ""
    key = site.cache.page_key(record.page_path, hashlib.sha256(data).hexdigest(), (site.model.site, context))
    body = site.cache.get("pages", key)
    if body is not None:
        return [(record.json_path, data), (record.page_path + "index.html", body)], key
    page = _badge_page(site, record, context)
    site.cache.put("pages", key, page[1])
    return [(record.json_path, data), page], key


def page_context(site: SiteData, record: CredentialRecord) -> dict[str, Any]:
    """What the badge page's template sees."""
    views, page = site.views, record.page_path
    achievement, issuer, award = record.achievement, record.issuer, record.award
    return dict(
        credential=views.credential(record),
        achievement=views.achievement(achievement, page),
        issuer=views.issuer(issuer.slug, page),
        learner=badge_learner_view(site, record),  # None unless the learner opted in (public_record)
        title=f"{award.recipient.name}: {achievement.name}",
        og=site.previews.credential_og(record),
    )


def _badge_page(site: SiteData, record: CredentialRecord, context: dict[str, Any]) -> tuple[str, bytes]:
    return site.page("credential.html", record.page_path, document=record.document, **context)
