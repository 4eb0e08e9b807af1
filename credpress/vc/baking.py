"""Baked badges: a signed credential inside a PNG or SVG image (OB 3.0 §5.3 "Baked Badge").

- PNG (OB 3.0 §5.3.1): one uncompressed ``iTXt`` chunk with the keyword
  ``openbadgecredential`` whose text is the credential JSON. The chunk must not
  appear more than once; baking an already baked image replaces its credential
  (the implementer's choice the section allows), and the OB 2.0 ``openbadges``
  chunk goes too, so an image never carries two credentials.
- SVG (OB 3.0 §5.3.2): ``xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"``
  on the root and, directly after the ``<svg>`` tag, one
  ``<openbadges:credential>`` element holding the JSON in ``<![CDATA[…]]>``.

``unbake_png`` and ``unbake_svg`` refuse an image with no credential or with
more than one: a badge holds exactly one credential (OB 3.0 §5), and which of
two a verifier read would be a guess. The static site does the same baking in
the browser (``credpress/static/bake.js``), so it never stores an image per
credential. Every step reads each byte a bounded number of times: linear time.
"""

from __future__ import annotations

import struct
import zlib
from xml.dom import minidom

from ..errors import BakingError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
KEYWORD = b"openbadgecredential"
# OB 2.0's keyword: removed when baking, so an image never holds two credentials.
LEGACY_KEYWORD = b"openbadges"
OB_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
_TEXT_CHUNKS = (b"iTXt", b"tEXt", b"zTXt")


def _chunks(png: bytes) -> list[tuple[bytes, bytes, int, int]]:
    """(type, data, start, end) of every chunk up to IEND (PNG §5.3 chunk layout)."""
    if not png.startswith(PNG_SIGNATURE):
        raise BakingError("not a PNG image (no PNG signature)")
    found = []
    at = len(PNG_SIGNATURE)
    while True:
        if at + 12 > len(png):
            raise BakingError("the PNG image is cut short (no IEND chunk)")
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind = png[at + 4 : at + 8]
        end = at + 12 + length
        if end > len(png):
            raise BakingError(f"the PNG image is cut short (in its {kind.decode('latin-1')} chunk)")
        found.append((kind, png[at + 8 : at + 8 + length], at, end))
        if kind == b"IEND":
            return found
        at = end


def _keyword(kind: bytes, data: bytes) -> bytes | None:
    """The keyword of a text chunk (1-79 Latin-1 bytes then NUL, PNG §11.3.4), else None."""
    if kind not in _TEXT_CHUNKS:
        return None
    nul = data.find(b"\0", 0, 80)
    return data[:nul] if nul > 0 else None


def _chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, type, data, CRC-32 of type and data (PNG §5.3)."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bake_png(png: bytes, credential: str) -> bytes:
    """*png* with *credential* (JSON text) in one ``openbadgecredential`` iTXt chunk before IEND.

    Any credential already baked in (OB 3.0 or OB 2.0 keyword) is removed first.
    """
    chunks = _chunks(png)
    # keyword NUL, compression flag 0 and method 0 (OB 3.0 §5.3.1: no compression),
    # empty language tag NUL, empty translated keyword NUL, UTF-8 text (PNG §11.3.4.5).
    itxt = _chunk(b"iTXt", KEYWORD + b"\0\0\0\0\0" + credential.encode("utf-8"))
    out = [PNG_SIGNATURE]
    for kind, data, start, end in chunks:
        if _keyword(kind, data) in (KEYWORD, LEGACY_KEYWORD):
            continue
        if kind == b"IEND":
            out.append(itxt)
        out.append(png[start:end])
    return b"".join(out)


