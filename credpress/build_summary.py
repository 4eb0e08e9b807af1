"""What a build did, in numbers: the summary ``credpress build`` ends with.

Counts compare this build's signed credentials with the previous build's (the
build cache remembers the SHA-256 of each credential's JSON; without it, the
previous output folder's files are read). Expiry is counted as of the build's
clock: the summary may depend on the clock, the output never does.

Other features add to it: ``stacks_awarded`` (new stacked credentials) and
``lines`` (one line of text per extra fact worth telling the provider).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .dates import timestamp
from .documents.credential import valid_until
from .documents.record import CredentialRecord

NEW_URLS_SHOWN = 10  # the URLs of new credentials are listed when there are at most this many


@dataclass(frozen=True)
class Previous:
    """What the previous build published: credential id -> (SHA-256 of its JSON, revoked?)."""

    credentials: Mapping[str, tuple[str, bool]]
    known: bool = True  # False: no cache and no previous output; every credential is new


@dataclass
class BuildSummary:
    """Counts of one build, and the lines other features add."""

    credentials: int = 0
    files: int = 0
    new: int = 0
    changed: int = 0  # signed bytes differ from the previous build's
    unchanged: int = 0
    revoked: int = 0  # revoked credentials published by this build
    newly_revoked: int = 0  # of which revoked since the previous build
    expired: int = 0  # as of `as_of`
    as_of: str = ""  # the build's clock, UTC
    stacks_awarded: int = 0  # stacked credentials new in this output (issued now, or first published now)
    warnings: int = 0
    new_urls: list[str] = field(default_factory=list)  # only when there are at most NEW_URLS_SHOWN new ones
    lines: list[str] = field(default_factory=list)  # extra lines other features add

    def as_dict(self) -> dict[str, Any]:
        """The summary as JSON-ready data (``credpress build --json``)."""
        return asdict(self)

    def text(self) -> list[str]:
        """The summary as lines of text for a person."""
        out = [
            f"{self.credentials} credentials: {self.new} new, {self.changed} changed, {self.unchanged} unchanged",
            f"{self.revoked} revoked ({self.newly_revoked} since the previous build), "
            f"{self.expired} expired as of {self.as_of}",
            f"{self.stacks_awarded} of the new ones stacked (awarded for a completed stack), {self.warnings} warnings, {self.files} files",
        ]
        out += [f"new: {url}" for url in self.new_urls]
        return out + list(self.lines)


def signed_digest(data: bytes) -> str:
    """How the summary compares two builds' copies of a credential: SHA-256 of its JSON bytes."""
    return hashlib.sha256(data).hexdigest()


def previous_from_output(out: Path, records: Iterable[CredentialRecord]) -> Previous:
    """What the previous output folder *out* holds of *records* (no cache to ask).

    Revocation is not read back from the status list: a credential found there counts as
    revoked before if it is revoked now (so without the cache, nothing is "newly" revoked).
    """
    found: dict[str, tuple[str, bool]] = {}
    if not (Path(out) / "credentials").is_dir():
        return Previous({}, known=False)
    for record in records:
        try:
            data = (Path(out) / record.json_path).read_bytes()
            found[record.credential_id] = (signed_digest(data), record.award.revoked is not None)
        except OSError:
            continue
    return Previous(found)


def summarize(
    records: Iterable[CredentialRecord],
    digests: Mapping[str, str],
    previous: Previous,
    now: datetime,
    files: int,
    warnings: int,
) -> BuildSummary:
    """The summary of a build that published *records* (whose JSON digests are *digests*)."""
    summary = BuildSummary(files=files, warnings=warnings, as_of=timestamp(now))
    new_urls = []
    for record in records:
        summary.credentials += 1
        before = previous.credentials.get(record.credential_id)
        if before is None:
            summary.new += 1
            new_urls.append(record.url)
            if record.stacked:  # issued by this build because its learner completed a stack
                summary.stacks_awarded += 1
        elif before[0] != digests[record.credential_id]:
            summary.changed += 1
        else:
            summary.unchanged += 1
        if record.award.revoked is not None:
            summary.revoked += 1
            if before is not None and not before[1]:
                summary.newly_revoked += 1
            elif before is None and previous.known:
                summary.newly_revoked += 1
        until = valid_until(record.award, record.achievement)
        if until is not None and until <= now:
            summary.expired += 1
    summary.new_urls = new_urls if len(new_urls) <= NEW_URLS_SHOWN else []
    return summary
