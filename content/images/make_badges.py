"""Draw the example badge art for Northwind Data Academy.

Run from the repository root:

    python content/images/make_badges.py

It writes, next to this script:

    northwind-logo.png             400x400 issuer logo
    python-foundations.png         600x600 microcredential badge
    data-wrangling-pandas.png      600x600 microcredential badge
    data-visualisation.png         600x600 microcredential badge
    applied-data-analysis.png      600x600 certificate badge (gold rosette)
    sql-for-data-analysis.png      600x600 microcredential badge
    professional-data-analytics.png 600x600 certificate badge (a stack of a stack)

Everything is drawn from code (no random numbers), so the output is the same
on every run. Shapes are drawn at 3x size and scaled down for smooth edges.
Needs Pillow and a TrueType font (DejaVu Sans on Debian/Ubuntu:
``apt-get install fonts-dejavu-core``).
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
SCALE = 3  # supersampling factor

FONT_DIRS = [
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts"),
    Path("/Library/Fonts"),
    Path("C:/Windows/Fonts"),
]

NAVY = (23, 37, 66)
WHITE = (255, 255, 255)
GOLD = (212, 160, 23)
GOLD_LIGHT = (244, 208, 99)
GOLD_DARK = (150, 105, 10)


def font(size: int, bold: bool = True) -> ImageFont.FreeTypeFont:
    """DejaVu Sans (Bold) at *size* px of the final image."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in FONT_DIRS:
        if (folder / name).is_file():
            return ImageFont.truetype(str(folder / name), size * SCALE)
    raise SystemExit(f"font {name} not found; install fonts-dejavu-core")


def mix(a, b, t: float):
    """Blend colour *a* towards *b* by *t* (0..1)."""
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b))


def polygon(cx, cy, r, sides, rotation=0.0):
    step = 2 * math.pi / sides
    return [
        (cx + r * math.cos(rotation + i * step), cy + r * math.sin(rotation + i * step))
        for i in range(sides)
    ]


def star(cx, cy, r, points=5):
    """A five-pointed star centred on (cx, cy), point up."""
    out = []
    for i in range(points * 2):
        radius = r if i % 2 == 0 else r * 0.42
        angle = -math.pi / 2 + i * math.pi / points
        out.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return out


def centred_text(draw, xy, text, fnt, fill):
    draw.text(xy, text, font=fnt, fill=fill, anchor="mm")


def fit_font(draw, text, max_width, size, bold=True):
    """Largest font up to *size* px at which *text* fits in *max_width* (final px)."""
    while size > 8:
        fnt = font(size, bold)
        if draw.textlength(text, font=fnt) <= max_width * SCALE:
            return fnt
        size -= 1
    return font(size, bold)


def arc_text(img, text, cx, cy, radius, fnt, fill, top=True, spacing=1.0):
    """Write *text* along a circle: over the top (reading left to right) or
    along the bottom (also left to right, letters upright)."""
    draw = ImageDraw.Draw(img)
    widths = [draw.textlength(ch, font=fnt) * spacing for ch in text]
    total = sum(widths) / radius  # angle spanned, radians
    angle = -math.pi / 2 - total / 2 if top else math.pi / 2 + total / 2
    for ch, w in zip(text, widths):
        half = w / 2 / radius
        angle += half if top else -half
        x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        size = int(fnt.size * 1.6)
        tile = Image.new("RGBA", (size, size), (0, 0, 0, 0))
        ImageDraw.Draw(tile).text((size / 2, size / 2), ch, font=fnt, fill=fill, anchor="mm")
        turn = -math.degrees(angle) - 90 if top else -math.degrees(angle) + 90
        tile = tile.rotate(turn, resample=Image.BICUBIC)
        img.alpha_composite(tile, (round(x - size / 2), round(y - size / 2)))
        angle += half if top else -half


