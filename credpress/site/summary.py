"""Short plain-text summaries of Markdown, for the printed certificate.

A printed badge page has room for a few lines of criteria, not the whole list:
the criteria as plain text on one line, cut at the end of a sentence or clause
(or, failing that, of a word) and marked with an ellipsis. Linear in the text.
"""

from __future__ import annotations

from html.parser import HTMLParser

from .render import markdown_html

# Elements after which text continues as a new phrase ("learner: completed…; passed…").
_BLOCKS = {"p", "li", "br", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "td", "th", "hr"}
# Where a cut reads cleanly, best first; a cut must keep at least half the room.
_STOPS = (". ", "; ", ": ", ", ")


class _Text(HTMLParser):
    """The text of sanitized HTML, a space wherever a block ends."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_endtag(tag)


def plain_text(markdown_text: str | None) -> str:
    """Markdown as one line of plain text: what a reader sees, without markup."""
    parser = _Text()
    parser.feed(str(markdown_html(markdown_text)))
    parser.close()
    return " ".join("".join(parser.parts).split())


def summary(markdown_text: str | None, limit: int = 280) -> str:
    """At most *limit* characters of the text of *markdown_text*, cut cleanly.

    Text that fits is whole. Longer text is cut at the last sentence or clause end
    that keeps at least half of *limit* (else after the last whole word), its
    punctuation replaced by "…".
    """
    text = plain_text(markdown_text)
    if len(text) <= limit:
        return text
    room = text[: limit - 1]
    ends = (room.rfind(stop) for stop in _STOPS)
    end = next((end for end in ends if end >= limit // 2), room.rfind(" "))
    cut = room[:end] if end > 0 else room
    return cut.rstrip(",;:. ") + "…"
