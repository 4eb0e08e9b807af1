"""What ``credpress verify`` tells people: a sentence per credential, a summary, an exit status.

The sentence says who was awarded what by whom, and whether to trust it. A name
is shown as the issuer's only beside the domain that signed (``issuer_domain``);
a credential that did not verify only "claims" its names, in quotes. Every name
comes from an untrusted document, so control, format (bidirectional) and line
separator characters are shown as escapes and long names are cut: a credential
cannot write lines of its own into the report.
"""

from __future__ import annotations

import unicodedata

from .checks import VerificationResult
from .results import NOT_RECIPIENT_CODE

# Exit statuses, documented in README "Verification" and in ``credpress verify --help``.
EXIT_GENUINE = 0  # every credential verified
EXIT_FAILED = 1  # forged, tampered, unknown key, unreadable, or not issued to --recipient
EXIT_USAGE = 2  # click's usage errors
EXIT_WITHDRAWN = 3  # all genuine, but some revoked or expired (a failure above wins)

MAX_NAME = 200
MARKS = {"passed": "✓", "failed": "✗", "skipped": "–"}
_UNSAFE = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}


def shown(text: str, limit: int | None = MAX_NAME) -> str:
    """*text* safe to print on one terminal line: unsafe characters escaped, at most *limit* shown."""
    cut = text if limit is None else text[:limit]
    safe = "".join(f"\\u{ord(c):04x}" if unicodedata.category(c) in _UNSAFE else c for c in cut)
    return safe + ("…" if len(cut) < len(text) else "")


def _quoted(text: str | None, fallback: str) -> str:
    return f"“{shown(text)}”" if text else fallback


def learner_words(result: VerificationResult) -> str:
    """The learner, as a sentence names them."""
    if result.learner:
        return shown(result.learner)
    if result.learner_identity == "a hashed email":
        return "a learner identified by a hashed email"
    if result.learner_identity:
        return f"the learner identified by {shown(result.learner_identity)}"
    return "an unnamed learner"


def issuer_words(result: VerificationResult) -> str:
    """The issuer's name and verified domain: "Northwind Data Academy (badges.northwind-academy.example)"."""
    domain = result.issuer_domain
    if result.issuer_name and domain:
        return f"{shown(result.issuer_name)} ({domain})"
    return domain or _quoted(result.issuer_name, "an unnamed issuer")


def sentence(result: VerificationResult, recipient: str | None = None) -> str:
    """One sentence: who was awarded what by whom, and whether to trust it."""
    if not any(c.id != "load" for c in result.checks):
        return "Not verified: this could not be read as a credential."
    status, learner = result.status, learner_words(result)
    achievement = _quoted(result.achievement, "an unnamed achievement")
    domain = result.issuer_domain
    if status == "failed" or not domain or domain.startswith("unknown key"):
        claimed = _quoted(result.issuer_name, "an unnamed issuer")
        if status != "failed":
            return (
                f"Genuine signature, but by an unknown key (did:key), which anyone can make and which names "
                f"no organisation: it says {learner} was awarded {achievement} by {claimed}. Do not rely on the name."
            )
        failed = ", ".join(c.id for c in result.checks if c.failed)
        return f"Not verified ({failed} failed): it claims {learner} was awarded {achievement} by {claimed}. Do not rely on it."
    said = f"{learner} was awarded {achievement} by {issuer_words(result)}"
    if status == NOT_RECIPIENT_CODE:
        return f"Genuine, but not issued to {shown(recipient or 'that email')}: {said}."
    if status == "revoked":
        return f"Genuine but revoked: {said}, who has withdrawn it."
    if status == "expired":
        return f"Genuine but expired: {said}; it is no longer valid."
    return f"Genuine: {said}."


def result_lines(result: VerificationResult, recipient: str | None = None) -> list[str]:
    """Every line printed for one credential."""
    lines = [f"{result.source}: {result.status.upper()}", "  " + sentence(result, recipient)]
    if result.credential_id:
        found = f" (found in {result.found_in})" if result.found_in else ""
        lines.append(f"  credential: {shown(result.credential_id)}{found}")
    lines += [f"  {MARKS[c.result]} {c.id}: {shown(c.message, None)}" for c in result.checks]
    for inner in result.embedded:  # a learner record's credentials (CLR 2.0), each on its own
        lines += ["  " + line for line in result_lines(inner, recipient)]
    if result.hint:
        lines.append(f"  hint: {result.hint}")
    return lines


def summary_line(counts: dict[str, int], recipient: str | None = None) -> str:
    """ "32 credentials: 31 genuine, 1 revoked, 0 expired, 0 failed" (and not issued to --recipient)."""
    total = counts["total"]
    parts = [f"{counts['verified']} genuine", *(f"{counts[k]} {k}" for k in ("revoked", "expired", "failed"))]
    if recipient is not None:
        parts.append(f"{counts[NOT_RECIPIENT_CODE]} not issued to {shown(recipient)}")
    return f"{total} credential{'s' if total != 1 else ''}: {', '.join(parts)}"


def exit_status(counts: dict[str, int]) -> int:
    """0 all genuine, 1 any failure (or none found), 3 genuine but some revoked or expired."""
    if not counts["total"] or counts["failed"] or counts[NOT_RECIPIENT_CODE]:
        return EXIT_FAILED
    return EXIT_WITHDRAWN if counts["revoked"] or counts["expired"] else EXIT_GENUINE
