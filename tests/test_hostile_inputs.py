"""Hostile inputs cost linear work: counted, not timed (bench/hostile_inputs.py times them).

The dropped-term check expands a document a constant number of times, however many
JSON paths it has; Markdown link parsing scans each character a bounded number of
times, however many ``[`` there are.
"""

from __future__ import annotations

import itertools
import random
import re

import markdown
import pytest

from credpress.site import render

# --- Markdown ------------------------------------------------------------------


@pytest.fixture
def scanned(monkeypatch) -> list[int]:
    """Characters examined by link-text parsing, summed over every call."""
    total = [0]
    original = render._bounded_link_text

    def counting(self, data, index):
        text, end, handled = original(self, data, index)
        total[0] += end - index
        return text, end, handled

    monkeypatch.setattr(render, "_bounded_link_text", counting)
    render.markdown_html.cache_clear()
    yield total
    render.markdown_html.cache_clear()


@pytest.mark.parametrize("unit", ["[", "[a ", "![", "[[]"], ids=["run", "spaced", "images", "unbalanced"])
def test_link_parsing_work_is_linear_in_the_brackets(scanned, unit: str):
    work = []
    for count in (2000, 4000):
        scanned[0] = 0
        render.markdown_html(unit * count + "x")
        work.append(scanned[0])
    # Doubling the input doubles the characters scanned (unbounded it quadruples:
    # a run of n "[" cost about n²/2 steps per link pattern).
    assert 0 < work[1] <= 2.1 * work[0]
    assert work[1] <= 6 * (render.MAX_LINK_BRACKET_DEPTH + 2) * len(unit) * 4000  # six link patterns at most


def _plain_markdown(text: str) -> str:
    html = markdown.markdown(text, extensions=["sane_lists", render._RawHtmlAsText()], output_format="html")
    return str(
        render.nh3.clean(
            html,
            tags=render._ALLOWED_TAGS,
            attributes={"a": {"href", "title"}},
            url_schemes={"http", "https", "mailto"},
            link_rel="noopener noreferrer nofollow",
        )
    )


def test_ordinary_markdown_renders_exactly_as_before():
    pieces = [
        "[",
        "]",
        "(https://example.org/a)",
        "!",
        "text ",
        "[ref]",
        "\n\n[ref]: https://example.org/r\n",
        "`[`",
        "\\[",
        "*em*",
        "[a [b] c](https://example.org/n)",
    ]
    rng = random.Random(9)
    samples = ["".join(rng.choice(pieces) for _ in range(rng.randrange(1, 25))) for _ in range(400)]
    samples += ["[" * n + "x" + "]" * n + "(https://example.org/d)" for n in range(1, render.MAX_LINK_BRACKET_DEPTH)]
    for text in itertools.chain(samples):
        assert str(render.markdown_html(text)) == _plain_markdown(text), text


# --- JSON-LD: the dropped-term and safe-mode checks expand a constant number of times

CREDENTIAL = {
    "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
    "id": "https://example.com/credentials/1",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {"id": "https://example.edu/issuers/1", "type": ["Profile"], "name": "Example"},
    "validFrom": "2010-01-01T00:00:00Z",
    "name": "Badge",
    "credentialSubject": {
        "type": ["AchievementSubject"],
        "achievement": {
            "id": "https://example.com/achievements/1",
            "type": ["Achievement"],
            "criteria": {"narrative": "Done."},
            "description": "A badge.",
            "name": "Badge",
        },
    },
}


def _credential(evidence: int, **changes) -> dict:
    import copy

    document = copy.deepcopy(CREDENTIAL)
    document["evidence"] = [
        {"id": f"https://example.com/e/{i}", "type": ["Evidence"], "name": f"Work {i}"} for i in range(evidence)
    ]
    for where, value in changes.items():
        target = document
        *path, last = where.split("__")
        for step in path:
            target = target[int(step)] if step.isdigit() else target[step]
        target[last] = value
    return document


@pytest.fixture
def expansions(monkeypatch) -> list[int]:
    from credpress.vc.processor import MemoProcessor

    count = [0]
    original = MemoProcessor.expand

    def counting(self, *args, **kwargs):
        count[0] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(MemoProcessor, "expand", counting)
    return count


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"credentialSubject__nickname": "Ada"}, "JSON-LD would drop credentialSubject.nickname"),
        ({"evidence__0__id": "foo bar"}, "evidence[0].id (relative @id reference 'foo bar')"),
        ({"evidence__0__type": ["Evidence", "Sample"]}, "evidence[0].type (relative @type reference 'Sample')"),
    ],
)
def test_refusing_a_document_costs_two_expansions_whatever_its_size(expansions, changes, message):
    from credpress.errors import JsonLdError
    from credpress.vc import jsonld

    for size in (2, 50, 200):
        expansions[0] = 0
        with pytest.raises(JsonLdError, match=re.escape(message)):
            jsonld.canonize(_credential(size, **changes), via="pyld")
        # the old search re-expanded the document once per JSON path: ~4 * size + 30 times
        assert expansions[0] == 2
        # the shape route first tries the document's shape once (two expansions more), then pyld's
        expansions[0] = 0
        with pytest.raises(JsonLdError, match=re.escape(message)):
            jsonld.canonize(_credential(size, **changes), via="shapes")
        assert expansions[0] <= 4


def test_a_sound_document_is_expanded_once(expansions):
    from credpress.vc import jsonld

    jsonld.canonize(_credential(50), via="pyld")
    assert expansions[0] == 1
