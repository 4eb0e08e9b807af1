"""Stacks: which learners completed which stacks, and the stacked credentials that follows.

For every learner (``Recipient.identity``) and every stack (an achievement with
``requires``), the rule is evaluated on each day one of the learner's component
credentials was earned, in order, counting only components valid on that day:
earned by then, not revoked, not expired, and (with ``within``) earned no longer
than that period before it. The first such day is the completion date; the
stacked credential's ``awardedDate`` is that day, which is when its last counted
component was earned.

Stacked credentials the lock says were issued are found again by their
fingerprint (stack, learner, completion date: ``Award.fingerprint``). One whose
rule no longer holds on its completion date (a component revoked or edited away)
is revoked by cascade, and the lock records it, so the revocation is permanent.
A learner who completes the stack again gets a new credential (a new completion
date is a new fingerprint). Stacks are evaluated components first, so a stack
can count another stack's credentials.

The sweep over a learner's days keeps the usable credentials of each component in
heaps, so each learner costs O(k log k) plus one rule evaluation per day.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from ..content.lock import Lock, award_key
from ..content.model import Achievement, Award, Model, Recipient, Requirement, Revocation
from ..dates import add_duration, day_label
from .credential import valid_until


@dataclass(frozen=True)
class StackAward:
    """One stacked credential: its award, the component awards it lists, and what this build did."""

    award: Award  # stacked=True; revoked when the rule stopped holding (cascade)
    components: tuple[Award, ...]  # what satisfied the rule, in the rule's order
    new: bool = False  # first issued by this build
    newly_revoked: bool = False  # revoked by cascade in this build


@dataclass(frozen=True)
class Eligible:
    """A learner who completed a stack with ``auto_award: false`` and does not hold it yet."""

    name: str
    stack: Achievement
    completed: datetime


@dataclass
class StackCount:
    """What one stack's summary line counts."""

    complete: int = 0  # learners whose rule holds today
    awarded: int = 0  # stacked credentials issued by this build
    revoked: int = 0  # stacked credentials revoked by cascade (ever)
    newly_revoked: int = 0
    eligible: int = 0


@dataclass
class StackOutcome:
    """Every stacked credential (issued before or now), the eligible learners and the counts."""

    awards: list[StackAward] = field(default_factory=list)
    eligible: list[Eligible] = field(default_factory=list)
    counts: dict[str, StackCount] = field(default_factory=dict)

    def keys(self) -> set[str]:
        """The lock keys of every stacked credential."""
        return {award_key(s.award) for s in self.awards}

    def report(self, model: Model) -> list[str]:
        """One summary line per stack, then one line per eligible learner (build and check print them)."""
        lines = []
        for slug, count in self.counts.items():
            stack = model.achievements[slug]
            parts = [f"{count.complete} complete"]
            if stack.auto_award:
                parts.append(f"{count.awarded} auto-awarded this build")
            revoked = f"{count.revoked} revoked by cascade"
            parts.append(revoked + (f" ({count.newly_revoked} this build)" if count.newly_revoked else ""))
            if not stack.auto_award:
                parts.append(f"{count.eligible} eligible")
            lines.append(f"{stack.name}: " + ", ".join(parts))
        for e in self.eligible:
            lines.append(f"eligible: {e.name} for {e.stack.name} ({e.stack.slug}), complete on {e.completed.date()}")
        return lines


def stack_order(model: Model) -> list[Achievement]:
    """The stacks, each after every stack it requires (the content check refused cycles)."""
    order: list[Achievement] = []
    done: set[str] = set()
    for root in model.achievements.values():
        pending = [(root, False)]
        while pending:
            achievement, expanded = pending.pop()
            if achievement.slug in done:
                continue
            if expanded:
                done.add(achievement.slug)
                if achievement.requires:
                    order.append(achievement)
                continue
            pending.append((achievement, True))
            pending.extend((model.achievements[s], False) for s in reversed(achievement.stack) if s not in done)
    return order


