"""Each issuer's unsigned revocation list (W3C Bitstring Status List, pure)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timezone
from typing import Any

from ..content.model import Issuer, Model
from ..dates import timestamp
from ..site.layout import Layout
from ..vc import bitstring
from .record import CredentialRecord


def status_list(
    issuer: Issuer,
    model: Model,
    records: Iterable[CredentialRecord],
    erased: Iterable[tuple[int, date]] = (),
) -> dict[str, Any]:
    """The issuer's unsigned status list credential, with the bits of its revoked awards set.

    *erased* are the (index, date) of the issuer's credentials erased at their
    learners' request (from the lock): their bits stay set, retired for good.
    Its validFrom is the latest date in the content that concerns the issuer (an
    award, a revocation or an erasure), never the clock, so rebuilding gives the same bytes.
    """
    erased = list(erased)
    layout = Layout(model.site)
    mine = [r for r in records if r.issuer.slug == issuer.slug]
    moments = [r.award.valid_from for r in mine]
    moments += [
        datetime(rev.date.year, rev.date.month, rev.date.day, tzinfo=timezone.utc)
        for r in mine
        if (rev := r.award.revoked)
    ]
    moments += [datetime(day.year, day.month, day.day, tzinfo=timezone.utc) for _, day in erased]
    valid_from = max(moments, default=datetime(2000, 1, 1, tzinfo=timezone.utc))
    revoked = [r.assignment.status_index for r in mine if r.award.revoked] + [index for index, _ in erased]
    return bitstring.status_list_credential(
        layout.url(layout.status_list(issuer.slug)), layout.issuer_did(issuer.slug), timestamp(valid_from), revoked
    )
