"""Descriptions in signed JSON are plain text; Markdown stays only in narrative fields."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from credpress.documents.plain_text import one_line, plain_text

# What Markdown syntax leaves behind when shown as text.
MARKDOWN_LEFTOVERS = re.compile(r"\*\*|__|(?<!\w)[*_]\w[^*_\n]*[*_](?!\w)|\[[^\]]*\]\([^)]*\)|^#+ |`", re.MULTILINE)


@pytest.mark.parametrize(
    ("markdown", "text"),
    [
        ("The learner can do **alpha** things.", "The learner can do alpha things."),
        ("Acme teaches *practical* and _useful_ skills.", "Acme teaches practical and useful skills."),
        ("See [the rubric](https://example.org/a_b) now.", "See the rubric (https://example.org/a_b) now."),
        ("Mail <badges@example.org>.", "Mail badges@example.org."),
        ("First line\nsame paragraph.\n\nSecond.", "First line same paragraph.\n\nSecond."),
        (
            "Steps:\n\n- one\n- two\n    - nested\n\n1. first\n2. second",
            "Steps:\n• one\n• two\n  • nested\n1. first\n2. second",
        ),
        ("### Heading\n\n`snake_case` code", "Heading\n\nsnake_case code"),
        ("Raw <b>html</b> & <script>x</script> stays text", "Raw <b>html</b> & <script>x</script> stays text"),
        ("Link [text](javascript:alert(1))", "Link text"),
        ("", ""),
    ],
)
def test_plain_text(markdown: str, text: str) -> None:
    assert plain_text(markdown) == text


def test_plain_text_depends_on_the_text_alone() -> None:
    """plain_text is remembered per text: a read leaves nothing behind that changes the next one."""
    texts = ["1. a\n2. b", "- x\n    - y", "[l](https://e.org)", "```\ncode\n```", "1. a\n2. b", "- x\n    - y"]
    first = [plain_text.__wrapped__(t) for t in texts]
    assert [plain_text.__wrapped__(t) for t in reversed(texts)] == first[::-1]
    assert [plain_text(t) for t in texts] == first


def test_one_line_cuts_at_a_word() -> None:
    assert one_line("**Bold** start\n\n" + "word " * 100, 40) == "Bold start word word word word word…"
    assert one_line("short *text*") == "short text"


def _descriptions(value: object, path: str = "") -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "description" and isinstance(item, str):
                found.append((f"{path}.{key}", item))
            found += _descriptions(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _descriptions(item, f"{path}[{index}]")
    return found


def test_every_published_description_is_plain_text(example_site: Path) -> None:
    files = sorted(example_site.rglob("*.json"))
    descriptions = [
        (f"{p.relative_to(example_site)}{where}", d)
        for p in files
        for where, d in _descriptions(json.loads(p.read_text()))
    ]
    assert len(descriptions) > 50
    markdown_left = [(where, d) for where, d in descriptions if MARKDOWN_LEFTOVERS.search(d)]
    assert not markdown_left
    # The example's Markdown really had emphasis, and criteria narratives keep their Markdown.
    issuer = json.loads((example_site / "issuers/northwind-data-academy/profile.json").read_text())
    assert "designed to stack: each" in issuer["description"]
    achievement = json.loads((example_site / "achievements/python-foundations.json").read_text())
    assert achievement["criteria"]["narrative"].startswith("To earn this badge the learner:\n\n- completed")
    assert "Certificate in Applied Data Analysis." in achievement["description"]
