"""Resolving a proof's ``verificationMethod`` to a public key.

did:key locally, did:web by its document URL (did:web §2.5.2 Read), or an https
URL controller document (W3C Controlled Identifiers §3.3). Policy problems
(document id, key type, ``assertionMethod``) are reported separately from
"could not find the key", so the verifier can say which check failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from ..vc import multibase
from ..vc.did import did_document_url
from .fetch import FetchError, Resolver, network_url_problem


@dataclass(frozen=True)
class ResolvedMethod:
    """What a ``verificationMethod`` id led to.

    ``public_key`` is set when a Multikey with that id was found (enough to check
    a signature); ``error`` when it was not. ``problems`` are the rules the
    controller document broke even though the key was found.
    """

    method_id: str
    public_key: str | None = None
    controller: str | None = None
    document_id: str | None = None
    problems: tuple[str, ...] = ()
    error: str | None = None


def resolve_method(method_id: str, resolver: Resolver) -> ResolvedMethod:
    """Resolve (and cache for the run) one verification method id. Never raises."""
    return resolver.remember(("method", method_id), lambda: _resolve(method_id, resolver))


def _resolve(method_id: str, resolver: Resolver) -> ResolvedMethod:
    if not isinstance(method_id, str) or "#" not in method_id:
        return ResolvedMethod(str(method_id), error=f"verification method {method_id!r} has no #fragment")
    base = method_id.split("#", 1)[0]
    if base.startswith("did:key:"):
        return _did_key(method_id, base)
    if base.startswith("did:web:"):
        try:
            url = did_document_url(base)
        except ValueError as exc:
            return ResolvedMethod(method_id, error=str(exc))
        host = urlsplit(url).hostname or ""
        if network_url_problem(f"https://{host}/"):  # did:web §2.3: a host name, no IP address
            return ResolvedMethod(method_id, error=f"{base} is not a valid did:web DID (host {host!r})")
    elif base.startswith("https://"):
        url = base  # CID §3.3: a controller document at the URL without its fragment
    elif base.startswith("did:"):
        return ResolvedMethod(method_id, error=f"unsupported DID method in {method_id} (did:web and did:key are)")
    else:
        return ResolvedMethod(method_id, error=f"verification method {method_id} is neither a DID URL nor an https URL")
    try:
        document = resolver.fetch_json(url)
    except FetchError as exc:
        return ResolvedMethod(method_id, error=f"cannot resolve {base}: {exc}")
    return _from_controller_document(method_id, base, document)


def _did_key(method_id: str, did: str) -> ResolvedMethod:
    """did:key: the key is the identifier; its only VM is ``did:key:X#X`` (did:key §3.1.1-3.1.2)."""
    key = did[len("did:key:") :]
    fragment = method_id.split("#", 1)[1]
    if fragment != key:
        return ResolvedMethod(method_id, error=f"did:key verification method must be {did}#{key}")
    try:
        multibase.decode_public_key(key)
    except ValueError as exc:
        return ResolvedMethod(method_id, error=f"{did}: {exc}")
    return ResolvedMethod(method_id, public_key=key, controller=did, document_id=did)


def _ids(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _from_controller_document(method_id: str, base: str, document: Any) -> ResolvedMethod:
    if not isinstance(document, dict):
        return ResolvedMethod(method_id, error=f"the document for {base} is not a JSON object")
    doc_id = document.get("id")
    method = next(
        (m for m in _ids(document.get("verificationMethod")) if isinstance(m, dict) and m.get("id") == method_id), None
    )
    if method is None:
        return ResolvedMethod(
            method_id, document_id=doc_id, error=f"{method_id} is not in the verificationMethod list of {base}"
        )
    problems = []
    # did:web §2.5.2, CID §3.3: the document describes what it was fetched for.
    if doc_id != base:
        problems.append(f"the document fetched for {base} has id {doc_id!r}")
    if method.get("type") != "Multikey":
        problems.append(f"{method_id} has type {method.get('type')!r}, not Multikey")
    # CID §2.2.2: a method with a "revoked" time must not be used to verify anything.
    if method.get("revoked") is not None:
        problems.append(f"{method_id} was revoked by its controller on {method.get('revoked')}")
    # CID §2.3.2, §3.3 (our stricter reading): assertionMethod lists the full id as a string; an embedded or relative one does not count.
    if method_id not in [m for m in _ids(document.get("assertionMethod")) if isinstance(m, str)]:
        problems.append(f"{method_id} is not listed under assertionMethod of {base}")
    controller = method.get("controller")
    if controller != doc_id:
        problems.append(f"{method_id} has controller {controller!r}, not the document {doc_id!r}")
    public_key = method.get("publicKeyMultibase")
    try:
        multibase.decode_public_key(public_key)  # type: ignore[arg-type]
    except ValueError as exc:
        return ResolvedMethod(
            method_id,
            controller=controller if isinstance(controller, str) else None,
            document_id=doc_id,
            problems=tuple(problems),
            error=f"{method_id}: {exc}",
        )
    return ResolvedMethod(
        method_id,
        public_key=public_key,
        controller=controller if isinstance(controller, str) else None,
        document_id=doc_id,
        problems=tuple(problems),
    )


def verified_issuer(issuer: str | None) -> str | None:
    """Who an issuer identifier names, for a credential whose key has been checked: the host
    of a did:web (``badges.example.org``, a port kept) or https issuer, ``unknown key
    (did:key)`` for a did:key (anyone can make one). Unlike ``issuer.name``, which any
    signer can copy, this is what the signature proves."""
    issuer = issuer or ""
    if issuer.startswith("did:key:"):
        return "unknown key (did:key)"
    if issuer.startswith("did:web:"):
        host = unquote(issuer[len("did:web:") :].split("#")[0].split(":")[0])
    elif issuer.startswith("https://"):
        host = urlsplit(issuer).netloc
    else:
        return None
    return host.lower() or None
