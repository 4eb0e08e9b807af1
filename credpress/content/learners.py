"""Learner records: who opted in (``public_record``), and their entries in the lock.

A learner who sets ``public_record: true`` on their recipient (in any award)
gets one learner record (a CLR 2.0 ``ClrCredential``) per issuer they hold
credentials from. Like a credential, a record has a lock entry drawn once
(``id``, ``salt``, ``status_index``), keyed ``record-`` + a hash of the issuer
and the learner's identity, so its URL never reveals the email.

Rules, on top of the lock's own (:mod:`credpress.content.lock`):

- a record the lock says was issued never disappears silently: if its learner
  still holds awards of that issuer but no award says ``public_record`` any
  more, the build stops and asks for ``true`` (keep it) or ``false`` (withdraw);
- ``public_record: false`` withdraws the record: its entry becomes an erased
  entry (``erased-<id>``: id and status bit kept and retired for good, the
  learner's hash dropped), so its bit is set in the issuer's status list and
  its files are no longer published. Revocation cannot be undone (Bitstring
  Status List §2.1, ``revocation``), so opting in again draws a new record;
- a learner with no award of the issuer left (every credential erased) has
  their record withdrawn the same way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from ..errors import ContentError, Problem
from .checker import Checker
from .lock import LOCK_NAME, RECORD_PREFIX, Assignment, Lock, draw_entry, is_erased
from .model import Award, Model
from .status_index import full_message

WITHDRAWN_REASON = "learner record withdrawn (public_record: false or no award left)"


def check_public_record(checker: Checker, awards: list[Award]) -> None:
    """A learner's ``public_record`` must say the same in every award that gives it."""
    first: dict[str, Award] = {}
    for award in awards:
        choice = award.recipient.public_record
        if choice is None:
            continue
        other = first.setdefault(award.recipient.identity, award)
        if other.recipient.public_record != choice:
            checker.error(
                award.source,
                award.line,
                "recipient.public_record",
                f"is {str(choice).lower()} here but {str(other.recipient.public_record).lower()} at "
                f"{other.source}:{other.line}: a learner's choice must be the same in all their awards",
            )


@dataclass(frozen=True)
class Learner:
    """One learner's awards from one issuer, and their choice about a public record."""

    issuer: str  # issuer slug
    identity: str  # Recipient.identity
    awards: tuple[Award, ...]  # in content order
    public_record: bool | None

    @property
    def key(self) -> str:
        """The record's key in the lock."""
        return record_key(self.issuer, self.identity)


def record_key(issuer: str, identity: str) -> str:
    """``record-`` + a hash of issuer and identity: the lock key of a learner's record."""
    digest = hashlib.sha256("\0".join(("v1", "record", issuer, identity)).encode("utf-8")).hexdigest()
    return RECORD_PREFIX + digest[:32]


def learners(model: Model) -> list[Learner]:
    """Every (issuer, learner) pair of the content, in order of first award."""
    grouped: dict[tuple[str, str], list[Award]] = {}
    choice: dict[str, bool] = {}
    for award in model.awards:
        issuer = model.achievements[award.achievement].issuer
        grouped.setdefault((issuer, award.recipient.identity), []).append(award)
        if award.recipient.public_record is not None:
            choice[award.recipient.identity] = award.recipient.public_record
    return [Learner(issuer, ident, tuple(found), choice.get(ident)) for (issuer, ident), found in grouped.items()]


def assign_records(
    lock: Lock, model: Model, random_bytes: Callable[[int], bytes], frozen: bool, today: date
) -> dict[str, Assignment]:
    """The record assignment of every opted-in learner (lock key -> values).

    Draws entries for new records and withdraws records whose learner withdrew
    or left; refuses (ContentError) a record whose learner stopped saying.
    """
    everyone = {learner.key: learner for learner in learners(model)}
    problems, withdraw = [], []
    for key, entry in lock.entries.items():
        if not key.startswith(RECORD_PREFIX) or is_erased(entry):
            continue
        learner = everyone.get(key)
        if learner is None or learner.public_record is False:
            withdraw.append((key, learner.issuer if learner else _issuer_of(lock, key, model)))
        elif learner.public_record is None:
            first = learner.awards[0]
            problems.append(
                Problem(
                    lock.display,
                    lock.lines.get(key),
                    "",
                    f"learner record {entry['id']} was published for the learner of {first.source}:{first.line}, "
                    "but none of their awards says public_record any more: add `public_record: true` to keep it, "
                    "or `public_record: false` to withdraw it (it is then revoked)",
                )
            )
    wanted = [learner for learner in everyone.values() if learner.public_record]
    new = [learner for learner in wanted if learner.key not in lock.entries]
    if frozen and (new or withdraw):
        problems += [_frozen(lock, learner.awards[0]) for learner in new]
        problems += [_frozen(lock, None, lock.lines.get(key)) for key, _ in withdraw]
    if problems:
        raise ContentError(problems)
    for key, issuer in withdraw:
        lock.erase(key, today, WITHDRAWN_REASON, issuer)
    used_ids = {entry["id"] for entry in lock.entries.values()}
    used_indexes = lock.index_pool()
    if len(new) > (room := used_indexes.room()):
        first = new[room].awards[0]  # the first record that does not fit
        raise ContentError([Problem(first.source, first.line, "", f"learner record: {full_message(len(new) - room)}")])
    for learner in new:
        lock.entries[learner.key] = draw_entry(random_bytes, used_ids, used_indexes)
        lock.changed = True
    return {learner.key: Assignment.of(lock.entries[learner.key]) for learner in wanted}


def _issuer_of(lock: Lock, key: str, model: Model) -> str:
    """The issuer of a record whose learner left the content: the only issuer, or refuse."""
    if len(model.issuers) == 1:
        return next(iter(model.issuers))
    raise ContentError(
        [
            Problem(
                lock.display,
                lock.lines.get(key),
                "",
                f"learner record {lock.entries[key]['id']}: its learner has no award left, and with several "
                f"issuers credpress cannot tell whose status list revokes it; erase it with "
                f"`credpress erase {lock.entries[key]['id']} --reason … --issuer SLUG`",
            )
        ]
    )


def _frozen(lock: Lock, award: Award | None, line: int | None = None) -> Problem:
    where = (award.source, award.line) if award else (lock.display, line)
    return Problem(
        *where,
        "",
        f"learner record not in {LOCK_NAME} as it should be (built with --frozen); run "
        f"`credpress build` without --frozen and commit {lock.display}",
    )
