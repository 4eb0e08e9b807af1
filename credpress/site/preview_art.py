"""Link-preview images drawn with Pillow: 1200×627 PNGs with the badge art and its words.

LinkedIn, Slack, Teams and X show a page's ``og:image`` as a 1.91:1 card
(docs/standards.md §9: a convention, no specification). Each card is drawn
from words and at most one PNG or JPEG (SVG art cannot be rasterised by
Pillow: those pages get the words alone). The background is white and the
text grey, so any badge art sits on it. The same words and art always give
the same bytes: no timestamps or other metadata are written, and the fonts
are DejaVu Sans (``fonts-dejavu-core``), else the font built into Pillow.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 627
MARGIN = 72
ART_BOX = 380
BACKGROUND = (255, 255, 255)
RULE = (218, 220, 224)
INK = (32, 33, 36)
MUTED = (95, 99, 104)
FONT_FILES = {
    False: ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",),
    True: ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",),
}

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@dataclass(frozen=True)
class Card:
    """What one preview card says: a small label, a heading, a line under it, a footer, the art."""

    eyebrow: str
    heading: str
    subheading: str
    footer: str
    art: Path | None  # a PNG or JPEG file, or None


@lru_cache(maxsize=64)
def font(size: int, bold: bool = False) -> Font:
    """DejaVu Sans (bold) at *size* pixels, else Pillow's own font."""
    for candidate in FONT_FILES[bold]:
        if Path(candidate).is_file():
            return ImageFont.truetype(candidate, size)
    return ImageFont.load_default(size)


def wrap(text: str, face: Font, width: int, max_lines: int) -> list[str]:
    """*text* in at most *max_lines* lines no wider than *width*; "…" ends a cut last line.

    Greedy: each word is measured once (a word wider than a line is cut by
    characters), so the work grows linearly with the text.
    """
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if face.getlength(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        while face.getlength(word) > width:  # a very long word: cut it where it overflows
            cut = _fitting_prefix(word, face, width)
            lines.append(word[:cut])
            word = word[cut:]
        line = word
        if len(lines) >= max_lines:
            break
    if line and len(lines) < max_lines:
        lines.append(line)
    shown = lines[:max_lines]
    if "".join("".join(shown).split()) != "".join(text.split()):
        last = shown[-1] if shown else ""
        while last and face.getlength(last + "…") > width:
            last = last[:-1]
        shown[-1:] = [last.rstrip() + "…"]
    return shown


def _fitting_prefix(word: str, face: Font, width: int) -> int:
    low, high = 1, len(word)  # binary search: log(n) measurements
    while low < high:
        middle = (low + high + 1) // 2
        if face.getlength(word[:middle]) <= width:
            low = middle
        else:
            high = middle - 1
    return low


def _heading(text: str, width: int) -> tuple[Font, list[str]]:
    """The largest heading size (64 down to 40 px) at which *text* fits in three lines."""
    for size in (64, 56, 48, 40):
        face = font(size, bold=True)
        lines = wrap(text, face, width, 3)
        if not lines[-1].endswith("…"):
            return face, lines
    return face, lines


def _paste_art(canvas: Image.Image, art: Path) -> None:
    with Image.open(art) as source:
        picture = source.convert("RGBA")
    picture.thumbnail((ART_BOX, ART_BOX), Image.Resampling.LANCZOS)
    x = MARGIN + (ART_BOX - picture.width) // 2
    y = (HEIGHT - picture.height) // 2
    canvas.alpha_composite(picture, (x, y))


def draw(card: Card) -> bytes:
    """The card as PNG bytes (no metadata chunks: same card, same bytes)."""
    canvas = Image.new("RGBA", (WIDTH, HEIGHT), BACKGROUND + (255,))
    left = MARGIN
    if card.art is not None:
        _paste_art(canvas, card.art)
        left = MARGIN + ART_BOX + 64
    width = WIDTH - MARGIN - left
    pen = ImageDraw.Draw(canvas)
    eyebrow = wrap(card.eyebrow.upper(), font(24, bold=True), width, 1)
    heading_face, heading = _heading(card.heading, width)
    sub_face = font(30)
    subheading = wrap(card.subheading, sub_face, width, 2) if card.subheading else []
    heading_step = int(heading_face.size * 1.2) if isinstance(heading_face, ImageFont.FreeTypeFont) else 48
    block = 24 + 28 + heading_step * len(heading) + 20 + 40 * len(subheading)
    y = max(MARGIN, (HEIGHT - 64 - block) // 2)
    for line in eyebrow:
        pen.text((left, y), line, font=font(24, bold=True), fill=MUTED)
    y += 24 + 28
    for line in heading:
        pen.text((left, y), line, font=heading_face, fill=INK)
        y += heading_step
    y += 20
    for line in subheading:
        pen.text((left, y), line, font=sub_face, fill=MUTED)
        y += 40
    pen.line([(MARGIN, HEIGHT - 72), (WIDTH - MARGIN, HEIGHT - 72)], fill=RULE, width=2)
    for line in wrap(card.footer, font(22), WIDTH - 2 * MARGIN, 1):
        pen.text((MARGIN, HEIGHT - 56), line, font=font(22), fill=MUTED)
    out = io.BytesIO()
    canvas.convert("RGB").save(out, "PNG", optimize=False, compress_level=9)
    return out.getvalue()
