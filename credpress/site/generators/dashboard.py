"""The issuer dashboard (``dashboard/``): credentials issued per month per achievement,
their statuses and the stacks awarded, in numbers only (never a learner's name).

The chart is an SVG drawn at build time inside the page (it needs no script), with
the same numbers in a table beside it. Nothing depends on the build's clock: expiry
is counted as of the latest award date in the content, and the page says so.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from ...dates import day_label
from ...documents.credential import valid_until
from ..data import SiteData

# Colours of the achievements' bars, in order (each has at least 3:1 contrast on white).
PALETTE = ("#1f5fbf", "#c2410c", "#137a3a", "#7c3aed", "#b3261e", "#0e7490", "#a16207", "#be185d")
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 260, 40, 40, 12


def generate(site: SiteData) -> Iterator[tuple[str, bytes]]:
    """The dashboard page, unless site.yaml says ``dashboard: false``."""
    if not site.model.site.dashboard:
        return
    view = dashboard_view(site)
    yield site.page("dashboard.html", site.layout.dashboard, title="Issuer dashboard", **view)


def _month(moment: datetime) -> tuple[int, int]:
    return moment.year, moment.month


def _months(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    months, (year, month) = [], first
    while (year, month) <= last:
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def dashboard_view(site: SiteData) -> dict[str, Any]:
    """Every number the dashboard shows: per-month counts, the chart's bars, statuses, stacks."""
    achievements = [a for a in site.model.achievements.values() if site.records_by_achievement.get(a.slug)]
    per_month: dict[tuple[int, int], dict[str, int]] = {}
    for record in site.records:
        counts = per_month.setdefault(_month(record.award.awarded), {})
        counts[record.achievement.slug] = counts.get(record.achievement.slug, 0) + 1
    months = _months(min(per_month), max(per_month)) if per_month else []
    series = [{"slug": a.slug, "name": a.name, "colour": PALETTE[i % len(PALETTE)]} for i, a in enumerate(achievements)]
    rows = [
        {
            "label": f"{year}-{month:02d}",
            "counts": [per_month.get((year, month), {}).get(a.slug, 0) for a in achievements],
            "total": sum(per_month.get((year, month), {}).values()),
        }
        for year, month in months
    ]
    return {
        "series": series,
        "rows": rows,
        "column_totals": [len(site.records_by_achievement[a.slug]) for a in achievements],
        "chart": _chart(rows, series),
        "status": _status(site),
        "stacks": [
            {
                "name": a.name,
                "parts": len(a.stack),
                "awarded": len(site.records_by_achievement.get(a.slug, [])),
            }
            for a in site.model.achievements.values()
            if a.stack
        ],
        "total": len(site.records),
    }


def _chart(rows: list[dict[str, Any]], series: list[dict[str, Any]]) -> dict[str, Any]:
    """Stacked bars, one per month, in SVG user units (the page scales the drawing)."""
    peak = max((row["total"] for row in rows), default=0) or 1
    plot_w, plot_h = WIDTH - LEFT - 8, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(rows), 1)
    bar_w = max(step * 0.7, 1.0)
    label_every = max(1, -(-len(rows) // 12))  # at most about 12 month labels
    bars, labels = [], []
    for i, row in enumerate(rows):
        x, base = LEFT + i * step + (step - bar_w) / 2, TOP + plot_h
        for count, part in zip(row["counts"], series):
            if not count:
                continue
            h = plot_h * count / peak
            base -= h
            bars.append(
                {"x": f"{x:.1f}", "y": f"{base:.1f}", "w": f"{bar_w:.1f}", "h": f"{h:.1f}", "fill": part["colour"]}
            )
        if i % label_every == 0:
            labels.append({"x": f"{x + bar_w / 2:.1f}", "text": row["label"]})
    ticks = sorted({0, peak // 2, peak})
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "bars": bars,
        "labels": labels,
        "label_y": HEIGHT - BOTTOM + 18,
        "ticks": [{"y": f"{TOP + plot_h - plot_h * t / peak:.1f}", "text": t} for t in ticks],
        "left": LEFT,
        "right": WIDTH - 8,
    }


def _status(site: SiteData) -> dict[str, Any]:
    """Valid, revoked and expired counts as of the latest award date (not the clock)."""
    if not site.records:
        return {"as_of": None, "valid": 0, "revoked": 0, "expired": 0}
    as_of = max(record.award.awarded for record in site.records)
    revoked = expired = 0
    for record in site.records:
        until = valid_until(record.award, record.achievement)
        if record.award.revoked is not None:
            revoked += 1
        elif until is not None and until <= as_of:
            expired += 1
    return {
        "as_of": day_label(as_of),
        "as_of_iso": as_of.date().isoformat(),
        "valid": len(site.records) - revoked - expired,
        "revoked": revoked,
        "expired": expired,
    }