def ribbon(draw, cy, half_width, height, colour, dark):
    """A banner across the badge at height *cy*, with folded, notched tails."""
    s = SCALE
    c = 300 * s
    h, w = height * s / 2, half_width * s
    tail, drop, notch = 46 * s, 14 * s, 18 * s
    for side in (-1, 1):
        x0 = c + side * (w - 10 * s)
        x1 = c + side * (w + tail)
        draw.polygon(
            [(x0, cy * s - h + drop), (x1, cy * s - h + drop), (x1 - side * notch, cy * s + drop),
             (x1, cy * s + h + drop), (x0, cy * s + h + drop)],
            fill=dark,
        )
        # the fold: a small dark triangle where the tail tucks behind
        draw.polygon(
            [(c + side * w, cy * s + h), (c + side * (w - 10 * s), cy * s + h + drop),
             (c + side * (w - 10 * s), cy * s + h)],
            fill=mix(dark, (0, 0, 0), 0.35),
        )
    draw.rectangle([c - w, cy * s - h, c + w, cy * s + h], fill=colour)


# --- icons, drawn inside a box centred on (cx, cy) of size ~ 2*r (final px) ---

def icon_code(draw, cx, cy, r, colour):
    """'</>' chevrons: programming."""
    s, lw = SCALE, 15 * SCALE
    cx, cy, r = cx * s, cy * s, r * s
    draw.line([(cx - r * 0.35, cy - r * 0.55), (cx - r, cy), (cx - r * 0.35, cy + r * 0.55)],
              fill=colour, width=lw, joint="curve")
    draw.line([(cx + r * 0.35, cy - r * 0.55), (cx + r, cy), (cx + r * 0.35, cy + r * 0.55)],
              fill=colour, width=lw, joint="curve")
    draw.line([(cx + r * 0.18, cy - r * 0.75), (cx - r * 0.18, cy + r * 0.75)], fill=colour, width=lw)


def icon_table(draw, cx, cy, r, colour, background):
    """A small data table with a header row: data wrangling."""
    s = SCALE
    x0, y0, x1, y1 = (cx - r) * s, (cy - r * 0.72) * s, (cx + r) * s, (cy + r * 0.72) * s
    draw.rounded_rectangle([x0, y0, x1, y1], radius=10 * s, fill=colour)
    rows, cols, gap = 4, 3, 7 * s
    header = (y1 - y0) / rows
    cw = (x1 - x0 - gap * (cols + 1)) / cols
    rh = (y1 - y0 - header - gap * rows) / (rows - 1)
    for row in range(rows - 1):
        for col in range(cols):
            x = x0 + gap + col * (cw + gap)
            y = y0 + header + row * (rh + gap)
            draw.rectangle([x, y, x + cw, y + rh], fill=background)


def icon_chart(draw, cx, cy, r, colour):
    """Rising bar chart on a baseline: data visualisation."""
    s = SCALE
    base = (cy + r * 0.7) * s
    heights = [0.45, 0.8, 0.6, 1.15]
    bw = r * 0.34 * s
    for i, hgt in enumerate(heights):
        x = (cx - r) * s + i * (bw + r * 0.2 * s)
        draw.rectangle([x, base - hgt * r * s, x + bw, base], fill=colour)
    draw.line([((cx - r * 1.1) * s, base + 8 * s), ((cx + r * 1.1) * s, base + 8 * s)],
              fill=colour, width=6 * s)


# --- the badges ---

