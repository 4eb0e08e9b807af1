"""Opted-in learners' records: the signed ClrCredential (CLR 2.0) and the record page.

A learner without ``public_record: true`` has no record: nothing here is written
for them, and no page links their credentials together.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...output.writer import json_bytes
from ..data import SiteData
from ..record_views import learner_record_view


def generate(site: SiteData) -> Iterator[tuple[str, bytes]]:
    """Each learner record's JSON and page."""
    for record in site.learner_records:
        data = json_bytes(record.document)
        yield record.json_path, data
        yield site.page(
            "learner_record.html",
            record.page_path,
            record=learner_record_view(site, record),
            issuer=site.views.issuer(record.issuer.slug, record.page_path),
            document=record.document,
            document_json=data.decode("utf-8"),
            title=f"{record.name}: learning record",
        )
