"""Field checkers for content files: each takes a YAML value and returns it cleaned.

A checker raises :class:`Invalid` with a message that says what is wrong; the
checking engine (:mod:`.checker`) adds the file, line and field.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, timezone
from typing import Any

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
