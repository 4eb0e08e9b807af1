"""Each issuer's unsigned revocation lists (W3C Bitstring Status List, pure)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timezone
from typing import Any

from ..content.model import Issuer, Model
from ..content.status_index import list_bit, list_number
from ..dates import timestamp
from ..site.layout import Layout
from ..vc import bitstring
from .learner import LearnerRecord
from .record import CredentialRecord


def status_lists(
    issuer: Issuer,
    model: Model,
    records: Iterable[CredentialRecord],
    erased: Iterable[tuple[int, date]] = (),
    learner_records: Iterable[LearnerRecord] = (),
) -> dict[int, dict[str, Any]]:
    """The issuer's unsigned status list credentials by list number, with the bits of its revoked awards set.

    List 1 is always there; a later list is there when it holds one of the
    issuer's credentials, learner records or erased credentials.
    *erased* are the (index, date) of the issuer's credentials erased at their
    learners' request (from the lock): their bits stay set, retired for good.
    Each list's validFrom is the latest date in the content that concerns one of
    its entries (an award, a revocation or an erasure), never the clock, so
    rebuilding gives the same bytes, and a list nothing new concerns keeps its bytes.
    """
    # (status index, a date that concerns it, whether its bit is set)
    entries: list[tuple[int, datetime, bool]] = []
    for record in records:
        if record.issuer.slug != issuer.slug:
            continue
        entries.append((record.assignment.status_index, record.award.valid_from, False))
        if revoked := record.award.revoked:
            entries.append((record.assignment.status_index, _day(revoked.date), True))
    for learner in learner_records:
        if learner.issuer.slug == issuer.slug:
            moment = max(r.award.valid_from for r in learner.credentials)
            entries.append((learner.assignment.status_index, moment, False))
    entries += [(index, _day(day), True) for index, day in erased]
    numbers = {1} | {list_number(index) for index, _, _ in entries}
    return {number: _status_list(issuer, model, number, entries) for number in sorted(numbers)}


def _status_list(
    issuer: Issuer, model: Model, number: int, entries: list[tuple[int, datetime, bool]]
) -> dict[str, Any]:
    """The issuer's list *number*, from the entries that fall in it."""
    layout = Layout(model.site)
    mine = [(list_bit(index), moment, revoked) for index, moment, revoked in entries if list_number(index) == number]
    valid_from = max((moment for _, moment, _ in mine), default=datetime(2000, 1, 1, tzinfo=timezone.utc))
    return bitstring.status_list_credential(
        layout.url(layout.status_list(issuer.slug, number)),
        layout.issuer_did(issuer.slug),
        timestamp(valid_from),
        [bit for bit, _, revoked in mine if revoked],
    )


def _day(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
