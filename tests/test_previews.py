"""Link previews: Open Graph and Twitter card tags on every page, preview PNGs once per
site, issuer and achievement, deterministic, and honest about revoked credentials."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import make_build
from PIL import Image

from credpress.cli import main

BASE_URL = "https://badges.northwind-academy.example/"
REQUIRED = (
    "og:type og:site_name og:url og:title og:description og:image og:image:width og:image:height og:image:alt "
    "twitter:card description"
).split()


class _Meta(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        key = found.get("property") or found.get("name")
        if tag == "meta" and key and found.get("content") is not None:
            self.tags.setdefault(key, []).append(str(found["content"]))


def meta(page: Path) -> dict[str, str]:
    """The page's meta tags by property or name; each appears exactly once."""
    parser = _Meta()
    parser.feed(page.read_text("utf-8"))
    assert all(len(values) == 1 for values in parser.tags.values()), (page, parser.tags)
    return {key: values[0] for key, values in parser.tags.items()}


def _pages(site: Path) -> list[Path]:
    return sorted(site.rglob("index.html"))


def test_every_page_has_absolute_preview_tags_and_a_png_of_the_stated_size(example_site: Path) -> None:
    pages = _pages(example_site)
    kinds = {p.relative_to(example_site).parts[0] for p in pages}
    assert {"index.html", "issuers", "achievements", "credentials", "verify"} <= kinds
    for page in pages:
        tags = meta(page)
        missing = [name for name in REQUIRED if not tags.get(name)]
        assert not missing, (page, missing)
        folder = page.parent.relative_to(example_site).as_posix()
        assert tags["og:url"] == BASE_URL + ("" if folder == "." else folder + "/")
        assert tags["twitter:card"] == "summary_large_image"
        assert tags["description"] == tags["og:description"]
        assert tags["og:image"].startswith(BASE_URL)
        image = example_site / tags["og:image"].removeprefix(BASE_URL)
        with Image.open(image) as opened:
            assert opened.format == "PNG"
            assert opened.size == (int(tags["og:image:width"]), int(tags["og:image:height"])) == (1200, 627)
        for text in (tags["og:description"], tags["og:title"]):
            assert "**" not in text and "](" not in text


def test_preview_images_exist_once_per_site_issuer_and_achievement(example_site: Path) -> None:
    previews = sorted(p.relative_to(example_site).as_posix() for p in (example_site / "previews").rglob("*.*"))
    achievements = sorted(p.stem for p in (example_site / "achievements").glob("*.json"))
    assert previews == [
        *(f"previews/achievements/{slug}.png" for slug in achievements),
        "previews/issuers/northwind-data-academy.png",
        "previews/site.png",
    ]
    for path in previews:
        with Image.open(example_site / path) as opened:
            assert not opened.info.keys() - {"dpi"}  # no text chunks, no timestamps


def test_badge_pages_use_their_achievements_preview_and_say_revoked(example_site: Path) -> None:
    credentials = sorted((example_site / "credentials").glob("*/index.html"))
    titles = [meta(p)["og:title"] for p in credentials]
    revoked = [p for p, t in zip(credentials, titles) if t.startswith("REVOKED: ")]
    # exactly the pages that show a revoked certificate (a hand revocation and a stack cascade)
    assert revoked == [p for p in credentials if "is-revoked" in p.read_text("utf-8")] and revoked
    for page in credentials:
        tags = meta(page)
        assert tags["og:image"].startswith(BASE_URL + "previews/achievements/")
        if page in revoked:
            assert tags["og:description"].startswith("Revoked by Northwind Data Academy on ")
            assert "no longer valid" in tags["og:description"] and " earned " not in tags["og:description"]
            assert "is-revoked" in page.read_text("utf-8")
        else:
            assert " earned " in tags["og:description"] and "REVOKED" not in tags["og:description"]
    expiring = [
        meta(p)["og:description"]
        for p in credentials
        if "Valid until" in p.read_text("utf-8") and p not in revoked  # a revoked one says only that
    ]
    assert expiring and all(". Valid until " in d and d.endswith(".") for d in expiring)


def test_previews_are_deterministic(small_content: Path, key_file: Path, tmp_path: Path) -> None:
    make_build(small_content, tmp_path / "one", key_file)
    make_build(small_content, tmp_path / "two", key_file)
    one = {p.relative_to(tmp_path / "one"): p.read_bytes() for p in (tmp_path / "one" / "previews").rglob("*.png")}
    two = {p.relative_to(tmp_path / "two"): p.read_bytes() for p in (tmp_path / "two" / "previews").rglob("*.png")}
    assert one == two and len(one) == 5  # site, one issuer, three achievements


