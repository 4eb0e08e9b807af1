"""The ``status`` check: the credential's bit in its issuer's signed Bitstring Status List.

Bitstring Status List §3.2 (validate): the list is itself a credential, verified
like any other (its proofs, its issuer's key, its validity: the caller passes the
function that does that), then decoded with bounded inflation; anything that
cannot be checked fails closed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from ..vc import bitstring as status_list
from .claims import issuer_id, types_of
from .fetch import FetchError, Resolver
from .results import SKIPPED, Check
from .results import failed_check as _failed
from .results import passed_check as _passed

# Why a fetched status list credential cannot be trusted (its failed check), or None.
ListProblem = Callable[[dict[str, Any]], str | None]


@dataclass(frozen=True)
class StatusList:
    """A verified, decoded status list."""

    url: str
    issuer: str | None
    purpose: str
    bits: bytes


def status_check(
    doc: dict[str, Any], issuer: str | None, resolver: Resolver, now: datetime, list_problem: ListProblem
) -> Check:
    """The status check of *doc*, whose issuer is *issuer* (fails closed)."""
    raw = doc.get("credentialStatus")
    if raw is None:
        return Check("status", SKIPPED, "no status: the credential has no credentialStatus")
    entries = raw if isinstance(raw, list) else [raw]
    messages = []
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
            kind = entry.get("type") if isinstance(entry, dict) else type(entry).__name__
            return _failed("status", f"cannot check credentialStatus of type {kind!r} (only BitstringStatusListEntry)")
        url, purpose = entry.get("statusListCredential"), entry.get("statusPurpose")
        index = _status_index(entry.get("statusListIndex"))
        if not isinstance(url, str) or index is None or not isinstance(purpose, str):
            return _failed(
                "status", "credentialStatus needs statusListCredential, statusPurpose and a base-10 statusListIndex"
            )
        if purpose not in ("revocation", "suspension"):  # Bitstring Status List §2.1; OB uses revocation only
            return _failed("status", f"statusPurpose {purpose!r} is not supported (revocation, suspension)")
        if entry.get("statusSize", 1) not in (1, "1"):
            return _failed("status", f"statusSize {entry.get('statusSize')!r} is not supported (only 1)")
        found = resolver.remember(("status-list", url, now), partial(_load_status_list, url, resolver, list_problem))
        if isinstance(found, str):
            return _failed("status", f"cannot check the status list {url}: {found}")
        if found.issuer != issuer:
            return _failed("status", f"the status list {url} is issued by {found.issuer}, not by {issuer}")
        if found.purpose != purpose:
            return _failed("status", f"the status list {url} is for {found.purpose!r}, the entry for {purpose!r}")
        if index >= len(found.bits) * 8:
            return _failed("status", f"statusListIndex {index} is beyond the end of the status list {url}")
        # Bitstring Status List §2.2 bit order: index i is byte i // 8, mask 0x80 >> (i % 8) (left-most bit first).
        if status_list.bit_is_set(found.bits, index):
            code = "suspended" if purpose == "suspension" else "revoked"
            return _failed("status", f"{code}: bit {index} is set in the {purpose} list {url}", code=code)
        messages.append(f"not {purpose}-flagged (bit {index} of {url} is clear)")
    return _passed("status", "; ".join(messages))


def _status_index(value: Any) -> int | None:
    # A base-10 string (Bitstring Status List §2.1); the 1EdTech validator's file uses a number, so accept one too.
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


def _load_status_list(url: str, resolver: Resolver, list_problem: ListProblem) -> StatusList | str:
    """The verified, decoded list at *url*, or why it cannot be used (fail closed)."""
    try:
        doc = resolver.fetch_json(url)
    except FetchError as exc:
        return str(exc)
    if not isinstance(doc, dict):
        return "it is not a JSON object"
    if "BitstringStatusListCredential" not in types_of(doc):
        return "it is not a BitstringStatusListCredential"
    # The list is a credential too: its proofs and issuer key are checked the same way.
    problem = list_problem(doc)
    if problem is not None:
        return problem
    list_issuer = issuer_id(doc)
    subject = doc.get("credentialSubject")
    if not isinstance(subject, dict) or subject.get("type") != "BitstringStatusList":
        return "its credentialSubject is not a BitstringStatusList"
    try:
        bits = status_list.decode_list(subject.get("encodedList"))  # type: ignore[arg-type]
    except ValueError as exc:
        return str(exc)
    if len(bits) * 8 < status_list.LIST_BITS:  # the spec's STATUS_LIST_LENGTH_ERROR
        return f"the status list has {len(bits) * 8} entries, fewer than {status_list.LIST_BITS}"
    return StatusList(url, list_issuer, str(subject.get("statusPurpose")), bits)
