"""Baked badges (OB 3.0 §5.3): bake, unbake, re-bake, and refuse two credentials."""

from __future__ import annotations

import io
import json
import re
import struct
import zlib
from datetime import datetime, timezone
from pathlib import Path

import pytest
from PIL import Image

from credpress.errors import BakingError
from credpress.vc.baking import OB_NAMESPACE, bake_png, bake_svg, unbake_png, unbake_svg
from credpress.verify import verify_credential
from credpress.verify.fetch import Resolver

BASE_URL = "https://badges.northwind-academy.example/"
NOW = datetime(2027, 1, 15, tzinfo=timezone.utc)  # after every example award, before any expiry
SVG = b"""<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4" fill="#345"/></svg>
"""


def no_network(url: str, timeout: float, max_bytes: int) -> bytes:
    raise AssertionError(f"the test tried to fetch {url}")


def _credential(site: Path) -> tuple[Path, str]:
    """A credential of the example site that is valid (not revoked), as its file's text."""
    for path in sorted((site / "credentials").glob("*.json")):
        text = path.read_text("utf-8")
        result = verify_credential(
            json.loads(text), Resolver([(BASE_URL, site)], offline=True, http_get=no_network), NOW
        )
        if result.status == "verified":
            return path, text
    raise LookupError("no valid credential in the example site")


def _text_chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    chunks, at = [], 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind, data = png[at + 4 : at + 8], png[at + 8 : at + 8 + length]
        assert png[at + 8 + length : at + 12 + length] == struct.pack(">I", zlib.crc32(kind + data))
        chunks.append((kind, data))
        at += 12 + length
    return chunks


def test_png_bake_unbake_and_the_credential_verifies(example_site: Path) -> None:
    _, text = _credential(example_site)
    art = (example_site / "images" / "python-foundations.png").read_bytes()
    baked = bake_png(art, text)
    assert unbake_png(baked) == text
    chunks = _text_chunks(baked)
    ours = [(k, d) for k, d in chunks if d.startswith(b"openbadgecredential\0")]
    # one uncompressed iTXt chunk, with empty language and translated keyword, just before IEND
    assert ours == [(b"iTXt", b"openbadgecredential\0\0\0\0\0" + text.encode("utf-8"))]
    assert chunks[-1][0] == b"IEND" and chunks[-2] == ours[0]
    with Image.open(io.BytesIO(baked)) as image:  # still a valid PNG, same pixels
        image.load()
        with Image.open(io.BytesIO(art)) as original:
            assert image.tobytes() == original.tobytes()
    resolver = Resolver([(BASE_URL, example_site)], offline=True, http_get=no_network)
    assert verify_credential(json.loads(unbake_png(baked)), resolver, NOW).status == "verified"


def test_png_rebaking_replaces_the_credential(example_site: Path) -> None:
    art = (example_site / "images" / "python-foundations.png").read_bytes()
    first = bake_png(art, '{"first": true}')
    legacy = first[:-12] + _chunk(b"tEXt", b"openbadges\0https://old.example/assertion") + first[-12:]
    again = bake_png(legacy, '{"second": true}')
    assert unbake_png(again) == '{"second": true}'
    keywords = [d.split(b"\0", 1)[0] for k, d in _text_chunks(again) if k in (b"iTXt", b"tEXt", b"zTXt")]
    assert keywords == [b"openbadgecredential"]
    assert bake_png(again, '{"second": true}') == again  # baking is idempotent


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def test_png_unbake_refuses_two_none_compressed_and_broken(example_site: Path) -> None:
    art = (example_site / "images" / "python-foundations.png").read_bytes()
    baked = bake_png(art, "{}")
    two = baked[:-12] + _chunk(b"tEXt", b"openbadgecredential\0{}") + baked[-12:]
    with pytest.raises(BakingError, match="holds 2 openbadgecredential chunks"):
        unbake_png(two)
    with pytest.raises(BakingError, match="holds no credential"):
        unbake_png(art)
    compressed = art[:-12] + _chunk(b"iTXt", b"openbadgecredential\0\x01\0\0\0" + zlib.compress(b"{}")) + art[-12:]
    with pytest.raises(BakingError, match="compressed"):
        unbake_png(compressed)
    with pytest.raises(BakingError, match="cut short"):
        unbake_png(baked[:-20])
    with pytest.raises(BakingError, match="not a PNG"):
        bake_png(b"GIF89a", "{}")


def test_svg_bake_unbake_rebake(example_site: Path) -> None:
    _, text = _credential(example_site)
    tricky = json.dumps({"narrative": "a ]]> b ]]]]> c", "x": "<&>"})
    for credential in (text, tricky):
        baked = bake_svg(SVG, credential)
        assert unbake_svg(baked) == credential.strip()  # whitespace around the JSON is not part of it
        assert unbake_svg(bake_svg(baked, "{}")) == "{}"
        assert bake_svg(baked, "{}").count(b"openbadges:credential") == 2  # one element: open and close tag
    baked = bake_svg(SVG, text)
    # the element comes directly after <svg>, in the OB 3.0 namespace, JSON in CDATA
    assert f'xmlns:openbadges="{OB_NAMESPACE}"'.encode() in baked
    assert re.search(rb"<svg [^>]*><openbadges:credential><!\[CDATA\[\{", baked)
    resolver = Resolver([(BASE_URL, example_site)], offline=True, http_get=no_network)
    assert verify_credential(json.loads(unbake_svg(baked)), resolver, NOW).status == "verified"


def test_svg_unbake_refuses_two_and_none() -> None:
    two = SVG.replace(
        b'viewBox="0 0 10 10">',
        f'xmlns:ob="{OB_NAMESPACE}" viewBox="0 0 10 10"><ob:credential>{{}}</ob:credential>'
        f"<ob:credential>{{}}</ob:credential>".encode(),
    )
    with pytest.raises(BakingError, match="holds 2"):
        unbake_svg(two)
    assert unbake_svg(bake_svg(two, '{"one": 1}')) == '{"one": 1}'
    with pytest.raises(BakingError, match="holds no credential"):
        unbake_svg(SVG)
    with pytest.raises(BakingError, match="DTD|DOCTYPE|cannot be read safely"):
        unbake_svg(b'<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>')
    with pytest.raises(BakingError, match="not an SVG"):
        bake_svg(b"<html/>", "{}")