def evaluate(model: Model, lock_entries: Mapping[str, dict[str, Any]]) -> StackOutcome:
    """Every stack for every learner: stacked credentials (old and new), cascades, eligibility."""
    holdings: dict[str, dict[str, list[Award]]] = {}
    for award in model.awards:
        holdings.setdefault(award.recipient.identity, {}).setdefault(award.achievement, []).append(award)
    outcome = StackOutcome()
    for stack in stack_order(model):
        count = outcome.counts.setdefault(stack.slug, StackCount())
        for held in holdings.values():
            creds = [a for slug in stack.stack for a in held.get(slug, ())]
            if not creds:
                continue
            found = _learner(model, stack, held, creds, lock_entries, outcome, count)
            if found:
                held.setdefault(stack.slug, []).extend(s.award for s in found)
                outcome.awards.extend(found)
    return outcome


def _learner(
    model: Model,
    stack: Achievement,
    held: dict[str, list[Award]],
    creds: list[Award],
    lock_entries: Mapping[str, dict[str, Any]],
    outcome: StackOutcome,
    count: StackCount,
) -> list[StackAward]:
    """One learner's stacked credentials of *stack*; updates the counts and eligible list."""
    valid_days = _sweep(model, stack, creds, ignore_revoked=False)
    names = _recipients(creds)
    as_issued: dict[datetime, list[Award] | None] | None = None
    found: list[StackAward] = []
    for moment in names:
        candidate = _stacked_award(stack, names[moment], moment)
        entry = lock_entries.get(award_key(candidate))
        if entry is None:
            continue
        selection = valid_days.get(moment)
        stored = entry.get("revoked")
        if selection is not None and stored is None:
            found.append(StackAward(candidate, tuple(selection)))
            continue
        if as_issued is None:
            as_issued = _sweep(model, stack, creds, ignore_revoked=True)
        components = tuple(as_issued.get(moment) or ())
        if stored is not None:
            revocation = Revocation(date.fromisoformat(stored["date"]), stored["reason"])
            found.append(StackAward(replace(candidate, revoked=revocation), components))
        else:
            revocation = _cascade(model, moment, components)
            found.append(StackAward(replace(candidate, revoked=revocation), components, newly_revoked=True))
            count.newly_revoked += 1
        count.revoked += 1
    completion = next(((d, s) for d, s in valid_days.items() if s is not None), None)
    if completion is not None:
        count.complete += 1
    holds = any(s.award.revoked is None for s in found) or any(a.revoked is None for a in held.get(stack.slug, ()))
    if holds:
        return found
    issued = {s.award.awarded for s in found}
    fresh = next(((d, s) for d, s in valid_days.items() if s is not None and d not in issued), None)
    if fresh is None:
        return found
    moment, selection = fresh
    if stack.auto_award:
        found.append(StackAward(_stacked_award(stack, names[moment], moment), tuple(selection), new=True))
        count.awarded += 1
    else:
        outcome.eligible.append(Eligible(names[moment].name, stack, moment))
        count.eligible += 1
    return found


def _recipients(creds: list[Award]) -> dict[datetime, Recipient]:
    """Each day a component was earned, in order -> the learner as the first component
    earned that day names them (one pass, so a learner's many awards stay linear)."""
    found: dict[datetime, Recipient] = {}
    for award in sorted(creds, key=lambda a: a.awarded):  # stable: the first of a day comes first
        found.setdefault(award.awarded, award.recipient)
    return found


def _stacked_award(stack: Achievement, recipient: Recipient, moment: datetime) -> Award:
    """The learner's stacked award of *stack*, completed at *moment* (evidence comes later)."""
    return Award(
        achievement=stack.slug,
        recipient=recipient,
        awarded=moment,
        evidence=(),
        narrative=None,
        expires=None,
        source=stack.source,
        line=None,
        stacked=True,
    )


def _cascade(model: Model, moment: datetime, components: tuple[Award, ...]) -> Revocation:
    """Why a stacked credential falls: the components revoked, on the day the first was revoked."""
    revoked = [a for a in components if a.revoked is not None]
    if not revoked:
        return Revocation(moment.date(), "its components no longer satisfy the stack's rule")
    first = min(revoked, key=lambda a: a.revoked.date if a.revoked else moment.date())
    day = max(first.revoked.date if first.revoked else moment.date(), moment.date())
    names = ", ".join(
        f"{model.achievements[a.achievement].name} (revoked {day_label(a.revoked.date)})" for a in revoked if a.revoked
    )
    return Revocation(day, f"a component credential was revoked: {names}")


