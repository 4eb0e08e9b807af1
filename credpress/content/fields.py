"""Field checkers for content files: each takes a YAML value and returns it cleaned.

A checker raises :class:`Invalid` with a message that says what is wrong; the
checking engine (:mod:`.checker`) adds the file, line and field.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
import string
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any
from urllib.parse import quote

import idna

from ..dates import parse_duration
from ..vc import multibase
from ..vc.recipient import normalise_email


class Invalid(Exception):
    """A field's value is wrong; the message says why."""


# --- Checkers: each takes a YAML value and returns the cleaned value or raises Invalid.

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Characters that show nothing, so two names that look the same can differ: Unicode's
# Default_Ignorable_Code_Point (UCD DerivedCoreProperties.txt, Unicode 16.0; UAX #44 §5.3)
# together with every Bidi_Control character (UAX #9 §2), which it already contains:
# soft hyphen, combining grapheme joiner, Arabic letter mark, Hangul fillers, Khmer
# inherent vowels, Mongolian variation selectors and vowel separator, zero-width and
# bidirectional controls, invisible operators, variation selectors, the byte order
# mark, interlinear annotation, shorthand format and musical format controls, and
# the tag characters (U+E0000-E0FFF).
_INVISIBLE = re.compile(
    "["
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
    "]"
)
# Where an ignorable character is part of how a visible character is written: text or
# emoji presentation after a symbol (UTS #51 §1.4.3), and Mongolian free variation
# selectors after a Mongolian letter (Unicode §13.5).
_EMOJI_SELECTORS = "\ufe0e\ufe0f"
_MONGOLIAN_SELECTORS = "\u180b\u180c\u180d\u180f"


def _invisible(value: str) -> str | None:
    """The first invisible character of *value* that is not part of a visible one, if any."""
    for match in _INVISIBLE.finditer(value):
        char, before = match.group(), value[match.start() - 1] if match.start() else ""
        if char in _EMOJI_SELECTORS and before and unicodedata.category(before) == "So":
            continue
        if char in _MONGOLIAN_SELECTORS and "\u1820" <= before <= "\u18aa":
            continue
        return char
    return None


def text(max_length: int = 200, multiline: bool = False) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise Invalid(f"must be text, not {kind(value)}")
        value = value.strip()
        if not value:
            raise Invalid("must not be empty")
        if len(value) > max_length:
            raise Invalid(f"is longer than {max_length} characters")
        if _CONTROL.search(value.replace("\t", " ") if multiline else value) or (not multiline and "\n" in value):
            raise Invalid("contains control characters")
        hidden = _invisible(value)
        if hidden is not None:
            name = unicodedata.name(hidden, "")
            raise Invalid(f"contains an invisible character (U+{ord(hidden):04X}{' ' + name if name else ''})")
        return value

    return check


def markdown(max_length: int = 20_000) -> Callable[[Any], str]:
    return text(max_length, multiline=True)


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


_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)


def email(value: Any) -> str:
    value = text(254)(value)
    if not _EMAIL.match(value) or ".." in value:
        raise Invalid("not an email address")
    # Normalisation rule (documented in README): trim, then lower-case.
    return normalise_email(value)


_DID = re.compile(r"^did:[a-z0-9]+:[A-Za-z0-9._:%-]*[A-Za-z0-9._%-]$")


def did(value: Any) -> str:
    value = text(500)(value)
    if not _DID.match(value):
        raise Invalid("not a DID (did:method:identifier)")
    return value


def email_hash(value: Any) -> str:
    value = text(100)(value)
    if not re.fullmatch(r"sha256\$[0-9a-fA-F]{64}", value):
        raise Invalid("must be 'sha256$' followed by 64 hex digits")
    return value.lower()


def learner_key(value: Any) -> str:
    value = text(100)(value)
    if not re.fullmatch(r"hmac-sha256:[0-9a-f]{64}", value):
        raise Invalid("must be 'hmac-sha256:' followed by 64 lower-case hex digits (written by credpress import)")
    return value


def slug(value: Any) -> str:
    value = text(64)(value)
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", value):
        raise Invalid("must be a slug: lower-case letters, digits and hyphens")
    return value