def unbake_png(png: bytes) -> str:
    """The credential JSON text baked into *png*; BakingError if there is none, or more than one."""
    found = [(kind, data) for kind, data, _, _ in _chunks(png) if _keyword(kind, data) == KEYWORD]
    if not found:
        raise BakingError("the PNG image holds no credential (no iTXt chunk with the keyword openbadgecredential)")
    if len(found) > 1:
        raise BakingError(
            f"the PNG image holds {len(found)} openbadgecredential chunks; a baked badge holds exactly one credential"
        )
    kind, data = found[0]
    if kind != b"iTXt":
        raise BakingError(f"the baked credential is in a {kind.decode()} chunk; OB 3.0 §5.3.1 uses iTXt")
    rest = data[len(KEYWORD) + 1 :]
    if len(rest) < 2 or rest[0] != 0:
        raise BakingError("the baked credential is compressed; OB 3.0 §5.3.1 forbids compression")
    language_end = rest.find(b"\0", 2)
    translated_end = rest.find(b"\0", language_end + 1) if language_end >= 0 else -1
    if translated_end < 0:
        raise BakingError("the baked credential's iTXt chunk is cut short")
    try:
        return rest[translated_end + 1 :].decode("utf-8")
    except UnicodeDecodeError:
        raise BakingError("the baked credential is not UTF-8 text") from None


def _parse_svg(svg: bytes) -> tuple[minidom.Document, minidom.Element]:
    from defusedxml import DefusedXmlException
    from defusedxml.minidom import parseString

    try:
        document = parseString(svg, forbid_dtd=True)
    except (DefusedXmlException, ValueError) as exc:
        raise BakingError(f"the SVG image cannot be read safely ({exc})") from None
    except Exception as exc:  # xml.parsers.expat.ExpatError and friends
        raise BakingError(f"not a well-formed SVG image ({exc})") from None
    root = document.documentElement
    if root is None or root.localName != "svg":
        raise BakingError("not an SVG image (the root element is not <svg>)")
    return document, root


def _cdata_sections(document: minidom.Document, text: str) -> list[minidom.CDATASection]:
    """*text* as CDATA sections: a ``]]>`` inside it is split across two (XML 1.0 §2.7)."""
    parts = text.split("]]>")
    pieces = [part + "]]" if i < len(parts) - 1 else part for i, part in enumerate(parts)]
    pieces = [pieces[0]] + [">" + piece for piece in pieces[1:]]
    return [document.createCDATASection(piece) for piece in pieces]


def bake_svg(svg: bytes, credential: str) -> bytes:
    """*svg* with *credential* (JSON text) in one ``<openbadges:credential>`` right after ``<svg>``.

    Any ``<openbadges:credential>`` already in it is removed first.
    """
    document, root = _parse_svg(svg)
    for old in list(document.getElementsByTagNameNS(OB_NAMESPACE, "credential")):
        if old.parentNode is not None:
            old.parentNode.removeChild(old)
    root.setAttribute("xmlns:openbadges", OB_NAMESPACE)
    element = document.createElementNS(OB_NAMESPACE, "openbadges:credential")
    for section in _cdata_sections(document, credential):
        element.appendChild(section)
    root.insertBefore(element, root.firstChild)
    return document.toxml(encoding="utf-8")


def unbake_svg(svg: bytes) -> str:
    """The credential JSON text baked into *svg*; BakingError if there is none, or more than one."""
    elements = _parse_svg(svg)[0].getElementsByTagNameNS(OB_NAMESPACE, "credential")
    if not elements:
        raise BakingError(f"the SVG image holds no credential (no <openbadges:credential> in {OB_NAMESPACE})")
    if len(elements) > 1:
        raise BakingError(
            f"the SVG image holds {len(elements)} <openbadges:credential> elements; a baked badge holds exactly one"
        )
    element = elements[0]
    if element.hasAttribute("verify"):  # a VC-JWT (OB 3.0 §5.3.2.1)
        return element.getAttribute("verify")
    text = "".join(
        node.data for node in element.childNodes if node.nodeType in (node.TEXT_NODE, node.CDATA_SECTION_NODE)
    )
    return text.strip()


OB2_SVG_NAMESPACE = "http://openbadges.org"


def holds_open_badges_2(image: bytes) -> bool:
    """Whether *image* carries an Open Badges 2.0 assertion (PNG ``openbadges`` text chunk,
    SVG ``<openbadges:assertion>``), so a verifier can say so instead of "no credential"."""
    try:
        if image.startswith(PNG_SIGNATURE):
            return any(_keyword(kind, data) == LEGACY_KEYWORD for kind, data, _, _ in _chunks(image))
        return bool(_parse_svg(image)[0].getElementsByTagNameNS(OB2_SVG_NAMESPACE, "assertion"))
    except BakingError:
        return False