def _sweep(
    model: Model, stack: Achievement, creds: list[Award], ignore_revoked: bool
) -> dict[datetime, list[Award] | None]:
    """For each day a component was earned, in order: the components that satisfy the rule on
    that day (None if it does not hold)."""
    rule = stack.requires
    if rule is None:
        return {}
    ordered = sorted(range(len(creds)), key=lambda i: (creds[i].awarded, i))
    ends: list[tuple[datetime, int, int]] = []  # (last moment, 0: dead on it | 1: dead after it, index)
    active: dict[str, list[tuple[float, int]]] = {}  # slug -> max-heap of (earned, index), negated
    dead: set[int] = set()
    results: dict[datetime, list[Award] | None] = {}
    position = 0
    for day in sorted({a.awarded for a in creds}):
        while position < len(ordered) and creds[ordered[position]].awarded <= day:
            i = ordered[position]
            position += 1
            award = creds[i]
            if award.revoked is not None and not ignore_revoked:
                continue
            until = valid_until(award, model.achievements[award.achievement])
            if until is not None:
                heapq.heappush(ends, (until, 0, i))
            if stack.within:
                heapq.heappush(ends, (add_duration(award.awarded, stack.within), 1, i))
            heapq.heappush(active.setdefault(award.achievement, []), (_neg(award.awarded), -i))
        while ends and (ends[0][0] < day or (ends[0][0] == day and ends[0][1] == 0)):
            dead.add(heapq.heappop(ends)[2])

        def pick(slug: str) -> Award | None:
            heap = active.get(slug)
            while heap and -heap[0][1] in dead:
                heapq.heappop(heap)
            return creds[-heap[0][1]] if heap else None

        results[day] = _satisfy(rule, pick)
    return results


def _neg(moment: datetime) -> float:
    return -moment.timestamp()


def _satisfy(rule: Requirement, pick: Callable[[str], Award | None]) -> list[Award] | None:
    """The components that satisfy *rule* (the first N parts that hold, in order), or None."""
    need = len(rule.parts) if rule.count is None else rule.count
    chosen: list[Award] = []
    got = 0
    for part in rule.parts:
        if isinstance(part, str):
            award = pick(part)
            found = None if award is None else [award]
        else:
            found = _satisfy(part, pick)
        if found is None:
            continue
        chosen += [a for a in found if all(a is not c for c in chosen)]
        got += 1
        if got == need:
            return chosen
    return None


def record_cascades(lock: Lock, outcome: StackOutcome) -> None:
    """Write each cascade revocation of this build into its lock entry: it is permanent,
    whatever later happens to the component that caused it."""
    for stacked in outcome.awards:
        revoked = stacked.award.revoked
        if stacked.newly_revoked and revoked is not None:
            entry = lock.entries[award_key(stacked.award)]
            entry["revoked"] = {"date": revoked.date.isoformat(), "reason": revoked.reason}
            lock.changed = True


def falling_with(model: Model, lock_entries: Mapping[str, dict[str, Any]], revoked: Award) -> list[tuple[str, str]]:
    """(credential id, stack name) of every stacked credential that revoking *revoked* would
    revoke by cascade, nested stacks included (``credpress revoke`` says so before it writes)."""
    before = {award_key(s.award) for s in evaluate(model, lock_entries).awards if s.award.revoked}
    marked = replace(revoked, revoked=Revocation(revoked.awarded.date(), "preview"))
    after = evaluate(replace(model, awards=tuple(marked if a is revoked else a for a in model.awards)), lock_entries)
    return [
        (lock_entries[key]["id"], model.achievements[s.award.achievement].name)
        for s in after.awards
        if s.award.revoked and (key := award_key(s.award)) not in before and key in lock_entries
    ]
