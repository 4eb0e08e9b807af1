"""Reading a roster: the CSV a spreadsheet exports, checked row by row.

A roster has a header row and one row per learner. Columns are found by name
(case-insensitive, trimmed; ``Evidence URL`` is ``evidence_url``): ``name`` and
``email`` (or ``did``), and optionally ``awarded``, ``evidence_url`` and
``narrative``. What spreadsheets export is accepted: UTF-8 with or without a byte
order mark, ``,`` ``;`` or tab separators (RFC 4180 §2 describes the comma form;
Excel uses ``;`` where the comma is the decimal separator), CRLF or LF line
ends, and quoted fields holding separators, quotes or line breaks.

Every field goes through the same checker as the content files
(:mod:`.fields`), and every problem is reported at once as
``roster.csv:ROW: column: message``, where ROW is the row number a spreadsheet
shows (the header is row 1).
"""

from __future__ import annotations

import csv
import difflib
import io
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import ContentError, Problem
from .fields import Invalid, did, email, markdown, moment, text
from .urls import url

# A roster is a spreadsheet of learners; anything larger is a mistake.
MAX_ROSTER_BYTES = 20 * 1024 * 1024
SEPARATORS = (",", ";", "\t")
COLUMNS = ("name", "email", "did", "awarded", "evidence_url", "narrative")

_CHECKERS: dict[str, Any] = {
    "name": text(),
    "email": email,
    "did": did,
    "awarded": moment,
    "evidence_url": url,
    "narrative": markdown(5000),
}


@dataclass(frozen=True)
class RosterRow:
    """One learner's row, checked: exactly one of *email* and *did* identifies them."""

    row: int  # as a spreadsheet numbers it: the header is row 1
    name: str
    email: str | None  # normalised (trimmed, lower-case)
    did: str | None
    awarded: datetime | None  # UTC; None: the --awarded date applies
    awarded_text: str | None  # as written, for the YAML
    evidence_url: str | None
    narrative: str | None


def separator(header_line: str) -> str:
    """The separator the header row uses: whichever of ``,`` ``;`` and tab it holds
    most often outside quotes (a one-column roster reads as comma-separated)."""
    counts = dict.fromkeys(SEPARATORS, 0)
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(SEPARATORS, key=lambda s: counts[s])
    return best if counts[best] else ","


_ALIASES = {"e_mail": "email", "email_address": "email", "e_mail_address": "email", "evidence": "evidence_url"}


def column_name(header: str) -> str:
    """A header cell as a column name: trimmed, lower-case, spaces and hyphens as ``_``
    (``E-mail`` and ``Email address`` are ``email``)."""
    name = "_".join(header.strip().lower().replace("-", " ").split())
    return _ALIASES.get(name, name)


def read_text(path: Path, display: str) -> str:
    """The roster's text (UTF-8, a byte order mark dropped); ContentError if unreadable."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_ROSTER_BYTES + 1)
    except OSError as exc:
        raise ContentError([Problem(display, None, "", f"cannot read it: {exc.strerror or exc}")]) from None
    if len(data) > MAX_ROSTER_BYTES:
        raise ContentError([Problem(display, None, "", f"larger than {MAX_ROSTER_BYTES // 2**20} MB")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ContentError(
            [Problem(display, line, "", "not UTF-8 text: export the spreadsheet as 'CSV UTF-8'")]
        ) from None


def read_roster(
    path: Path, display: str | None = None, default_awarded: bool = False
) -> tuple[list[RosterRow], list[Problem], list[Problem]]:
    """The good rows of the roster at *path*, the problems of the others (every one), and
    warnings (columns it ignores). ContentError only when the file cannot be read at all.

    A row without an ``awarded`` date is an error unless *default_awarded* (``--awarded``).
    """
    display = display or str(path)
    content = read_text(Path(path), display)
    first_line = content.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=separator(first_line), strict=True)
    problems: list[Problem] = []
    warnings: list[Problem] = []
    rows: list[RosterRow] = []
    try:
        header = next(reader, None)
        if header is None:
            raise ContentError([Problem(display, None, "", "the roster is empty: it needs a header row")])
        columns = _columns(header, display, problems, warnings)
        for number, cells in enumerate(reader, start=2):
            if any(cell.strip() for cell in cells[len(header) :]):
                problems.append(Problem(display, number, "", f"more fields than the header's {len(header)} columns"))
                continue
            row = _row(number, cells, columns, display, problems, default_awarded)
            if row is not None:
                rows.append(row)
    except csv.Error as exc:
        problems.append(Problem(display, reader.line_num, "", f"not readable as CSV: {exc}"))
    return rows, problems, warnings


def _columns(header: list[str], display: str, problems: list[Problem], warnings: list[Problem]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = column_name(cell)
        if not name:
            continue
        if name not in COLUMNS:
            hint = difflib.get_close_matches(name, COLUMNS, 1)
            known = f"did you mean '{hint[0]}'?" if hint else f"the columns read are {', '.join(COLUMNS)}"
            warnings.append(Problem(display, 1, name, f"unknown column, ignored ({known})"))
        elif name in columns:
            problems.append(Problem(display, 1, name, "this column appears twice"))
        else:
            columns[name] = index
    if "name" not in columns:
        problems.append(Problem(display, 1, "name", "the header has no name column"))
    if "email" not in columns and "did" not in columns:
        problems.append(Problem(display, 1, "email", "the header has no email column"))
    return columns


def _row(
    number: int, cells: list[str], columns: dict[str, int], display: str, problems: list[Problem], default_awarded: bool
) -> RosterRow | None:
    if not any(cell.strip() for cell in cells):
        return None  # an empty row, as spreadsheets export below the data
    values: dict[str, Any] = {}
    before = len(problems)
    for name, index in columns.items():
        cell = cells[index].replace("\r\n", "\n").replace("\r", "\n") if index < len(cells) else ""
        raw = unicodedata.normalize("NFC", cell).strip()
        if not raw:
            continue
        try:
            values[name] = _CHECKERS[name](raw)
        except Invalid as exc:
            problems.append(Problem(display, number, name, str(exc)))
        if name == "awarded":
            values["awarded_text"] = raw
    if "name" in columns and "name" not in values and not any(p.field == "name" for p in problems[before:]):
        problems.append(Problem(display, number, "name", "missing"))
    if not default_awarded and "awarded" not in values and not any(p.field == "awarded" for p in problems[before:]):
        problems.append(Problem(display, number, "awarded", "missing: add an awarded column or give --awarded"))
    identified = "email" in columns or "did" in columns
    if identified and "email" not in values and "did" not in values and len(problems) == before:
        problems.append(Problem(display, number, "email", "missing (give an email address or a did)"))
    if len(problems) > before or "name" not in values or ("email" not in values and "did" not in values):
        return None
    return RosterRow(
        row=number,
        name=values["name"],
        email=None if "did" in values else values.get("email"),
        did=values.get("did"),
        awarded=values.get("awarded"),
        awarded_text=values.get("awarded_text"),
        evidence_url=values.get("evidence_url"),
        narrative=values.get("narrative"),
    )
