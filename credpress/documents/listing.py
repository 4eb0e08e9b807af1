"""``credpress list``: every award, its state and its badge page URL.

Read from the content and the lock file only (no key, nothing written): the
credential id is the one the lock assigned, and the URL comes from the layout,
exactly as the build makes it. An award the lock does not know yet has no URL
until the next build draws its id.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..content.check import build_model
from ..content.load import load_content
from ..content.lock import Lock, award_key
from ..errors import ContentError, Problem
from ..site.layout import Layout
from .credential import valid_until

# States, as of the moment the list is made (the build does not decide expiry: the
# credential's validUntil is compared with the verifier's clock, VC DM 2.0 §4.9).
VALID, REVOKED, EXPIRED, NOT_BUILT = "valid", "revoked", "expired", "not built"
HEADER = ("name", "achievement", "awarded", "state", "url")
CSV_HEADER = HEADER + ("email",)  # only where the content holds it in plain; imported learners have none


@dataclass(frozen=True)
class Listed:
    """One award as listed."""

    name: str
    achievement: str
    awarded: str  # YYYY-MM-DD (UTC)
    state: str
    url: str  # the badge page; "" until the award is built
    credential_id: str
    email: str  # "" unless the award names the learner by a plain email


def list_awards(
    content: Path, achievement: str | None = None, site: Path | None = None, now: datetime | None = None
) -> list[Listed]:
    """The awards of *content* (of one *achievement* if given), in content order.

    With *site* (a built output folder), an award whose credential file is not in
    it is listed as not built.
    """
    now = now or datetime.now(timezone.utc)
    model, problems, warnings = build_model(load_content(Path(content)))
    if problems or model is None:
        raise ContentError(problems, warnings)
    if achievement is not None and achievement not in model.achievements:
        raise ContentError([Problem("--achievement", None, "", f"unknown achievement '{achievement}'")])
    lock = Lock.read(Path(content))
    layout = Layout(model.site)
    listed = []
    for award in model.awards:
        if achievement is not None and award.achievement != achievement:
            continue
        entry = lock.entries.get(award_key(award))
        credential_id = entry["id"] if entry else ""
        if entry and site is not None and not (Path(site) / layout.credential_json(credential_id)).is_file():
            entry = None
        until = valid_until(award, model.achievements[award.achievement])
        if entry is None:
            state = NOT_BUILT
        elif award.revoked is not None:
            state = REVOKED
        elif until is not None and until <= now:
            state = EXPIRED
        else:
            state = VALID
        url = layout.url(layout.credential_page(credential_id)) if entry else ""
        listed.append(
            Listed(
                award.recipient.name,
                award.achievement,
                award.awarded.date().isoformat(),
                state,
                url,
                credential_id,
                award.recipient.email or "",
            )
        )
    return listed


def as_csv(rows: list[Listed]) -> str:
    """The list as CSV (RFC 4180: CRLF line ends, quotes where needed), with a header row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in rows:
        writer.writerow((row.name, row.achievement, row.awarded, row.state, row.url, row.email))
    return out.getvalue()


def as_table(rows: list[Listed]) -> str:
    """The list as a plain text table, columns padded to their widest value."""
    cells = [HEADER] + [(r.name, r.achievement, r.awarded, r.state, r.url or "(run credpress build)") for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(HEADER) - 1)]
    return "".join(
        "  ".join(value.ljust(width) for value, width in zip(row[:-1], widths)) + "  " + row[-1] + "\n" for row in cells
    )
