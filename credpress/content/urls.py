"""URLs from content that end up in signed documents: one reading every verifier agrees on.

The URL Standard and RFC 3986 differ at the edges; a URL one JSON-LD processor
reads differently from another signs different bytes, so only what both read
the same way passes: absolute http(s) URLs, ASCII hosts (IDN turned into
IDNA/UTS #46 form), valid ports, no user names, no dot segments, and no
characters either standard leaves open to interpretation.
"""

from __future__ import annotations

import ipaddress
import re
import string
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import idna

from .fields import Invalid, text

# RFC 3986 §2.2-2.3: unreserved and sub-delims, plus the gen-delims each component may
# hold. Any other ASCII character (space, "<>\^`{|} and the like) is not allowed in
# a URL; a non-ASCII one is percent-encoded as UTF-8 (URL Standard §4.4 path state).
_UNRESERVED_SUBDELIMS = frozenset(string.ascii_letters + string.digits + "-._~!$&'()*+,;=")
_PATH_CHARS = _UNRESERVED_SUBDELIMS | frozenset(":@/%")  # RFC 3986 §3.3
_QUERY_CHARS = _PATH_CHARS | frozenset("?")  # RFC 3986 §3.4, §3.5
_HOST_CHARS = frozenset(string.ascii_lowercase + string.digits + "-._")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


@dataclass(frozen=True)
class ParsedUrl:
    """An absolute http(s) URL, split and normalised (scheme and host lower-case, host in ASCII)."""

    scheme: str
    host: str
    port: int | None
    path: str
    query: str | None
    fragment: str | None
    ip: bool  # the host is an IPv4 or IPv6 address

    def __str__(self) -> str:
        port = f":{self.port}" if self.port is not None else ""
        query = f"?{self.query}" if self.query is not None else ""
        fragment = f"#{self.fragment}" if self.fragment is not None else ""
        return f"{self.scheme}://{self.host}{port}{self.path}{query}{fragment}"


def parse_url(value: str) -> ParsedUrl:
    """Parse an absolute http(s) URL the way the URL Standard and RFC 3986 agree on.

    Raises :class:`Invalid` for anything a mainstream parser would read differently
    or refuse: a space, a character that must be percent-encoded, a user name, a bad
    port or IPv6 literal, a dot segment. An international host becomes its IDNA ASCII
    form and other non-ASCII characters are percent-encoded as UTF-8, as browsers do.
    """
    scheme = _SCHEME.match(value)
    if not scheme or scheme.group(1).lower() not in ("http", "https"):
        raise Invalid("must be an http(s) URL")
    rest = value[scheme.end() :]
    if rest.startswith(("\\", "/\\", "\\/")):
        raise Invalid("contains a backslash '\\' (use '/')")
    if not rest.startswith("//"):
        raise Invalid("must be an absolute http(s) URL (scheme://host/path)")
    for char in value:
        if char.isspace():
            raise Invalid("contains a space (write it as %20)")
    rest = rest[2:]
    end = min((rest.find(c) for c in "/?#" if c in rest), default=len(rest))
    authority, rest = rest[:end], rest[end:]
    rest, hash_, fragment = rest.partition("#")
    path, question, query = rest.partition("?")
    host, port, ip = _authority(authority, scheme.group(1).lower())
    if any(s in (".", "..") for s in _unquote_lower(path).split("/")):
        raise Invalid("has a '.' or '..' path segment (write the path without them)")
    return ParsedUrl(
        scheme=scheme.group(1).lower(),
        host=host,
        port=port,
        path=_component(path, _PATH_CHARS, "path"),
        query=_component(query, _QUERY_CHARS, "query") if question else None,
        fragment=_component(fragment, _QUERY_CHARS, "fragment") if hash_ else None,
        ip=ip,
    )


def _unquote_lower(path: str) -> str:
    return path.replace("%2e", ".").replace("%2E", ".")  # URL Standard §4.1 double-dot segment


def _component(text: str, allowed: frozenset[str], name: str) -> str:
    """A path, query or fragment: ASCII characters checked, others percent-encoded (RFC 3987 §3.1)."""
    out = []
    for char in text:
        if char in allowed:
            out.append(char)
        elif char == "\\":
            raise Invalid(f"contains a backslash '\\' in its {name} (use '/' or write it as %5C)")
        elif ord(char) < 128:
            raise Invalid(
                f"contains '{char}' in its {name}, which is not allowed in a URL (write it as %{ord(char):02X})"
            )
        else:
            out.append(quote(char, safe=""))
    if _PERCENT.search(text):
        raise Invalid(f"has a '%' in its {name} that is not followed by two hex digits (write a literal % as %25)")
    return "".join(out)


