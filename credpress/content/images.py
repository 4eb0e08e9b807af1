"""Images under content/: where they are, what they are, and that they are safe.

Badge art and logos are published and shown on pages and in wallets: only real
PNG and JPEG files and SVG files without script or outside references pass.
"""

from __future__ import annotations

import re
from pathlib import Path

from .fields import Invalid
from .model import ImageFile

MAX_NAME_LENGTH = 200  # characters in one file or folder name of an image path


def image_file(root: Path, rel: str) -> ImageFile:
    """The image at *rel* under the content folder *root*; Invalid (with the reason) otherwise."""
    candidate = Path(rel)
    if candidate.is_absolute() or ".." in candidate.parts:
        raise Invalid("must be a path inside the content folder")
    for name in candidate.parts:
        # Published as a URL path and a file on any static host: keep each name short enough
        # for every file system (255 bytes) once percent-encoded parts are counted.
        if len(name) > MAX_NAME_LENGTH:
            raise Invalid(f"file name '{name[:40]}…' is longer than {MAX_NAME_LENGTH} characters")
    full = root / candidate
    try:
        if not full.resolve().is_relative_to(root.resolve()):
            raise Invalid("points outside the content folder")
        if not full.is_file():
            raise Invalid(f"image file {rel} not found")
    except OSError as exc:
        raise Invalid(f"cannot read image file {rel} ({exc.strerror})") from None
    try:
        media_type = _sniff_image(full)
    except Invalid as exc:
        raise Invalid(f"{rel} {exc}") from None
    if media_type is None:
        raise Invalid(f"{rel} is not a PNG, JPEG or SVG image")
    return ImageFile(full, candidate.as_posix(), media_type)


MAX_IMAGE_BYTES = 5 * 1024 * 1024


def _sniff_image(path: Path) -> str | None:
    """The media type of a real PNG, JPEG or safe SVG file; None for anything else.

    Raises Invalid with the reason for a file that looks like an image but is
    corrupt, too large, or an SVG that could run script or load other files.
    """
    data = path.read_bytes()
    if len(data) > MAX_IMAGE_BYTES:
        raise Invalid(f"image is larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MiB")
    if data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8\xff"):
        from PIL import Image

        try:
            with Image.open(path) as image:
                image.verify()
        except Exception:
            raise Invalid("is not a readable PNG or JPEG image") from None
        return "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
    if path.suffix.lower() == ".svg":
        _check_svg(data)
        return "image/svg+xml"
    return None


_SVG_DANGER = re.compile(
    rb"<!DOCTYPE|<!ENTITY|<script|<foreignObject|<iframe|<embed|<object|javascript:|\bon[a-z]+\s*=",
    re.IGNORECASE,
)
_SVG_REFERENCE = re.compile(rb"""(?:href|src)\s*=\s*["']\s*([^"'#\s][^"']*)["']""", re.IGNORECASE)


def _check_svg(data: bytes) -> None:
    """Badge SVGs are shown on pages and in wallets: no script, no outside files."""
    import xml.etree.ElementTree as ElementTree

    found = _SVG_DANGER.search(data)
    if found:
        raise Invalid(
            f"SVG contains {found.group(0).decode('ascii', 'replace').strip()!r} (scripts, entities and embedded documents are not allowed)"
        )
    for reference in _SVG_REFERENCE.findall(data):
        if not reference.lower().startswith((b"data:image/png", b"data:image/jpeg")):
            raise Invalid(f"SVG refers to another file ({reference.decode('utf-8', 'replace')[:60]}); embed it instead")
    if re.search(rb"url\(\s*['\"]?\s*(?!#)", data, re.IGNORECASE) or b"@import" in data.lower():
        raise Invalid("SVG style refers to another file (url() or @import); only url(#id) is allowed")
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise Invalid(f"is not a well-formed SVG file ({exc})") from None
    if root.tag not in ("svg", "{http://www.w3.org/2000/svg}svg"):
        raise Invalid("is not an SVG image (the root element is not <svg>)")
