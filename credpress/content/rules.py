"""Rules that span content files: references between them, and stacks."""

from __future__ import annotations

from .checker import Checker
from .load import LoadedContent
from .model import Achievement, Award, Issuer


def check_references(
    checker: Checker, loaded: LoadedContent, issuers: dict[str, Issuer], achievements: dict[str, Achievement]
) -> None:
    """Every issuer and achievement slug a file names exists; stacks are one level deep."""
    for achievement in achievements.values():
        data = loaded.achievements[achievement.slug].data
        if achievement.issuer not in issuers and achievement.issuer not in loaded.issuers:
            checker.error(achievement.source, data.lines["issuer"], "issuer", f"unknown issuer '{achievement.issuer}'")
        for i, part in enumerate(achievement.stack):
            line = data["stack"].lines[i]
            if part == achievement.slug:
                checker.error(achievement.source, line, f"stack[{i}]", "an achievement cannot stack into itself")
            elif part not in achievements and part not in loaded.achievements:
                checker.error(achievement.source, line, f"stack[{i}]", f"unknown achievement '{part}'")
            elif part in achievements and achievements[part].stack:
                checker.error(
                    achievement.source,
                    line,
                    f"stack[{i}]",
                    f"'{part}' has a stack of its own; stacks are one level deep",
                )


def check_stacks(checker: Checker, awards: list[Award], achievements: dict[str, Achievement]) -> None:
    """Warn when a stacked achievement is awarded to someone missing a part of it."""
    held: dict[str, set[str]] = {}
    for award in awards:
        held.setdefault(award.recipient.identity, set()).add(award.achievement)
    for award in awards:
        stack = achievements[award.achievement].stack
        if any(part not in achievements for part in stack):
            continue  # a part has errors of its own, already reported
        missing = [part for part in stack if part not in held[award.recipient.identity]]
        if missing:
            checker.warn(
                award.source,
                award.line,
                "achievement",
                f"recipient does not hold {', '.join(missing)} from the stack of '{award.achievement}'",
            )
