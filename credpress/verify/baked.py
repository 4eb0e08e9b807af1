"""The credential baked into a PNG or SVG badge image (OB 3.0 §5.3 "Baking").

PNG (OB 3.0 §5.3): one uncompressed ``iTXt`` chunk with the keyword
``openbadgecredential`` holds the credential. SVG (OB 3.0 §5.3): one
``<openbadges:credential>`` element in the namespace
``https://purl.imsglobal.org/ob/v3p0`` holds it (as text, or in a ``verify``
attribute). A badge with two credentials is refused (which one it stands for
would be a guess), as the browser verifier (verify.js ``extractCredential``)
does; so is an Open Badges 2.0 badge (keyword ``openbadges`` in a PNG, an
``<openbadges:assertion>`` in an SVG), with a message that says so.

Everything is bounded before it is decoded: the file is at most
:data:`MAX_BADGE_BYTES`, chunk lengths are checked against the bytes that are
there, and the SVG is parsed by defusedxml (no DTD, no entities, no external
references). :func:`unbake` raises only :class:`BakedError`.

At merge: the sharing stream adds a bake/unbake module (credpress bake and
unbake); this one and that one should become one module, with these bounds.
"""

from __future__ import annotations

import struct
from xml.etree.ElementTree import Element

MAX_BADGE_BYTES = 8_000_000  # as verify.js: a badge image is far smaller
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
KEYWORD = b"openbadgecredential"  # OB 3.0 §5.3
OB2_KEYWORD = b"openbadges"  # Open Badges 2.0 baking
SVG_NS = "https://purl.imsglobal.org/ob/v3p0"  # OB 3.0 §5.3
OB2_SVG_NS = "http://openbadges.org"
_TEXT_CHUNKS = (b"iTXt", b"tEXt", b"zTXt")
_OB2 = "this is an Open Badges 2.0 badge (an assertion, not a credential); credpress verify checks Open Badges 3.0"


class BakedError(ValueError):
    """The image holds no credential we can check; the message says why, in plain words."""


def is_png(data: bytes) -> bool:
    """Whether *data* starts with the PNG signature."""
    return data.startswith(PNG_SIGNATURE)


def unbake(data: bytes, kind: str) -> bytes:
    """The credential's JSON bytes baked into *data*, a ``"png"`` or ``"svg"`` image."""
    if len(data) > MAX_BADGE_BYTES:
        raise BakedError(f"the image is larger than {MAX_BADGE_BYTES} bytes")
    try:
        text = _from_png(data) if kind == "png" else _from_svg(data)
    except BakedError:
        raise
    except Exception as exc:  # a hostile image gives a message, never a crash
        raise BakedError(f"the {kind.upper()} could not be read: {type(exc).__name__}") from None
    if not text.strip().startswith(b"{"):
        raise BakedError("the badge holds a VC-JWT (or other text), which credpress verify does not check")
    return text


def _from_png(data: bytes) -> bytes:
    found: list[tuple[bytes, bytes]] = []
    ob2 = False
    at = len(PNG_SIGNATURE)
    # Chunks (PNG §5.3): length (4, big-endian) | type (4) | data | CRC (4). The CRC is not
    # checked, as verify.js does not: the credential's own proofs detect any change to it.
    while at + 12 <= len(data):
        (length,) = struct.unpack_from(">I", data, at)
        kind = data[at + 4 : at + 8]
        if at + 12 + length > len(data):
            raise BakedError(f"the PNG is cut short: its {kind.decode('latin-1')} chunk runs past the end")
        body = data[at + 8 : at + 8 + length]
        if kind in _TEXT_CHUNKS:
            # A PNG keyword is 1-79 Latin-1 characters and a NUL (PNG §11.3.4).
            keyword = body[: body.find(b"\x00", 0, 80)] if b"\x00" in body[:80] else b""
            if keyword == KEYWORD:
                found.append((kind, body[len(keyword) + 1 :]))
            ob2 = ob2 or keyword == OB2_KEYWORD
        if kind == b"IEND":
            break
        at += 12 + length
    if len(found) > 1:
        # Any text chunk counts: a second credential, even in tEXt, makes the badge ambiguous.
        raise BakedError(f"the PNG holds {len(found)} credentials ({KEYWORD.decode()} chunks); a badge holds one")
    if not found:
        raise BakedError(_OB2 if ob2 else f"the PNG holds no credential (no iTXt chunk {KEYWORD.decode()})")
    kind, rest = found[0]
    if kind != b"iTXt":
        raise BakedError(f"the baked credential is in a {kind.decode()} chunk; OB 3.0 §5.3 uses iTXt")
    # iTXt after the keyword: compression flag | method | language \0 | translated keyword \0 | UTF-8 text.
    if rest[:1] != b"\x00":
        raise BakedError("the baked credential is compressed, which OB 3.0 §5.3 forbids")
    language_end = rest.find(b"\x00", 2)
    translated_end = rest.find(b"\x00", language_end + 1) if language_end >= 0 else -1
    if translated_end < 0:
        raise BakedError("the PNG's iTXt chunk is cut short")
    return rest[translated_end + 1 :]


def _from_svg(data: bytes) -> bytes:
    from defusedxml import ElementTree

    try:
        root = ElementTree.fromstring(data, forbid_dtd=True)
    except Exception as exc:  # ParseError, or defusedxml refusing a DTD or entity
        raise BakedError(f"the SVG is not XML we read ({type(exc).__name__})") from None
    elements: list[Element] = [e for e in root.iter() if e.tag == f"{{{SVG_NS}}}credential"]
    if len(elements) > 1:
        raise BakedError(f"the SVG holds {len(elements)} credentials (<openbadges:credential>); a badge holds one")
    if not elements:
        if any(e.tag == f"{{{OB2_SVG_NS}}}assertion" for e in root.iter()):
            raise BakedError(_OB2)
        raise BakedError("the SVG holds no credential (no <openbadges:credential> element, OB 3.0 §5.3)")
    element = elements[0]
    text = element.get("verify")
    if text is None:
        text = element.text or ""
    return text.encode("utf-8")
