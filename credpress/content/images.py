"""Images under content/: where they are, what they are, and that they are safe.

Badge art and logos are published and shown on pages and in wallets: only real
PNG and JPEG files, and SVG files made only of allowlisted drawing elements and
attributes (no script, no outside references), pass.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

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

# A link preview (og:image) is shown as a 1.91:1 card; LinkedIn asks for 1200×627 pixels
# or more and crops other shapes (docs/standards.md §9: a convention, not a standard).
PREVIEW_MIN = (1200, 627)
PREVIEW_RATIO = (1.87, 1.95)  # width / height: 1.91 ± 2%


def preview_image_file(root: Path, rel: str) -> tuple[ImageFile, tuple[int, int]]:
    """A provider's own link-preview image and its pixel size: a PNG or JPEG, at least
    1200×627, shaped 1.91:1 (± 2%); Invalid (with the reason) otherwise."""
    image = image_file(root, rel)
    if image.media_type not in ("image/png", "image/jpeg"):
        raise Invalid(f"{rel} must be a PNG or JPEG image (link previews cannot show SVG)")
    from PIL import Image

    with Image.open(image.source) as opened:
        width, height = opened.size
    if width < PREVIEW_MIN[0] or height < PREVIEW_MIN[1] or not PREVIEW_RATIO[0] <= width / height <= PREVIEW_RATIO[1]:
        raise Invalid(
            f"{rel} is {width}×{height} pixels; a link preview must be at least 1200×627 and 1.91 times as wide "
            "as it is high (1200×627, 1600×837, 2400×1254…)"
        )
    return image, (width, height)


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


SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

# An allowlist, not a denylist: the SVG 1.1 / SVG 2 elements that draw, and nothing that
# runs script, animates attributes (<set> can write an href), embeds another document or
# fetches a file (SVG 2 §1.4 element index; Filter Effects 1 §9). Anything else, in any
# namespace, is refused by not being here.
SVG_ELEMENTS = frozenset(
    """svg g defs symbol use title desc metadata a switch path rect circle ellipse line polyline polygon
    text tspan textPath linearGradient radialGradient stop pattern clipPath mask marker filter image style
    feBlend feColorMatrix feComponentTransfer feComposite feConvolveMatrix feDiffuseLighting
    feDisplacementMap feDistantLight feDropShadow feFlood feFuncA feFuncB feFuncG feFuncR feGaussianBlur
    feMerge feMergeNode feMorphology feOffset fePointLight feSpecularLighting feSpotLight feTile
    feTurbulence""".split()
)
# Geometry, presentation (SVG 2 §6.8 presentation attributes), gradient, pattern, text and
# filter primitive attributes. No event attributes (SVG 2 §15.4), no xml:base.
SVG_ATTRIBUTES = frozenset(
    """id class style lang tabindex version baseProfile width height x y viewBox preserveAspectRatio
    zoomAndPan x1 y1 x2 y2 cx cy r rx ry fx fy fr d points pathLength transform href systemLanguage
    alignment-baseline baseline-shift clip clip-path clip-rule color color-interpolation
    color-interpolation-filters color-rendering cursor direction display dominant-baseline fill
    fill-opacity fill-rule filter flood-color flood-opacity font font-family font-size font-size-adjust
    font-stretch font-style font-variant font-weight glyph-orientation-horizontal
    glyph-orientation-vertical image-rendering letter-spacing lighting-color marker marker-end
    marker-mid marker-start mask mask-type opacity overflow paint-order pointer-events shape-rendering
    stop-color stop-opacity stroke stroke-dasharray stroke-dashoffset stroke-linecap stroke-linejoin
    stroke-miterlimit stroke-opacity stroke-width text-anchor text-decoration text-rendering
    transform-origin unicode-bidi vector-effect visibility white-space word-spacing writing-mode
    gradientUnits gradientTransform spreadMethod offset patternUnits patternContentUnits
    patternTransform clipPathUnits maskUnits maskContentUnits markerWidth markerHeight markerUnits
    refX refY orient dx dy rotate textLength lengthAdjust startOffset method spacing side type media
    filterUnits primitiveUnits in in2 result stdDeviation edgeMode mode operator k1 k2 k3 k4 values
    tableValues slope intercept amplitude exponent order kernelMatrix divisor bias targetX targetY
    preserveAlpha surfaceScale diffuseConstant specularConstant specularExponent kernelUnitLength
    azimuth elevation pointsAtX pointsAtY pointsAtZ limitingConeAngle z scale xChannelSelector
    yChannelSelector radius baseFrequency numOctaves seed stitchTiles""".split()
) | {f"{{{XLINK_NS}}}href", f"{{{XLINK_NS}}}title", f"{{{XML_NS}}}space", f"{{{XML_NS}}}lang"}
_HREFS = (f"{{{XLINK_NS}}}href", "href")
_EMBEDDED_IMAGE = re.compile(r"data:image/(?:png|jpeg)[;,]", re.IGNORECASE)  # RFC 2397 §3
# CSS that fetches: url() to anything but #id, @import, image-set() (which takes bare
# strings), and backslash escapes that could spell either (CSS Syntax 3 §4.3.7).
_CSS_URL = re.compile(r"url\(\s*(['\"]?)\s*([^)'\"]*)", re.IGNORECASE)
_CSS_FETCH = re.compile(r"@import|image-set\(|\\", re.IGNORECASE)
_XML_DECLARATION = re.compile(rb"""<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']""")
_BOMS = {b"\xff\xfe\x00\x00": "UTF-32", b"\x00\x00\xfe\xff": "UTF-32", b"\xff\xfe": "UTF-16", b"\xfe\xff": "UTF-16"}


