"""The printed certificate's parts that need no browser: the QR code file and the criteria summary."""

from __future__ import annotations

import re
from pathlib import Path

from credpress.site.generators import GENERATORS, qr_codes
from credpress.site.layout import Layout
from credpress.site.summary import plain_text, summary

URL = "https://badges.northwind-academy.example/credentials/0470402b-3e37-47a3-a725-2e6a8ad485b7/"


def test_qr_code_is_a_small_plain_svg_and_the_same_every_time() -> None:
    svg = qr_codes.qr_svg(URL)
    assert svg == qr_codes.qr_svg(URL)
    assert svg.startswith(b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ')  # no XML declaration, no size
    assert b"<?xml" not in svg and b"class=" not in svg and b"\n" not in svg
    assert b'fill="#fff"' in svg  # an opaque background: readable on a muted certificate
    assert len(svg) < 3500, len(svg)
    assert svg != qr_codes.qr_svg(URL.replace("0470", "0471"))


def test_qr_codes_are_one_generator_beside_each_badge_page() -> None:
    assert qr_codes.generate in GENERATORS
    assert Layout.credential_qr("abc") == Layout.credential_page("abc") + "qr.svg"


def test_build_writes_each_badge_pages_qr_code(example_site: Path) -> None:
    pages = sorted(example_site.glob("credentials/*/index.html"))
    assert len(pages) == len(list(example_site.glob("credentials/*.json"))) > 30  # one per credential
    sizes = []
    for page in pages:
        qr = page.parent / "qr.svg"
        assert qr.read_bytes() == qr_codes.qr_svg(
            f"https://badges.northwind-academy.example/{qr.parent.relative_to(example_site).as_posix()}/"
        )
        sizes.append(qr.stat().st_size)
    assert max(sizes) < 3500, max(sizes)
    for page in pages:
        html = page.read_text("utf-8")
        assert '<img class="qr" src="qr.svg"' in html


def test_criteria_summary_is_plain_text_cut_at_a_clause() -> None:
    criteria = (
        "To earn this badge the learner:\n\n"
        "- completed **six** weekly workshops (about 15 hours of study);\n"
        "- produced a set of at least four charts answering a stated question, with titles, labelled axes "
        "and colour-blind-safe palettes;\n"
        "- gave a five-minute presentation of their findings to the cohort and answered questions from a tutor.\n"
    )
    assert plain_text(criteria).startswith("To earn this badge the learner: completed six weekly workshops")
    short = summary(criteria)
    assert len(short) <= 280
    assert short == (
        "To earn this badge the learner: completed six weekly workshops (about 15 hours of study); produced a set "
        "of at least four charts answering a stated question, with titles, labelled axes and colour-blind-safe "
        "palettes…"
    )


def test_criteria_summary_keeps_short_text_whole_and_cuts_long_words_cleanly() -> None:
    assert summary("Passed the *final* exam.") == "Passed the final exam."
    assert summary("<b>raw</b> & text") == "<b>raw</b> & text"  # raw HTML is text, as on the page
    cut = summary("word " * 100)
    assert cut.endswith("word…") and len(cut) <= 280
    assert summary("x" * 1000) == "x" * 279 + "…"
    assert summary(None) == ""


def test_criteria_summary_is_linear() -> None:
    # A long run of one character: rfind and the parser are single passes.
    assert re.fullmatch(r"\[+…", summary("[" * 200_000))
