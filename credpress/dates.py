"""Dates and durations: the one place their formats are decided.

Signed documents carry XML Schema ``dateTimeStamp`` values in UTC with a ``Z``
(VC Data Model 2.0 §4.9 Validity Period); content gives durations as ISO 8601
periods of years, months, weeks and days (``P2Y``, ``P18M``).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from locale import LC_TIME, setlocale

# ISO 8601 durations of whole years, months, weeks and days, nothing else.
DURATION = re.compile(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?")
DURATION_UNITS = {"Y": "year", "M": "month", "W": "week", "D": "day"}


def timestamp(moment: datetime) -> str:
    """XML Schema dateTimeStamp in UTC with a ``Z``: 2026-03-14T00:00:00Z."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_duration(text: str) -> tuple[int, int, int, int] | None:
    """(years, months, weeks, days) of an ISO 8601 duration; None if it is not one."""
    match = DURATION.fullmatch(text)
    if not match or not any(match.groups()):
        return None
    years, months, weeks, days = (int(g or 0) for g in match.groups())
    return years, months, weeks, days


def add_duration(start: datetime, duration: str) -> datetime:
    """start + an ISO 8601 duration of years/months/weeks/days (month ends clamp)."""
    parsed = parse_duration(duration)
    if parsed is None:
        raise ValueError(f"unsupported duration {duration!r}")
    years, months, weeks, days = parsed
    month_index = start.month - 1 + months + 12 * years
    year, month = start.year + month_index // 12, month_index % 12 + 1
    last_day = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)).day
    moved = start.replace(year=year, month=month, day=min(start.day, last_day))
    return moved + timedelta(weeks=weeks, days=days)


def duration_label(duration: str | None) -> str | None:
    """``P1Y6M`` → ``1 year, 6 months`` (for pages)."""
    if not duration:
        return None
    parts = [f"{n} {DURATION_UNITS[u]}{'s' if n != '1' else ''}" for n, u in re.findall(r"(\d+)([YMWD])", duration)]
    return ", ".join(parts)


def day_label(moment: date | datetime | None) -> str | None:
    """``30 January 2026``: how pages show a date."""
    if not moment:
        return None
    if type(moment) is not date and type(moment) is not datetime:
        return moment.strftime(DAY_LABEL)
    # Every badge page shows a few dates, most of them shared with other pages: each label is
    # made once. It depends on the day alone, and on the locale's month names.
    key = (moment.year, moment.month, moment.day, setlocale(LC_TIME))
    label = _DAY_LABELS.get(key)
    if label is None:
        if len(_DAY_LABELS) >= 4096:
            _DAY_LABELS.clear()
        label = _DAY_LABELS[key] = moment.strftime(DAY_LABEL)
    return label


DAY_LABEL = "%-d %B %Y"
_DAY_LABELS: dict[tuple[int, int, int, str], str] = {}
