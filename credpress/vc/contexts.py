"""Offline JSON-LD contexts: every context a document may use ships with credpress.

The files live in ``credpress/data/contexts`` with a URL -> file index
(``loader-map.json``). The document loader serves only those and refuses every
other URL: nothing is ever fetched (VC Data Model 2.0 §4.3: a verifier uses
known, cached context files instead of fetching them).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from ..errors import JsonLdError

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CLR_V2 = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"

_CONTEXTS = resources.files("credpress") / "data" / "contexts"


@cache
def context_index() -> dict[str, str]:
    """Known context URL -> bundled file name."""
    index = json.loads((_CONTEXTS / "loader-map.json").read_text("utf-8"))
    index.pop("_comment", None)
    return index


@cache
def _context_document(url: str) -> Any:
    return json.loads((_CONTEXTS / context_index()[url]).read_text("utf-8"))


def is_known_context(url: str) -> bool:
    """Whether *url* names a context that ships with credpress."""
    return url in context_index()


def document_loader(url: str, options: Any = None) -> dict[str, Any]:
    """pyld document loader over the bundled contexts; unknown URLs are an error."""
    if url not in context_index():
        raise JsonLdError(f"unknown JSON-LD context {url!r}: only bundled contexts are allowed")
    return {"contextUrl": None, "documentUrl": url, "document": _context_document(url)}


def check_contexts(document: Any) -> None:
    """Refuse a document whose top-level @context names an unknown URL."""
    contexts = document.get("@context") if isinstance(document, dict) else None
    for ctx in contexts if isinstance(contexts, list) else [contexts]:
        if isinstance(ctx, str) and not is_known_context(ctx):
            raise JsonLdError(f"unknown JSON-LD context {ctx!r}: only bundled contexts are allowed")
