"""The credentials a CLR 2.0 ``ClrCredential`` embeds, each verified on its own.

A learner record (``ClrSubject.verifiableCredential``) carries complete,
individually signed credentials. The record's own proof signs the embedding,
but a relying party needs to know which of the credentials inside is genuine,
so each one goes through every check of :func:`credpress.verify.checks.verify_credential`
with its own proofs, key, status and dates (CLR 2.0 App. B, class ClrSubject,
``verifiableCredential``: complete, individually signed credentials).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

MAX_EMBEDDED = 1000  # a record of one site's credentials; more is not a learner record


def embedded_credentials(document: dict[str, Any]) -> list[Any]:
    """The credentials in ``credentialSubject.verifiableCredential`` (one or a list)."""
    subject = document.get("credentialSubject")
    found = subject.get("verifiableCredential") if isinstance(subject, dict) else None
    if found is None:
        return []
    return found if isinstance(found, list) else [found]


def verify_embedded(document: dict[str, Any], source: str, verify: Callable[[Any, str], Any]) -> tuple[Any, ...]:
    """A result for every embedded credential: *verify*(credential, source) for each, in order."""
    found = embedded_credentials(document)[:MAX_EMBEDDED]
    return tuple(verify(credential, f"{source} › verifiableCredential[{i}]") for i, credential in enumerate(found))


def summary(results: tuple[Any, ...]) -> tuple[bool, str, list[str]]:
    """(all genuine, message, one line per credential): revoked and expired credentials are
    genuine but are counted; a failed one fails the record's ``embedded`` check."""
    lines = [f"{r.credential_id or r.source}: {r.status}" for r in results]
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    words = ", ".join(f"{n} {status}" for status, n in counts.items())
    total = f"{len(results)} embedded credential{'s' if len(results) != 1 else ''}"
    return "failed" not in counts and bool(results), f"{total}: {words or 'none'}", lines