def micro_badge(path, label_lines, colour, icon):
    """Hexagonal microcredential: white rim, coloured medallion, ribbon label."""
    s, size = SCALE, 600
    img = Image.new("RGBA", (size * s, size * s), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    c = size / 2 * s
    dark, light = mix(colour, (0, 0, 0), 0.35), mix(colour, WHITE, 0.25)

    draw.polygon(polygon(c, c + 6 * s, 290 * s, 6, math.pi / 6), fill=(0, 0, 0, 60))  # shadow
    draw.polygon(polygon(c, c, 290 * s, 6, math.pi / 6), fill=dark)
    draw.polygon(polygon(c, c, 274 * s, 6, math.pi / 6), fill=WHITE)
    draw.polygon(polygon(c, c, 258 * s, 6, math.pi / 6), fill=colour)
    draw.ellipse([c - 205 * s, c - 205 * s, c + 205 * s, c + 205 * s], outline=light, width=5 * s)

    arc_text(img, "NORTHWIND DATA ACADEMY", c, c, 178 * s, font(22), WHITE, top=True, spacing=1.12)
    arc_text(img, "MICROCREDENTIAL", c, c, 178 * s, font(20), mix(colour, WHITE, 0.75), top=False,
             spacing=1.15)
    draw = ImageDraw.Draw(img)
    icon(draw, 300, 235, 70)

    ribbon(draw, 372, 205, 92, WHITE, mix(colour, WHITE, 0.55))
    f = min((fit_font(draw, line, 370, 38) for line in label_lines), key=lambda f: f.size)
    if len(label_lines) == 1:
        centred_text(draw, (c, 372 * s), label_lines[0], f, dark)
    else:
        centred_text(draw, (c, 352 * s), label_lines[0], f, dark)
        centred_text(draw, (c, 394 * s), label_lines[1], f, dark)
    save(img, path, size)


def certificate_badge(path, colours):
    """Round gold rosette with stars and the three stacked micro badges inside."""
    s, size = SCALE, 600
    img = Image.new("RGBA", (size * s, size * s), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    c = size / 2 * s
    cy = 282 * s  # medallion sits a little high to leave room for the tails

    # ribbon tails hanging below the rosette
    for side in (-1, 1):
        x = c + side * 70 * s
        draw.polygon([(x - 42 * s, cy + 150 * s), (x + 42 * s, cy + 150 * s),
                      (x + 42 * s + side * 28 * s, 590 * s), (x + side * 14 * s, 556 * s),
                      (x - 42 * s + side * 28 * s, 590 * s)], fill=NAVY)
    # serrated rosette edge: a 32-point star polygon
    edge = []
    for i in range(64):
        radius = (276 if i % 2 == 0 else 256) * s
        a = i * math.pi / 32
        edge.append((c + radius * math.cos(a), cy + radius * math.sin(a)))
    draw.polygon(edge, fill=GOLD_DARK)
    draw.ellipse([c - 250 * s, cy - 250 * s, c + 250 * s, cy + 250 * s], fill=GOLD)
    draw.ellipse([c - 236 * s, cy - 236 * s, c + 236 * s, cy + 236 * s], fill=NAVY)
    draw.ellipse([c - 228 * s, cy - 228 * s, c + 228 * s, cy + 228 * s], outline=GOLD_LIGHT,
                 width=4 * s)
    draw.ellipse([c - 172 * s, cy - 172 * s, c + 172 * s, cy + 172 * s], fill=GOLD)
    draw.ellipse([c - 162 * s, cy - 162 * s, c + 162 * s, cy + 162 * s], fill=GOLD_LIGHT)

    arc_text(img, "NORTHWIND DATA ACADEMY", c, cy, 200 * s, font(24), GOLD_LIGHT, top=True,
             spacing=1.12)
    arc_text(img, "CERTIFICATE", c, cy, 200 * s, font(24), GOLD_LIGHT, top=False, spacing=1.3)
    draw = ImageDraw.Draw(img)
    for angle in (-44, 44):  # stars either side of the bottom word
        a = math.radians(90 + angle)
        draw.polygon(star(c + 200 * s * math.cos(a), cy + 200 * s * math.sin(a), 13 * s), fill=GOLD_LIGHT)

    # three small hexagons: the microcredentials that stack into this certificate
    for i, colour in enumerate(colours):
        hx = c + (i - 1) * 64 * s
        hy = cy - 70 * s
        draw.polygon(polygon(hx, hy, 34 * s, 6, math.pi / 6), fill=WHITE)
        draw.polygon(polygon(hx, hy, 28 * s, 6, math.pi / 6), fill=colour)
    centred_text(draw, (c, cy + 6 * s), "APPLIED DATA", font(34), NAVY)
    centred_text(draw, (c, cy + 48 * s), "ANALYSIS", font(34), NAVY)
    for i in range(3):
        draw.polygon(star(c + (i - 1) * 40 * s, cy + 100 * s, (16 if i == 1 else 12) * s), fill=GOLD_DARK)
    save(img, path, size)


def logo(path):
    """Square issuer logo: navy tile, a compass needle pointing north-west, name below."""
    s, size = SCALE, 400
    img = Image.new("RGBA", (size * s, size * s), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle([0, 0, size * s - 1, size * s - 1], radius=56 * s, fill=NAVY)
    c, cy = 200 * s, 150 * s
    teal = (38, 166, 154)
    draw.ellipse([c - 100 * s, cy - 100 * s, c + 100 * s, cy + 100 * s], outline=teal, width=8 * s)
    for k in range(8):  # tick marks
        a = k * math.pi / 4
        r0 = (78 if k % 2 else 70) * s
        draw.line([(c + r0 * math.cos(a), cy + r0 * math.sin(a)),
                   (c + 90 * s * math.cos(a), cy + 90 * s * math.sin(a))], fill=teal, width=5 * s)
    a = math.radians(-135)  # needle towards the north-west
    tip = (c + 84 * s * math.cos(a), cy + 84 * s * math.sin(a))
    tail = (c - 84 * s * math.cos(a), cy - 84 * s * math.sin(a))
    side = (22 * s * math.cos(a + math.pi / 2), 22 * s * math.sin(a + math.pi / 2))
    draw.polygon([tip, (c + side[0], cy + side[1]), (c - side[0], cy - side[1])], fill=WHITE)
    draw.polygon([tail, (c + side[0], cy + side[1]), (c - side[0], cy - side[1])], fill=teal)
    draw.ellipse([c - 9 * s, cy - 9 * s, c + 9 * s, cy + 9 * s], fill=NAVY)
    centred_text(draw, (c, 298 * s), "NORTHWIND", font(46), WHITE)
    centred_text(draw, (c, 346 * s), "DATA ACADEMY", font(26, bold=False), (178, 223, 219))
    save(img, path, size)


def save(img, path, size):
    img = img.resize((size, size), Image.LANCZOS)
    # Flat-colour art loses nothing visible in a 256-colour palette, and the
    # file shrinks to a fraction of the size of a full RGBA PNG.
    img = img.quantize(256, method=Image.Quantize.FASTOCTREE)
    img.save(HERE / path, optimize=True)
    print(f"wrote {HERE.name}/{path} ({(HERE / path).stat().st_size // 1024} KB)")


# Colours of the three microcredentials (also used on the certificate).
PYTHON_BLUE = (40, 98, 168)
PANDAS_PURPLE = (110, 62, 160)
VIZ_ORANGE = (214, 96, 48)
SQL_GREEN = (22, 120, 94)

if __name__ == "__main__":
    logo("northwind-logo.png")
    micro_badge("python-foundations.png", ["PYTHON", "FOUNDATIONS"], PYTHON_BLUE,
                lambda d, x, y, r: icon_code(d, x, y, r, WHITE))
    micro_badge("data-wrangling-pandas.png", ["DATA WRANGLING", "WITH PANDAS"], PANDAS_PURPLE,
                lambda d, x, y, r: icon_table(d, x, y, r, WHITE, PANDAS_PURPLE))
    micro_badge("data-visualisation.png", ["DATA", "VISUALISATION"], VIZ_ORANGE,
                lambda d, x, y, r: icon_chart(d, x, y, r, WHITE))
    certificate_badge("applied-data-analysis.png", [PYTHON_BLUE, PANDAS_PURPLE, VIZ_ORANGE])
    micro_badge("sql-for-data-analysis.png", ["SQL FOR", "DATA ANALYSIS"], SQL_GREEN,
                lambda d, x, y, r: icon_table(d, x, y, r, WHITE, SQL_GREEN))
    certificate_badge("professional-data-analytics.png", [NAVY, SQL_GREEN, GOLD_DARK])