def _png(path: Path, size: tuple[int, int]) -> None:
    Image.new("RGB", size, (40, 90, 160)).save(path, "PNG")


def test_a_providers_own_preview_image_is_published_and_used(small_content: Path, key_file: Path, tmp_path: Path):
    _png(small_content / "images" / "alpha-card.png", (1600, 837))
    shutil.copy(small_content / "images" / "alpha-card.png", small_content / "images" / "site-card.png")
    alpha = small_content / "achievements" / "alpha.yaml"
    alpha.write_text(alpha.read_text() + "preview_image: images/alpha-card.png\n")
    site_yaml = small_content / "site.yaml"
    site_yaml.write_text(site_yaml.read_text() + "preview_image: images/site-card.png\n")
    make_build(small_content, tmp_path / "site", key_file)
    site = tmp_path / "site"
    tags = meta(site / "achievements" / "alpha" / "index.html")
    assert tags["og:image"] == "https://example.test/badges/previews/achievements/alpha.png"
    assert (tags["og:image:width"], tags["og:image:height"]) == ("1600", "837")
    assert (site / "previews" / "achievements" / "alpha.png").read_bytes() == (
        small_content / "images" / "alpha-card.png"
    ).read_bytes()
    assert meta(site / "index.html")["og:image:width"] == "1600"
    with Image.open(site / "previews" / "achievements" / "beta.png") as drawn:
        assert drawn.size == (1200, 627)


@pytest.mark.parametrize(
    ("size", "message"),
    [
        ((600, 600), "images/card.png is 600×600 pixels; a link preview must be at least 1200×627"),
        ((1200, 900), "images/card.png is 1200×900 pixels"),
        ((1000, 523), "images/card.png is 1000×523 pixels"),
    ],
)
def test_a_wrong_preview_image_is_a_content_error(small_content, tmp_path, monkeypatch, size, message):
    monkeypatch.chdir(tmp_path)
    _png(small_content / "images" / "card.png", size)
    (small_content / "images" / "card.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    issuer = small_content / "issuers" / "acme.yaml"
    issuer.write_text(issuer.read_text() + "preview_image: images/card.png\n")
    beta = small_content / "achievements" / "beta.yaml"
    beta.write_text(beta.read_text() + "preview_image: images/card.svg\n")
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    issuer_line = len(issuer.read_text().splitlines())
    beta_line = len(beta.read_text().splitlines())
    assert lines[-1] == "Aborted with 2 content errors"
    assert lines[0] == (
        f"content/achievements/beta.yaml:{beta_line}: preview_image: images/card.svg must be a PNG or JPEG image "
        "(link previews cannot show SVG)"
    )
    assert lines[1].startswith(f"content/issuers/acme.yaml:{issuer_line}: preview_image: {message}")
    assert not (tmp_path / "_site").exists()


def test_svg_badge_art_gets_the_typographic_preview(small_content: Path, key_file: Path, tmp_path: Path) -> None:
    (small_content / "images" / "beta.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><rect width="4" height="4"/></svg>'
    )
    beta = small_content / "achievements" / "beta.yaml"
    beta.write_text(beta.read_text().replace("images/badge-b.png", "images/beta.svg"))
    make_build(small_content, tmp_path / "site", key_file)
    tags = meta(tmp_path / "site" / "achievements" / "beta" / "index.html")
    assert tags["og:image"].endswith("/previews/achievements/beta.png")
    with Image.open(tmp_path / "site" / "previews" / "achievements" / "beta.png") as drawn:
        assert drawn.size == (1200, 627)
        # no art: the left part of the card is white except the words
        assert drawn.convert("L").crop((72, 480, 480, 540)).getextrema() == (255, 255)


def test_twitter_tags_fall_back_to_open_graph(example_site: Path) -> None:
    # X reads og:title/og:description/og:image when the twitter: ones are absent, so a
    # page carries them once; only the card type and image alt are twitter-specific.
    page = (example_site / "index.html").read_text("utf-8")
    assert 'name="twitter:card"' in page and 'property="og:title"' in page
    for duplicate in ("twitter:title", "twitter:description", 'name="twitter:image"'):
        assert duplicate not in page
