"""The badge page's "Download badge image": a PNG baked in the browser (OB 3.0 §5.3) whose
credential is byte for byte the page's credential JSON; bake.js's SVG baking and re-baking."""

from __future__ import annotations

import json
import struct
import zlib

from PIL import Image

from credpress.vc.baking import bake_png, unbake_png, unbake_svg

AWARD = ("Amara Okafor", "Python Foundations")


def _crcs_hold(png: bytes) -> bool:
    at = 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        body = png[at + 4 : at + 8 + length]
        if png[at + 8 + length : at + 12 + length] != struct.pack(">I", zlib.crc32(body)):
            return False
        at += 12 + length
    return True


def test_download_gives_a_png_baked_with_the_pages_credential(served, page, tmp_path):
    page.goto(served.badge_page(AWARD))
    button = page.locator("[data-action='download-baked']")
    assert button.inner_text() == "Download badge image"
    with page.expect_download() as download:
        button.click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name.startswith("python-foundations-") and saved.suffix == ".png"
    baked = saved.read_bytes()
    credential = served.credential_file(AWARD).read_text("utf-8")
    assert unbake_png(baked) == credential  # exactly the published bytes
    assert baked.count(b"openbadgecredential") == 1 and _crcs_hold(baked)
    art = (served.root / "images" / "python-foundations.png").read_bytes()
    assert baked == bake_png(art, credential)  # the browser and Python bake alike
    with Image.open(saved) as image:
        image.load()


def test_revoked_credential_offers_no_baked_download(served, page):
    revoked = [
        p for p in sorted((served.root / "credentials").glob("*/index.html")) if "is-revoked" in p.read_text("utf-8")
    ]
    assert revoked
    page.goto(served.url + revoked[0].relative_to(served.root).parent.as_posix() + "/")
    assert page.locator("[data-action='download-baked']").count() == 0


def test_bake_js_rebakes_png_and_svg_to_exactly_one_credential(served, page):
    page.goto(served.badge_page(AWARD))
    credential = served.credential_file(AWARD).read_text("utf-8")
    result = page.evaluate(
        """async ([credential]) => {
          const bake = await import("../../assets/bake.js");
          const art = new Uint8Array(await (await fetch("../../images/python-foundations.png")).arrayBuffer());
          const png = bake.bakePng(bake.bakePng(art, '{"old": "]]>"}'), credential);
          const svg0 = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><rect width="4" height="4"/></svg>';
          const svg = bake.bakeSvg(bake.bakeSvg(svg0, '{"old": "a ]]> b"}'), credential);
          const tricky = bake.bakeSvg(svg0, '{"x": "a ]]> b"}');
          return {png: Array.from(png), svg, tricky};
        }""",
        [credential],
    )
    png = bytes(result["png"])
    assert unbake_png(png) == credential and png.count(b"openbadgecredential") == 1 and _crcs_hold(png)
    assert unbake_svg(result["svg"].encode()) == credential.strip()
    assert result["svg"].count("openbadges:credential") == 2  # one element: its start and end tags
    assert json.loads(unbake_svg(result["tricky"].encode())) == {"x": "a ]]> b"}
