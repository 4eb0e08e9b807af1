"""Verify many credentials: targets (files, folders, URLs) and worker processes.

A folder means every ``*.json`` under it, recursively, that is a
VerifiableCredential: a built site's ``credentials/`` or the whole site. Status
list credentials found that way are skipped (they are checked through the
credentials that point to them), and so are JSON files that are not
credentials (DID documents, achievements, profiles).

Large runs use worker processes (:mod:`credpress.workers`: fork, where the
platform has it; small runs stay in this process). The first
credential is verified in the parent first, so the DID document and status list
it needs are already in the resolver's cache when the workers are forked: they
are fetched once per run, not once per worker.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from .resolve import FetchError, Resolver
from .verify import FAILED, Check, VerificationResult, types_of, verify_credential
from .workers import map_indices


class TargetError(ValueError):
    """A target is neither a file, a folder nor an http(s) URL."""


@dataclass(frozen=True)
class Target:
    source: str  # as shown to people: a path or a URL
    path: Path | None = None
    url: str | None = None
    walked: bool = False  # found in a folder: skipped when it is not a credential


def find_targets(arguments: Iterable[str]) -> list[Target]:
    targets: list[Target] = []
    for argument in arguments:
        if argument.startswith(("https://", "http://")):
            targets.append(Target(argument, url=argument))
            continue
        path = Path(argument)
        if path.is_dir():
            targets += [Target(str(p), path=p, walked=True) for p in _json_files(path)]
        elif path.is_file():
            targets.append(Target(str(path), path=path))
        else:
            raise TargetError(f"{argument}: no such file or folder (nor an https URL)")
    return targets


def _json_files(folder: Path) -> list[Path]:
    # os.walk reads entry types from the directory itself: no stat() per file,
    # which matters for a site with 10,000 credentials (and as many page folders).
    found = []
    for where, _dirs, files in os.walk(folder):
        found += [os.path.join(where, name) for name in files if name.endswith(".json")]
    return [Path(name) for name in sorted(found)]


def _is_credential(document: Any) -> bool:
    if not isinstance(document, dict):
        return False
    types = types_of(document)
    return "VerifiableCredential" in types and "BitstringStatusListCredential" not in types


def verify_target(target: Target, resolver: Resolver, now: datetime, recipient: str | None) -> VerificationResult | None:
    """Load and verify one target; None for a non-credential found in a folder. Never raises."""
    try:
        if target.url is not None:
            document = resolver.fetch_json(target.url)
        else:
            document = json.loads(target.path.read_bytes())  # type: ignore[union-attr]
    except json.JSONDecodeError as exc:
        return _load_failure(target, f"not valid JSON ({exc.msg}, line {exc.lineno})")
    except OSError as exc:
        return _load_failure(target, exc.strerror or str(exc))
    except (ValueError, FetchError) as exc:
        return _load_failure(target, str(exc))
    except RecursionError:  # json.loads on hostile nesting: a verdict, never a traceback
        return _load_failure(target, "the JSON is nested too deeply")
    if target.walked and not _is_credential(document):
        return None
    return verify_credential(document, resolver, now, recipient, target.source)


def _load_failure(target: Target, reason: str) -> VerificationResult:
    # A broken .json file in a site may be a truncated credential: report it, never skip it.
    return VerificationResult(target.source, None, (Check("load", FAILED, f"cannot load the credential: {reason}"),))


def _verify_index(state: tuple[list[Target], Resolver, datetime, str | None], index: int) -> VerificationResult | None:
    targets, resolver, now, recipient = state
    return verify_target(targets[index], resolver, now, recipient)


def verify_targets(
    targets: list[Target], resolver: Resolver, now: datetime, recipient: str | None = None, workers: int | None = None
) -> Iterator[VerificationResult]:
    """Verify every target, in order; non-credentials found in folders are left out."""
    position = 0
    # Verify in this process until one credential has warmed the resolver's cache.
    while position < len(targets):
        result = verify_target(targets[position], resolver, now, recipient)
        position += 1
        if result is not None:
            yield result
            break
    rest = targets[position:]
    for result in map_indices(_verify_index, len(rest), (rest, resolver, now, recipient), workers):
        if result is not None:
            yield result


def summary(results: list[VerificationResult]) -> dict[str, int]:
    counts = {"total": len(results), "verified": 0, "failed": 0, "revoked": 0, "expired": 0}
    for result in results:
        counts[result.status] += 1
    return counts
