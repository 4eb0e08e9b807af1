"""Verify many credentials: targets (files, folders, URLs) and worker processes.

A folder means every ``*.json`` under it, recursively, that is a
VerifiableCredential: a built site's ``credentials/`` or the whole site. Status
list credentials found that way are skipped (they are checked through the
credentials that point to them), and so are JSON files that are not
credentials (DID documents, achievements, profiles). A badge page folder (its
``index.html`` links one credential) means that credential.

A file or URL may hold a credential's JSON, a badge page that links it
(:mod:`.page`) or a baked PNG or SVG badge (:mod:`.baked`); what it is is read
from its first bytes, not its name.

Large runs use worker processes (:mod:`credpress.workers`: fork, where the
platform has it; small runs stay in this process). The first
credential is verified in the parent first, so the DID document and status list
it needs are already in the resolver's cache when the workers are forked: they
are fetched once per run, not once per worker.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from ..workers import map_indices
from .baked import MAX_BADGE_BYTES, is_png, unbake
from .checks import VerificationResult, verify_credential
from .claims import types_of
from .fetch import MAX_BYTES, FetchError, Resolver
from .jsondoc import JsonDocumentError, load_json
from .localsite import base_url, is_credpress_output, local_hint, site_root
from .page import PageError, credential_link, looks_like_html
from .results import FAILED, STATUSES, Check


class TargetError(ValueError):
    """A target is neither a file, a folder nor an http(s) URL."""


@dataclass(frozen=True)
class Target:
    """Something to verify: a file, or a URL."""

    source: str  # as shown to people: a path or a URL
    path: Path | None = None
    url: str | None = None
    walked: bool = False  # found in a folder: skipped when it is not a credential


def find_targets(arguments: Iterable[str]) -> list[Target]:
    """The targets named on the command line (a folder means every JSON file in it)."""
    targets: list[Target] = []
    for argument in arguments:
        if argument.startswith(("https://", "http://")):
            targets.append(Target(argument, url=argument))
            continue
        path = Path(argument)
        if path.is_dir() and _is_badge_page(path / "index.html"):
            targets.append(Target(str(path), path=path / "index.html"))
        elif path.is_dir():
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


def _is_badge_page(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
        return looks_like_html(data) and bool(credential_link(data, path.resolve().as_uri()))
    except (OSError, PageError):
        return False


def _is_credential(document: Any) -> bool:
    if not isinstance(document, dict):
        return False
    types = types_of(document)
    return "VerifiableCredential" in types and "BitstringStatusListCredential" not in types


def verify_target(
    target: Target, resolver: Resolver, now: datetime, recipient: str | None
) -> VerificationResult | None:
    """Load and verify one target; None for a non-credential found in a folder. Never raises.

    A file is read like a fetched document (:func:`.jsondoc.load_json`): at most
    ``MAX_BYTES`` of JSON, I-JSON, nested at most 64 levels, so one hostile file gives
    a failed result for itself and every other file is still verified.
    """
    found_in = None
    try:
        if target.url is not None and urlsplit(target.url).path.endswith(".json"):
            document = resolver.fetch_json(target.url)
        elif target.url is not None:
            document, found_in = _from_bytes(resolver.fetch_bytes(target.url), target.url, resolver)
        elif target.path is not None:
            document, found_in = _from_bytes(_read_file(target.path), target.path.resolve().as_uri(), resolver)
        else:
            raise ValueError("a target is a file or a URL")
    except OSError as exc:
        return _load_failure(target, exc.strerror or str(exc), resolver)
    except (ValueError, FetchError) as exc:  # JsonDocumentError, PageError and BakedError are ValueErrors
        return _load_failure(target, str(exc), resolver)
    except RecursionError:  # load_json bounds depth; this is the last line of defence
        return _load_failure(target, "nested too deeply", resolver)
    if target.walked and not _is_credential(document):
        return None
    result = verify_credential(document, resolver, now, recipient, target.source)
    return replace(result, found_in=found_in, hint=_hint(target, result, resolver))


def _read_file(path: Path) -> bytes:
    with path.open("rb") as handle:
        data = handle.read(MAX_BADGE_BYTES + 1)
    if len(data) > MAX_BADGE_BYTES:
        raise JsonDocumentError(f"larger than {MAX_BADGE_BYTES} bytes")
    return data


def _from_bytes(data: bytes, where: str, resolver: Resolver) -> tuple[Any, str | None]:
    """The credential in *data* (read from *where*, a URL) and where it was found, if not as JSON."""
    if is_png(data):
        return load_json(unbake(data, "png")), "a baked PNG"
    if looks_like_html(data):
        link = credential_link(data, where)
        if urlsplit(link).scheme != "file":
            return resolver.fetch_json(link), f"the badge page, which links {link}"
        page = Path(url2pathname(urlsplit(where).path))
        path = Path(url2pathname(urlsplit(link).path)).resolve()
        # A local page may link only inside its own site (or next to its own folder).
        if not path.is_relative_to((site_root(page) or page.parent.parent).resolve()):
            raise PageError(f"{page} links its credential outside its site ({path})")
        return load_json(_read_json_file(path)), f"the badge page, which links {path}"
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return load_json(unbake(data, "svg")), "a baked SVG"
    return load_json(_json_bytes(data)), None


def _json_bytes(data: bytes) -> bytes:
    if len(data) > MAX_BYTES:
        raise JsonDocumentError(f"larger than {MAX_BYTES} bytes")
    return data


def _read_json_file(path: Path) -> bytes:
    with path.open("rb") as handle:
        return _json_bytes(handle.read(MAX_BYTES + 1))


def _hint(target: Target, result: VerificationResult, resolver: Resolver) -> str | None:
    """``--map`` advice for a credential of a local build whose DID or status list failed to load."""
    if target.path is None or not result.credential_id:
        return None
    failed = [c.message for c in result.checks if c.failed and c.id in ("issuer-key", "status", "proof")]
    root = site_root(target.path) if failed else None
    base = base_url(result.credential_id, root) if root is not None else None
    host = urlsplit(base).hostname if base else None
    if base is None or root is None or resolver.is_mapped(base) or not any(host and host in m for m in failed):
        return None
    return local_hint(base, root)


def _load_failure(target: Target, reason: str, resolver: Resolver) -> VerificationResult:
    # A broken .json file in a site may be a truncated credential: report it, never skip it.
    check = Check("load", FAILED, f"cannot load the credential: {reason}")
    hint = None
    if target.url is not None and not resolver.is_mapped(target.url):
        # A URL of a site not yet published: does a --map folder given (or the current one) hold it?
        for _, folder in resolver.maps:
            base = base_url(target.url, folder) if is_credpress_output(folder) else None
            if base is not None:
                hint = local_hint(base, folder)
                break
    return VerificationResult(target.source, None, (check,), hint=hint)


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
    """How many credentials had each status (:data:`.checks.STATUSES`), and the total."""
    counts = {"total": len(results), **dict.fromkeys(STATUSES, 0)}
    for result in results:
        counts[result.status] += 1
    return counts
