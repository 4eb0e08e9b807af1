"""Each issuer's DID document (did:web) and OB Profile JSON."""

from __future__ import annotations

from collections.abc import Iterator

from ...documents.credential import issuer_profile, standalone
from ...output.writer import json_bytes
from ...vc.did import did_document
from ..data import SiteData


def generate(site: SiteData) -> Iterator[tuple[str, bytes]]:
    """Each issuer's did.json and profile.json."""
    layout = site.layout
    for slug, issuer in site.model.issuers.items():
        document = did_document(layout.issuer_did(slug), issuer.published_keys(site.public_key))
        yield layout.did_document(slug), json_bytes(document)
        yield layout.issuer_profile_json(slug), json_bytes(standalone(issuer_profile(issuer, site.model)))
