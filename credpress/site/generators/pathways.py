"""Each stack's pathway as an SVG diagram, drawn at build time (no script).

One row per component or group, indented by depth: "All of" and "Any N of"
groups draw a bracket down the left of their parts (a part that is itself a
stack shows as its name; its own page draws its pathway), and ``within`` is
stated at the top. The SVG carries
``<title>`` and ``<desc>`` (SVG 2 §5.9); the achievement page shows the same
rule as a list beside it. The width is fixed so text stays readable at 360 px.
"""

from __future__ import annotations

from collections.abc import Iterator
from xml.sax.saxutils import escape

from ...content.model import Achievement, Model, Requirement
from ...dates import duration_label
from ..data import SiteData

WIDTH = 340
ROW = 34
INDENT = 18
MAX_CHARS = 36


def generate(site: SiteData) -> Iterator[tuple[str, bytes]]:
    """The pathway diagram of every stack."""
    for achievement in site.model.achievements.values():
        if achievement.requires:
            yield site.layout.pathway_svg(achievement.slug), pathway_svg(achievement, site.model).encode("utf-8")


def rows(rule: Requirement, model: Model, depth: int = 0) -> list[tuple[int, str, str]]:
    """(depth, kind, text) of every row: kind is "group" or "part"."""
    found = [(depth, "group", rule.label())]
    for part in rule.parts:
        if isinstance(part, Requirement):
            found += rows(part, model, depth + 1)
        else:
            found.append((depth + 1, "part", model.achievements[part].name))
    return found


def _clip(text: str, depth: int) -> str:
    room = MAX_CHARS - 2 * depth
    return text if len(text) <= room else text[: room - 1].rstrip() + "…"


def pathway_svg(achievement: Achievement, model: Model) -> str:
    """The SVG of *achievement*'s rule."""
    assert achievement.requires is not None
    lines = rows(achievement.requires, model)
    within = duration_label(achievement.within)
    top = 44 if within else 10
    height = top + ROW * len(lines) + 44
    description = (
        f"To earn {achievement.name}: "
        + "; ".join(("  " * d) + text for d, _, text in lines)
        + (f". All counted within {within}." if within else ".")
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" '
        f'height="{height}" role="img" aria-labelledby="t d" font-family="system-ui, sans-serif" font-size="14">',
        f'<title id="t">Pathway to {escape(achievement.name)}</title>',
        f'<desc id="d">{escape(description)}</desc>',
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
    ]
    if within:
        out.append(f'<text x="10" y="26" fill="#5a4100" font-weight="600">All within {escape(within)}</text>')
    for i, (depth, kind, text) in enumerate(lines):
        y = top + i * ROW
        x = 10 + depth * INDENT
        if kind == "group":
            end = i + 1
            while end < len(lines) and lines[end][0] > depth:
                end += 1
            last_child = max((k for k in range(i + 1, end) if lines[k][0] == depth + 1), default=i)
            bottom = top + last_child * ROW + ROW / 2
            out.append(f'<path d="M{x + 6} {y + 26} V{bottom} " stroke="#17325c" stroke-width="2" fill="none"/>')
            out.append(f'<text x="{x}" y="{y + 20}" fill="#17325c" font-weight="700">{escape(text)}</text>')
        else:
            out.append(f'<path d="M{x - INDENT + 6} {y + ROW / 2} H{x}" stroke="#17325c" stroke-width="2"/>')
            out.append(
                f'<rect x="{x}" y="{y + 3}" width="{WIDTH - x - 8}" height="{ROW - 6}" rx="6" '
                'fill="#eef3fb" stroke="#17325c"/>'
            )
            out.append(f'<text x="{x + 8}" y="{y + 22}" fill="#111827">{escape(_clip(text, depth))}</text>')
    y = top + len(lines) * ROW + 8
    out.append(f'<rect x="10" y="{y}" width="{WIDTH - 20}" height="30" rx="6" fill="#17325c"/>')
    out.append(
        f'<text x="20" y="{y + 20}" fill="#ffffff" font-weight="700">→ {escape(_clip(achievement.name, 1))}</text>'
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"