def choice(*allowed: str, extension: bool = False) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        value = text(100)(value)
        if value in allowed or (extension and re.fullmatch(r"ext:[A-Za-z0-9]+", value)):
            return value
        hint = difflib.get_close_matches(value, allowed, 1)
        raise Invalid(f"'{value}' is not one of the allowed values" + (f" (did you mean '{hint[0]}'?)" if hint else ""))

    return check


def number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Invalid(f"must be a number, not {kind(value)}")
    if not 0 <= value <= 10_000:
        raise Invalid("must be between 0 and 10000")
    return float(value)


def language(value: Any) -> str:
    value = text(35)(value)
    if not re.fullmatch(r"[a-zA-Z]{2,3}(-[A-Za-z0-9]{1,8})*", value):
        raise Invalid("not a BCP 47 language tag (e.g. en, en-GB)")
    return value


def date_value(value: Any) -> date:
    if isinstance(value, datetime):
        raise Invalid("must be a date (YYYY-MM-DD), not a date and time")
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise Invalid(f"'{value}' is not a valid date (YYYY-MM-DD)") from None
    if not isinstance(value, date):
        raise Invalid(f"must be a date (YYYY-MM-DD), not {kind(value)}")
    _check_year(value.year)
    return value


def moment(value: Any) -> datetime:
    """A date or a date-time; naive times are UTC. Returns an aware UTC datetime."""
    if isinstance(value, str):
        raw = value.strip()
        try:
            value = (
                datetime.fromisoformat(raw.replace("Z", "+00:00"))
                if "T" in raw or " " in raw
                else date.fromisoformat(raw)
            )
        except ValueError:
            raise Invalid(f"'{raw}' is not a valid date or date-time (YYYY-MM-DD)") from None
    if isinstance(value, datetime):
        result = value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
    elif isinstance(value, date):
        result = datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    else:
        raise Invalid(f"must be a date (YYYY-MM-DD), not {kind(value)}")
    _check_year(result.year)
    return result.replace(microsecond=0)


def _check_year(year: int) -> None:
    if not 1970 <= year <= 2200:
        raise Invalid(f"year {year} is out of range (1970-2200)")


MAX_DURATION_YEARS = 100  # an expiry further out than this is a typo, and would overflow dates


def duration(value: Any) -> str:
    """An ISO 8601 duration (ISO 8601-1 §5.5.2.4) of years, months, weeks and days, at most 100 years."""
    value = text(30)(value)
    parsed = parse_duration(value)
    if parsed is None:
        raise Invalid("not an ISO 8601 duration of years, months, weeks or days (e.g. P2Y, P18M)")
    years, months, weeks, days = parsed
    if years + months / 12 + (weeks * 7 + days) / 365.25 > MAX_DURATION_YEARS:
        raise Invalid(f"is longer than {MAX_DURATION_YEARS} years (P{MAX_DURATION_YEARS}Y at most)")
    return value


def multikey(value: Any) -> str:
    value = text(100)(value)
    try:
        multibase.decode_public_key(value)
    except ValueError as exc:
        raise Invalid(str(exc)) from None
    return value


def kind(value: Any) -> str:
    """How a value reads in a message: "a list", "text", "nothing"…"""
    if value is None:
        return "nothing"
    for kind, label in (
        (bool, "true/false"),
        (dict, "a mapping"),
        (list, "a list"),
        (str, "text"),
        ((int, float), "a number"),
        (datetime, "a date and time"),
        (date, "a date"),
    ):
        if isinstance(value, kind):
            return label
    return type(value).__name__


def flag(value: Any) -> bool:
    """true or false (YAML booleans only: ``yes`` or ``1`` is a probable mistake)."""
    if not isinstance(value, bool):
        raise Invalid(f"must be true or false, not {kind(value)}")
    return value


def as_written(value: Any) -> Any:
    """The YAML value unchanged, for a field read by its own parser (a stack's ``requires``)."""
    return value


def digits(value: Any) -> str:
    value = str(value).strip() if isinstance(value, (int, str)) and not isinstance(value, bool) else None
    if not value or not value.isdigit():
        raise Invalid("must be the numeric LinkedIn organization id")
    return value