def _check_svg(data: bytes) -> None:
    """Badge SVGs are published and opened on the site's origin: parse them (defusedxml: no
    DTD, entities or external references) and allow only drawing elements and attributes."""
    import xml.etree.ElementTree as ElementTree

    from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden
    from defusedxml.ElementTree import DefusedXMLParser

    for bom, encoding in _BOMS.items():
        if data.startswith(bom):
            raise Invalid(f"SVG must be UTF-8 (it starts with a {encoding} byte order mark)")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid("SVG must be UTF-8 text") from None
    if b"\x00" in data:
        raise Invalid("SVG must be UTF-8 text (it contains NUL bytes)")
    declared = _XML_DECLARATION.match(data.removeprefix(b"\xef\xbb\xbf"))
    if declared and declared.group(1).decode("ascii", "replace").lower() not in ("utf-8", "utf8"):
        raise Invalid(
            f"SVG declares the encoding '{declared.group(1).decode('ascii', 'replace')}'; only UTF-8 is allowed"
        )

    class Builder(ElementTree.TreeBuilder):
        def pi(self, target: str, text: str | None = None) -> ElementTree.Element:
            # <?xml-stylesheet?> would make a browser fetch and apply a style sheet or XSLT.
            raise Invalid(f"SVG has a processing instruction '<?{target}' (not allowed)")

    parser = DefusedXMLParser(target=Builder(), encoding="utf-8", forbid_dtd=True)
    try:
        parser.feed(data)
        root = parser.close()
    except DTDForbidden:
        raise Invalid("SVG has a DOCTYPE (document type declarations and entities are not allowed)") from None
    except EntitiesForbidden:
        raise Invalid("SVG declares an entity (entities are not allowed)") from None
    except DefusedXmlException as exc:
        raise Invalid(f"SVG refers to an outside document ({exc})") from None
    except ElementTree.ParseError as exc:
        raise Invalid(f"is not a well-formed SVG file ({exc})") from None
    if root.tag != f"{{{SVG_NS}}}svg":
        raise Invalid("is not an SVG image (the root element is not <svg> in the SVG namespace)")
    for element in root.iter():
        _check_svg_element(element)


def _local(name: str, what: str) -> str:
    """The SVG local name of a tag, or Invalid naming the foreign namespace."""
    namespace, _, local = name[1:].partition("}") if name.startswith("{") else (SVG_NS, "", name)
    if namespace != SVG_NS:
        raise Invalid(f"SVG uses the namespace '{namespace}' for {what} '{local}' (only SVG and XLink are allowed)")
    return local


def _check_svg_element(element: Any) -> None:
    tag = _local(element.tag, "the element")
    if tag not in SVG_ELEMENTS:
        raise Invalid(
            f"SVG element <{tag}> is not allowed (only drawing elements: no script, animation or embedded documents)"
        )
    for name, value in element.attrib.items():
        local = name.rsplit("}", 1)[-1]
        if local.lower().startswith("on"):
            raise Invalid(f"SVG attribute '{local}' on <{tag}> is an event handler (script is not allowed)")
        if name not in SVG_ATTRIBUTES:
            if name.startswith("{") and not name.startswith(f"{{{XLINK_NS}}}") and not name.startswith(f"{{{XML_NS}}}"):
                _local(name, "the attribute")
            raise Invalid(f"SVG attribute '{local}' on <{tag}> is not allowed")
        if name in _HREFS:
            _check_svg_href(tag, value)
        _check_css(value)
    if tag == "style":
        _check_css(element.text or "")


def _check_svg_href(tag: str, value: str) -> None:
    """An href may point inside the image, or (on <image>) embed a PNG or JPEG."""
    target = value.strip()
    if target.startswith("#"):
        return
    if tag == "image" and _EMBEDDED_IMAGE.match(target):
        return
    raise Invalid(
        f"SVG <{tag}> refers to another file ({target[:60]}); only '#id' inside the image"
        + (" or an embedded data:image/png or data:image/jpeg" if tag == "image" else "")
        + " is allowed"
    )


def _check_css(text: str) -> None:
    fetch = _CSS_FETCH.search(text)
    if fetch:
        raise Invalid(f"SVG style uses '{fetch.group(0)}', which is not allowed")
    for match in _CSS_URL.finditer(text):
        if not match.group(2).strip().startswith("#"):
            raise Invalid(f"SVG style refers to another file (url({match.group(2)[:60]})); only url(#id) is allowed")
