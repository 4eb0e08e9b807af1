"""The renderer's shortcuts give what the plain way gives, byte for byte and object for object."""

from __future__ import annotations

import random
import re

import pytest

from credpress.site.render import strip_indentation


def _regex_strip(html: str) -> str:
    """strip_indentation as it was: one MULTILINE regex."""
    if "<pre" in html or "<textarea" in html:
        return html
    return re.sub(r"(?m)^[ \t]+", "", html)


@pytest.mark.parametrize(
    "html",
    [
        "",
        " ",
        "\n",
        "  \t<a>\n",
        "<div>\n    <p>a\n\t  b</p>\n</div>\n",
        "\n\n  \n\t\n x",
        "a\r\n  b\r  c\n\r  d",  # only "\n" starts a line for the regex
        "a\n\u00a0 b\n\u2003c\n\x0b d\n\x0c e",  # other white space is kept
        "x  \n  y  ",
        "<pre>\n  kept</pre>",
        "  <textarea>\n  z</textarea>",
    ],
)
def test_strip_indentation_is_the_regex(html):
    assert strip_indentation(html) == _regex_strip(html)


def test_strip_indentation_is_the_regex_on_random_text():
    rng = random.Random(7)
    alphabet = [" ", " ", "\t", "\n", "\n", "\r", "\x0b", "\u00a0", "a", "<", "p", "é"]
    for _ in range(3000):
        html = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert strip_indentation(html) == _regex_strip(html), repr(html)
