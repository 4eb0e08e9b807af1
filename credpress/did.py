"""did:web identifiers and DID documents for issuers (SPEC-NOTES §3.3, §3.4).

Each issuer's DID lives at ``issuers/<slug>/`` under the site's base URL, so it
resolves the same way under any base path and adding a second issuer never
changes the first one's DID.
"""

from __future__ import annotations

from datetime import timezone
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from .jsonld import DID_V1, MULTIKEY_V1
from .model import Issuer, PublicKey, Site


def issuer_folder(issuer_slug: str) -> str:
    return f"issuers/{issuer_slug}/"


def did_from_url(folder_url: str) -> str:
    """``https://host:8443/a/b/`` → ``did:web:host%3A8443:a:b``."""
    parts = urlsplit(folder_url)
    host = parts.hostname or ""
    if parts.port:
        host += quote(f":{parts.port}", safe="")
    segments = [quote(unquote(s), safe="") for s in parts.path.split("/") if s]
    return ":".join(["did:web", host, *segments])


def did_document_url(did: str) -> str:
    """did:web resolution: the https URL of the DID document (no fragment)."""
    if not did.startswith("did:web:"):
        raise ValueError(f"not a did:web DID: {did}")
    parts = did[len("did:web:"):].split("#", 1)[0].split(":")
    host = unquote(parts[0])
    path = "/".join(unquote(p) for p in parts[1:])
    return f"https://{host}/{path}/did.json" if path else f"https://{host}/.well-known/did.json"


def issuer_did(site: Site, issuer_slug: str) -> str:
    return did_from_url(site.base_url + issuer_folder(issuer_slug))


def did_document_path(site: Site, issuer_slug: str) -> str:
    """Path of the DID document in the output folder (derived from the resolution rule)."""
    url = did_document_url(issuer_did(site, issuer_slug))
    base = site.base_url
    if not url.startswith(base):
        raise ValueError(f"DID document {url} is not under base_url {base}")
    return url[len(base):]


def published_keys(issuer: Issuer, signing_public_key: str) -> tuple[PublicKey, ...]:
    """The issuer's keys; without a ``keys`` list, the signing key is its only key."""
    if issuer.keys is None:
        return (PublicKey("key-1", signing_public_key, "active"),)
    return issuer.keys


def active_key(issuer: Issuer, signing_public_key: str) -> PublicKey:
    return next(k for k in published_keys(issuer, signing_public_key) if k.status == "active")


def did_document(did: str, keys: tuple[PublicKey, ...]) -> dict[str, Any]:
    """Active and retired keys may assert credentials (old copies keep verifying).

    A revoked key stays under ``verificationMethod`` with its ``revoked`` date
    (Multikey, W3C Controlled Identifiers) but leaves ``assertionMethod``, so every
    verifier rejects what it signed and ours can say why.
    """
    methods = []
    for key in keys:
        method = {"id": f"{did}#{key.id}", "type": "Multikey", "controller": did, "publicKeyMultibase": key.public_key}
        if key.revoked is not None:
            method["revoked"] = key.revoked.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        methods.append(method)
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [f"{did}#{k.id}" for k in keys if k.status in ("active", "retired")],
    }
