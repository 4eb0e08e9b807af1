"""``credpress import``: a roster of learners becomes awards of one achievement.

Nothing is written unless every row is good. By default no plain email address
enters the repository: each award gets a salted ``email_hash`` (its own salt, drawn
here, as the credential publishes it: OB 3.0 App. B IdentityObject) and the
learner key of :func:`credpress.vc.recipient.learner_key`, which is the same in
every award of the learner so stacks and duplicate checks still recognise them
(``Recipient.identity``), and which no credential publishes.
"""

from __future__ import annotations

import difflib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..errors import ContentError, OutputError, Problem
from ..output.buildlock import BuildLock
from ..output.writer import atomic_write
from ..vc.recipient import email_identity, learner_key
from .check import build_model
from .fields import Invalid, moment
from .load import YAML_SUFFIXES, load_content
from .lock import draw_salt
from .model import Award, Model
from .roster import RosterRow, read_roster
from .yaml_append import CommentedMap, NotAList, YAMLError, append_items, mapping, quoted, text_block

RandomBytes = Callable[[int], bytes]
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass
class ImportOptions:
    """What to import, from where, into which file."""

    roster: Path
    achievement: str
    content: Path = Path("content")
    awarded: str | None = None  # for rows without an awarded column: a date or date-time
    out: str | None = None  # relative to the content folder; default awards/<roster name>.yaml
    keep_emails: bool = False
    random_bytes: RandomBytes = secrets.token_bytes


@dataclass
class ImportResult:
    """What the import did: the file written (None if nothing was new) and what it skipped."""

    path: Path | None
    display: str
    added: int
    skipped: list[Problem] = field(default_factory=list)  # rows already awarded: notices, not errors
    warnings: list[Problem] = field(default_factory=list)


def import_roster(options: ImportOptions) -> ImportResult:
    """Check the roster and the content, then append the new awards to one awards file.

    Holds the repository's build lock, like every command that edits the content.
    """
    with BuildLock(Path(options.content).absolute().parent, "import"):
        return _import(options)


def _import(options: ImportOptions) -> ImportResult:
    content = Path(options.content)
    model = _model(content)
    display_roster = str(options.roster)
    rows, problems, warnings = read_roster(options.roster, display_roster, options.awarded is not None)
    problems += _achievement_problem(model, options.achievement)
    if options.awarded is not None:
        try:
            moment(options.awarded)
        except Invalid as exc:
            problems.append(Problem("--awarded", None, "", str(exc)))
    target, display = _target(content, options)
    new_rows, skipped = _new_rows(model, options, rows, display_roster, problems)
    if problems:
        raise ContentError(problems, warnings)
    if not new_rows:
        return ImportResult(None, display, 0, skipped, warnings)
    items = [_award_yaml(model, options, row) for row in new_rows]
    existing = target.read_text("utf-8") if target.exists() else None
    try:
        text = append_items(existing, items, f"Imported from {Path(options.roster).name} with `credpress import`")
    except (NotAList, YAMLError) as exc:
        raise ContentError([Problem(display, None, "", f"cannot add awards to it: {exc}")], warnings) from None
    _write_checked(content, target, display, text, existing)
    return ImportResult(target, display, len(items), skipped, warnings)


def _model(content: Path) -> Model:
    loaded = load_content(content)
    model, problems, warnings = build_model(loaded)
    if problems or model is None:
        raise ContentError(problems, warnings)
    return model


def _achievement_problem(model: Model, slug: str) -> list[Problem]:
    if slug in model.achievements:
        return []
    hint = difflib.get_close_matches(slug, list(model.achievements), 1)
    suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
    return [Problem("--achievement", None, "", f"unknown achievement '{slug}'{suggestion}")]


def _target(content: Path, options: ImportOptions) -> tuple[Path, str]:
    """The awards file to append to: under content/awards/, a .yaml name."""
    rel = options.out or f"awards/{Path(options.roster).stem}.yaml"
    target = content / rel
    display = f"{content.name}/{rel}"
    awards = (content / "awards").resolve()
    if not target.name.endswith(YAML_SUFFIXES) or not target.resolve().is_relative_to(awards):
        raise ContentError(
            [Problem(display, None, "--out", "must be a .yaml file under awards/ in the content folder")]
        )
    return target, display


def _identities(row: RosterRow, base_url: str) -> tuple[str, ...]:
    """Every form in which the content may already name this row's learner."""
    if row.did:
        return ("did:" + row.did,)
    assert row.email is not None
    return ("learner:" + learner_key(row.email, base_url), "email:" + row.email)


def _new_rows(
    model: Model, options: ImportOptions, rows: list[RosterRow], display: str, problems: list[Problem]
) -> tuple[list[RosterRow], list[Problem]]:
    """Rows not yet awarded; a learner already awarded is a notice, twice in the roster an error.

    One dictionary lookup per row: learners recorded as ``email_hash`` without a
    learner key are not recognised (that would mean hashing every row with every salt).
    """
    awarded: dict[str, Award] = {a.recipient.identity: a for a in model.awards if a.achievement == options.achievement}
    seen: dict[str, int] = {}
    new, skipped = [], []
    for row in rows:
        forms = _identities(row, model.site.base_url)
        earlier = next((seen[f] for f in forms if f in seen), None)
        if earlier is not None:
            problems.append(
                Problem(display, row.row, "email" if row.email else "did", f"same learner as row {earlier}")
            )
            continue
        seen.update(dict.fromkeys(forms, row.row))
        held = next((awarded[f] for f in forms if f in awarded), None)
        if held is not None:
            where = f"{held.source}:{held.line}"
            skipped.append(Problem(display, row.row, "", f"{row.name} already has {options.achievement} ({where})"))
            continue
        new.append(row)
    return new, skipped


def _award_yaml(model: Model, options: ImportOptions, row: RosterRow) -> CommentedMap:
    """The award of *row* as a YAML mapping, in the order the README documents."""
    if row.did:
        recipient = mapping([("name", row.name), ("did", row.did)])
    elif options.keep_emails:
        recipient = mapping([("name", row.name), ("email", row.email)])
    else:
        assert row.email is not None
        salt = draw_salt(options.random_bytes)  # per credential, so two credentials cannot be linked
        recipient = mapping(
            [
                ("name", row.name),
                ("email_hash", email_identity(row.email, salt)),
                ("salt", quoted(salt)),
                ("learner", learner_key(row.email, model.site.base_url)),
            ]
        )
    raw = (row.awarded_text if row.awarded is not None else options.awarded) or ""
    # A date is written as a YAML date; a date-time as the text given (the loader reads both).
    awarded: object = date.fromisoformat(raw.strip()) if _DATE.fullmatch(raw.strip()) else raw.strip()
    evidence = [mapping([("name", "Evidence"), ("url", row.evidence_url)])] if row.evidence_url else None
    return mapping(
        [
            ("achievement", options.achievement),
            ("recipient", recipient),
            ("awarded", awarded),
            ("evidence", evidence),
            ("narrative", text_block(row.narrative) if row.narrative else None),
        ]
    )


def _write_checked(content: Path, target: Path, display: str, text: str, existing: str | None) -> None:
    """Write the awards file, then reload the content: on any problem, put it back."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(target, text)
    except OSError as exc:
        raise OutputError(f"could not write {display}: {exc.strerror or exc}; nothing was changed") from None
    model, problems, _ = build_model(load_content(content))
    if problems or model is None:
        if existing is None:
            target.unlink()
        else:
            atomic_write(target, existing)
        raise ContentError(problems + [Problem(display, None, "", "import undone: the file was restored")])
