"""Field checkers for content files: each takes a YAML value and returns it cleaned.

A checker raises :class:`Invalid` with a message that says what is wrong; the
checking engine (:mod:`.checker`) adds the file, line and field.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from datetime import date, datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from ..dates import parse_duration
from ..vc import multibase
from ..vc.recipient import normalise_email


class Invalid(Exception):
    """A field's value is wrong; the message says why."""


# --- Checkers: each takes a YAML value and returns the cleaned value or raises Invalid.

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


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
        if _INVISIBLE.search(value):
            raise Invalid("contains invisible (zero-width or bidirectional) characters")
        return value

    return check


def markdown(max_length: int = 20_000) -> Callable[[Any], str]:
    return text(max_length, multiline=True)


def url(value: Any) -> str:
    value = text(2000)(value)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise Invalid("must be an http(s) URL")
    if parts.username or parts.password:
        raise Invalid("must not contain a user name or password")
    return value


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


def duration(value: Any) -> str:
    value = text(30)(value)
    if parse_duration(value) is None:
        raise Invalid("not an ISO 8601 duration of years, months, weeks or days (e.g. P2Y, P18M)")
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


def digits(value: Any) -> str:
    value = str(value).strip() if isinstance(value, (int, str)) and not isinstance(value, bool) else None
    if not value or not value.isdigit():
        raise Invalid("must be the numeric LinkedIn organization id")
    return value
