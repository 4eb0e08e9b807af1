"""Markdown from content as plain text, for the signed documents' ``description`` fields.

OB 3.0 types ``description`` (Achievement, Profile, Evidence, the credential
itself) as plain text and allows Markdown only in ``narrative`` fields
(OB 3.0 App. B, classes Achievement, Criteria, AchievementSubject; the
``Markdown`` data type): a wallet shows ``description`` as it is, so
``**stack**`` would show its asterisks. The Markdown is rendered and sanitized
exactly as a page shows it (:func:`credpress.site.render.markdown_html`), then
the HTML is read back as text: paragraphs separated by a blank line, list items
one per line ("• " or "1. "), a link as its text followed by its address.
Rendering is linear in the text's length, and so is this reading.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html.parser import HTMLParser

from ..site.render import markdown_html

_BLOCKS = frozenset({"p", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "tr", "hr", "ul", "ol"})
_SPACES = re.compile(r"[ \t\r\n]+")


class _TextReader(HTMLParser):
    """Collects the text of sanitized Markdown HTML, one string per block or list item."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str]] = []  # (separator before it, text)
        self.current: list[str] = []
        self.lists: list[list[int]] = []  # open lists: [number of the next item] or [-1] for bullets
        self.links: list[str | None] = []
        self.link_start: list[int] = []
        self.pre = 0
        self.indent = ""  # before the current list item: two spaces per level of nesting

    def flush(self, separator: str = "\n\n") -> None:
        text = "".join(self.current)
        self.current = []
        text = text.strip("\n") if self.pre else _SPACES.sub(" ", text).strip()
        if text:
            self.blocks.append((separator, self.indent + text))
        self.indent = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS and not (tag == "p" and self.lists):
            self.flush("\n" if self.lists else "\n\n")
        if tag == "pre":
            self.pre += 1
        elif tag in ("ul", "ol"):
            self.lists.append([1 if tag == "ol" else -1])
        elif tag == "li":
            self.flush("\n")
            marker = "• "
            if self.lists and self.lists[-1][0] > 0:
                marker = f"{self.lists[-1][0]}. "
                self.lists[-1][0] += 1
            self.indent = "  " * max(len(self.lists) - 1, 0)
            self.current.append(marker)
        elif tag == "br":
            self.current.append("\n" if self.pre else " ")
        elif tag in ("td", "th"):
            self.current.append(" ")
        elif tag == "a":
            self.links.append(dict(attrs).get("href"))
            self.link_start.append(len(self.current))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.links:
            href, start = self.links.pop(), self.link_start.pop()
            text = "".join(self.current[start:]).strip()
            if href and href.removeprefix("mailto:") != text:
                self.current.append(f" ({href.removeprefix('mailto:')})")
        elif tag == "li":
            self.flush("\n")
        elif tag in ("ul", "ol"):
            self.flush("\n")
            if self.lists:
                self.lists.pop()
        elif tag in _BLOCKS and not (tag == "p" and self.lists):
            self.flush("\n" if tag == "tr" or self.lists else "\n\n")
            if tag == "pre":
                self.pre -= 1

    def handle_data(self, data: str) -> None:
        self.current.append(data)


# Every credential of an achievement carries its description and its issuer's: each is read
# once (a read depends on the text alone, and the text returned is immutable).
@lru_cache(maxsize=4096)
def plain_text(markdown: str) -> str:
    """*markdown* as plain text: no Markdown syntax or HTML, paragraphs and list items kept."""
    if not markdown:
        return ""
    reader = _TextReader()
    reader.feed(str(markdown_html(markdown)))
    reader.close()
    reader.flush()
    text = ""
    for index, (separator, block) in enumerate(reader.blocks):
        # A list item directly after a paragraph or another item goes on the next line.
        text += (separator if index else "") + block
    return text


def one_line(markdown: str, limit: int = 300) -> str:
    """*markdown* as one line of plain text, cut at a word within *limit* characters (meta tags)."""
    text = _SPACES.sub(" ", plain_text(markdown)).strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,;:.") + "…"
