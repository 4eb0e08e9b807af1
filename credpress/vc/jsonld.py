"""JSON-LD for signing and verifying: expansion, RDFC-1.0 canonical form, dropped terms.

Expansion uses only the bundled contexts (:mod:`credpress.vc.contexts`) and our
memoising processor (:mod:`credpress.vc.processor`). Canonical N-Quads follow
RDF Dataset Canonicalization (RDFC-1.0), which eddsa-rdfc-2022 hashes
(vc-di-eddsa §3.3.2 Transformation).
"""

from __future__ import annotations

import copy
from typing import Any

from pyld import jsonld as _pyld

from ..errors import JsonLdError
from .contexts import check_contexts, document_loader
from .processor import MemoProcessor


def _options() -> dict[str, Any]:
    return {"documentLoader": document_loader, "base": "", "processingMode": "json-ld-1.1"}


def expand(document: Any) -> list[Any]:
    """JSON-LD expansion with the bundled contexts."""
    check_contexts(document)
    try:
        # pyld does not modify its input (the signing tests would catch it: JCS
        # signs the same object afterwards), so no defensive copy.
        return MemoProcessor().expand(document, _options())
    except JsonLdError:
        raise
    except _pyld.JsonLdError as exc:
        raise JsonLdError(f"JSON-LD expansion failed: {_cause(exc)}") from None


def canonize(document: Any) -> str:
    """RDFC-1.0 (URDNA2015) canonical N-Quads of *document*.

    Raises JsonLdError if expansion would silently drop any property: a dropped
    term is not covered by the signature.
    """
    expanded = expand(document)
    dropped = dropped_terms(document, expanded)
    if dropped:
        raise JsonLdError("JSON-LD would drop " + ", ".join(dropped) + " (term not defined by the @context)")
    return canonize_expanded(expanded)


def canonize_expanded(expanded: Any) -> str:
    """RDFC-1.0 of an already expanded document.

    These are the steps of pyld's ``normalize`` after its own expansion (JSON-LD
    to RDF: node map, then triples; then URDNA2015), so the document is expanded
    once, not twice.
    """
    opts = _options()
    opts.update(
        {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "produceGeneralizedRdf": False,
            "rdfDirection": None,
        }
    )
    processor = MemoProcessor()
    issuer = _pyld.IdentifierIssuer("_:b")
    try:
        node_map: dict[str, Any] = {"@default": {}}
        processor._create_node_map(expanded, node_map, "@default", issuer)
        dataset = {
            name: processor._graph_to_rdf(graph, issuer, opts)
            for name, graph in sorted(node_map.items())
            if name == "@default" or _pyld._is_absolute_iri(name)
        }
        return _pyld.URDNA2015().main(dataset, opts)
    except _pyld.JsonLdError as exc:
        raise JsonLdError(f"RDF canonicalization failed: {_cause(exc)}") from None


def _cause(exc: BaseException) -> str:
    while exc.__cause__ is not None and not isinstance(exc, JsonLdError):
        exc = exc.__cause__
    if isinstance(exc, JsonLdError):
        return str(exc)
    return getattr(exc, "message", None) or str(exc).splitlines()[0]


# --- Dropped-term check --------------------------------------------------------------
# Each scalar of the compact document (outside @context) becomes exactly one of an
# @id, a node @type entry or a @value in the expanded form. If the expanded form has
# fewer, some property was dropped; we then find which by removing paths one at a time.


def _compact_leaves(value: Any) -> int:
    if isinstance(value, dict):
        return sum(_compact_leaves(v) for k, v in value.items() if k != "@context")
    if isinstance(value, list):
        return sum(_compact_leaves(v) for v in value)
    return 0 if value is None else 1


def _expanded_leaves(value: Any) -> int:
    if isinstance(value, list):
        return sum(_expanded_leaves(v) for v in value)
    if not isinstance(value, dict):
        return 0
    if "@value" in value:
        return 1
    total = 0
    for key, item in value.items():
        if key == "@id":
            total += 1
        elif key == "@type":
            total += len(item) if isinstance(item, list) else 1
        else:
            total += _expanded_leaves(item)
    return total


def _paths(value: Any, prefix: str = "") -> list[tuple[str, tuple[Any, ...]]]:
    found: list[tuple[str, tuple[Any, ...]]] = []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for key, item in items:
        if key == "@context":
            continue
        label = f"{prefix}[{key}]" if isinstance(key, int) else (f"{prefix}.{key}" if prefix else key)
        found.append((label, (key,)))
        for sub_label, sub_path in _paths(item, label):
            found.append((sub_label, (key, *sub_path)))
    return found


def _without(document: Any, path: tuple[Any, ...]) -> Any:
    clone = copy.deepcopy(document)
    target = clone
    for step in path[:-1]:
        target = target[step]
    del target[path[-1]]
    return clone


def dropped_terms(document: Any, expanded: Any | None = None) -> list[str]:
    """JSON paths of properties that JSON-LD expansion would drop (empty if none)."""
    if expanded is None:
        expanded = expand(document)
    if _expanded_leaves(expanded) >= _compact_leaves(document):
        return []
    dropped: list[str] = []
    for label, path in _paths(document):
        if any(label.startswith(d + ".") or label.startswith(d + "[") for d in dropped):
            continue
        reduced = _without(document, path)
        # A dropped subtree, when removed, leaves the number of expanded leaves unchanged.
        removed = _compact_leaves(document) - _compact_leaves(reduced)
        if not removed:
            continue
        try:
            unchanged = _expanded_leaves(expand(reduced)) == _expanded_leaves(expanded)
        except JsonLdError:
            continue
        if unchanged:
            dropped.append(label)
    return dropped
