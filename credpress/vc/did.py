"""did:web identifiers and DID documents (did:web Method Specification; W3C DID 1.0).

Generic rules only: turning a folder URL into a did:web DID and back into the
URL of its DID document, and writing a DID document whose keys are Multikeys.
Where each issuer's DID lives in our output is :mod:`credpress.site.layout`'s job.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any, Protocol
from urllib.parse import quote, unquote, urlsplit

from ..dates import timestamp
from .contexts import DID_V1, MULTIKEY_V1


class PublishedKey(Protocol):
    """A key as a DID document lists it (see content.model.PublicKey)."""

    @property
    def id(self) -> str: ...
    @property
    def public_key(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def revoked(self) -> Any: ...


@lru_cache(maxsize=1024)  # a few issuers, each asked for its DID for every credential
def did_from_url(folder_url: str) -> str:
    """``https://host:8443/a/b/`` → ``did:web:host%3A8443:a:b`` (did:web §2.5.1 Create)."""
    parts = urlsplit(folder_url)
    host = parts.hostname or ""
    if parts.port:
        host += quote(f":{parts.port}", safe="")
    segments = [quote(unquote(s), safe="") for s in parts.path.split("/") if s]
    return ":".join(["did:web", host, *segments])


def did_document_url(did: str) -> str:
    """did:web resolution: the https URL of the DID document, no fragment (did:web §2.5.2 Read)."""
    if not did.startswith("did:web:"):
        raise ValueError(f"not a did:web DID: {did}")
    parts = did[len("did:web:") :].split("#", 1)[0].split(":")
    host = unquote(parts[0])
    path = "/".join(unquote(p) for p in parts[1:])
    return f"https://{host}/{path}/did.json" if path else f"https://{host}/.well-known/did.json"


def did_document(did: str, keys: Iterable[PublishedKey]) -> dict[str, Any]:
    """Active and retired keys may assert credentials (old copies keep verifying).

    A revoked key stays under ``verificationMethod`` with its ``revoked`` date
    (Multikey, W3C Controlled Identifiers §2.2.2) but leaves ``assertionMethod``,
    so every verifier rejects what it signed and ours can say why.
    """
    keys = list(keys)
    methods = []
    for key in keys:
        method = {"id": f"{did}#{key.id}", "type": "Multikey", "controller": did, "publicKeyMultibase": key.public_key}
        if key.revoked is not None:
            method["revoked"] = timestamp(key.revoked)
        methods.append(method)
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [f"{did}#{k.id}" for k in keys if k.status in ("active", "retired")],
    }