def _authority(authority: str, scheme: str) -> tuple[str, int | None, bool]:
    """(host, port, is an IP address) of an authority, per RFC 3986 §3.2 and the URL Standard §3."""
    if "@" in authority:
        raise Invalid("must not contain a user name or password ('@' before the host)")
    if "\\" in authority:
        raise Invalid("contains a backslash '\\' (use '/')")
    if authority.startswith("["):
        literal, bracket, after = authority[1:].partition("]")
        try:
            if not bracket or "%" in literal:
                raise ValueError
            host = f"[{ipaddress.IPv6Address(literal).compressed}]"
        except ValueError:
            raise Invalid(f"has an IPv6 address that does not parse ('{authority}')") from None
        if after and not after.startswith(":"):
            raise Invalid(f"has text after the IPv6 address ('{after}')")
        port_text: str | None = after[1:] if after else None
        ip = True
    else:
        host, colon, port_text_ = authority.partition(":")
        port_text = port_text_ if colon else None
        host, ip = _host(host)
    port = None
    if port_text is not None:
        if not port_text:
            raise Invalid("has an empty port after ':' (remove the ':')")
        if not port_text.isascii() or not port_text.isdigit():
            raise Invalid(f"port '{port_text}' is not a number")
        port = int(port_text)
        if not 1 <= port <= 65535:
            raise Invalid(f"port {port} is out of range (1-65535)")
        if port == {"http": 80, "https": 443}[scheme]:
            port = None  # URL Standard §4.4: the scheme's default port is not serialised
    return host, port, ip


def _host(host: str) -> tuple[str, bool]:
    """A host name in lower-case ASCII (IDNA, UTS #46), or a dotted IPv4 address."""
    if not host:
        raise Invalid("has no host name")
    if not host.isascii():
        try:
            host = idna.encode(host, uts46=True, transitional=False).decode("ascii")
        except idna.IDNAError as exc:
            raise Invalid(f"host '{host}' is not a valid international domain name ({exc})") from None
    host = host.lower()
    for char in host:
        if char not in _HOST_CHARS:
            raise Invalid(f"host '{host}' contains '{char}', which is not allowed in a host name")
    labels = host.removesuffix(".").split(".")
    if "" in labels:
        raise Invalid(f"host '{host}' has an empty label ('..')")
    # URL Standard §3.5 "ends in a number checker": such a host must be an IPv4 address.
    if re.fullmatch(r"\d+|0x[0-9a-f]*", labels[-1]):
        try:
            return str(ipaddress.IPv4Address(host.removesuffix("."))), True
        except ValueError:
            raise Invalid(f"host '{host}' ends in a number but is not an IPv4 address") from None
    return host, False


def url(value: Any) -> str:
    """An absolute http(s) URL (see :func:`parse_url`), in its normalised form."""
    return str(parse_url(text(2000)(value)))


# did:web §2.5.1 turns each path segment into a DID segment, which may only hold these
# characters unencoded (DID 1.0 §3.1 idchar); keeping to them means the DID, its document's
# URL and base_url read the same to every resolver, whether it percent-decodes or not.
_DID_SEGMENT = re.compile(r"[A-Za-z0-9._-]+")


def base_url(value: Any) -> str:
    """The site's base URL: https, a host name, a clean folder path; normalised, ending in '/'."""
    raw = text(2000)(value)
    scheme = _SCHEME.match(raw)
    if not scheme or scheme.group(1).lower() != "https":
        raise Invalid("must be an https URL (verifiers require TLS for did:web)")
    parts = parse_url(raw)
    if parts.query is not None or parts.fragment is not None:
        raise Invalid("must not have a query or fragment ('?' or '#')")
    if parts.ip:
        raise Invalid("must use a host name, not an IP address (did:web)")
    segments = parts.path.split("/")[1:] if parts.path else [""]
    if "" in segments[:-1]:
        raise Invalid("has an empty path segment ('//')")
    for segment in segments[:-1] + ([segments[-1]] if segments[-1] else []):
        if re.search(r"%2f", segment, re.IGNORECASE):
            raise Invalid("has an encoded '/' (%2F) in its path, which did:web cannot express")
        if not _DID_SEGMENT.fullmatch(segment):
            raise Invalid(f"path segment '{segment}' may only use letters, digits, '-', '.' and '_' (did:web)")
    port = f":{parts.port}" if parts.port is not None else ""
    return f"https://{parts.host}{port}{parts.path.removesuffix('/')}/"
