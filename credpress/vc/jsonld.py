"""JSON-LD for signing and verifying: expansion, RDFC-1.0 canonical form, dropped terms.

Expansion uses only the bundled contexts (:mod:`credpress.vc.contexts`) and our
memoising processor (:mod:`credpress.vc.processor`). Canonical N-Quads follow
RDF Dataset Canonicalization (RDFC-1.0), which eddsa-rdfc-2022 hashes
(vc-di-eddsa §3.2.3 Transformation).

:func:`canonize` refuses what would be signed as less than it shows: properties
expansion drops, and what Digital Bazaar's jsonld.js "safe mode" refuses
(relative ``@id``/``@type`` references, blank node predicates, malformed
``@language``), which JSON-LD to RDF would silently leave out of the dataset.
"""

from __future__ import annotations

import os
import re
from typing import Any

from pyld import jsonld as _pyld

from ..errors import JsonLdError
from . import shapes  # shapes uses this module's functions only at call time
from .contexts import check_contexts, document_loader
from .processor import MemoProcessor


def _options() -> dict[str, Any]:
    # No base IRI, as Digital Bazaar canonizes (base: null): a relative IRI stays
    # relative (JSON-LD 1.1 API §9.4.2 JsonLdOptions.base) and is then refused (see
    # unsafe_terms). pyld given base "" would resolve it against its made-up default
    # "http://example.org/base/", signing an IRI the document does not contain.
    return {"documentLoader": document_loader, "base": None, "processingMode": "json-ld-1.1"}


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


# Which route canonize takes: "shapes" (credpress.vc.shapes: each document shape
# canonicalized once with pyld, its values substituted after) or "pyld" (every
# document through pyld, the reference). CREDPRESS_CANONICALIZER=pyld selects it.
ROUTES = ("shapes", "pyld")
route = os.environ.get("CREDPRESS_CANONICALIZER", "shapes")
if route not in ROUTES:
    route = "shapes"


def canonize(document: Any, *, via: str | None = None) -> str:
    """RDFC-1.0 (URDNA2015) canonical N-Quads of *document*.

    Raises JsonLdError if expansion would silently drop any property, or if the
    document has what jsonld.js safe mode refuses (:func:`unsafe_terms`): either
    way part of what the JSON shows would not be covered by the signature.
    *via* picks the route (:data:`ROUTES`; default :data:`route`); both give the
    same bytes or the same error.
    """
    if (via or route) == "shapes":
        check_contexts(document)
        fast = shapes.canonize(document)
        if fast is not None:
            return fast
    return canonize_expanded(checked_expand(document))


def checked_expand(document: Any) -> list[Any]:
    """:func:`expand`, refusing what :func:`canonize` refuses (dropped terms, safe mode)."""
    expanded = expand(document)
    dropped = dropped_terms(document, expanded)
    if dropped:
        raise JsonLdError("JSON-LD would drop " + ", ".join(dropped) + " (term not defined by the @context)")
    unsafe = safe_mode_problems(document, expanded)
    if unsafe:
        raise JsonLdError(
            "JSON-LD safe mode refuses " + ", ".join(unsafe) + ": JSON-LD to RDF would leave it out of what is signed"
        )
    return expanded


def canonize_expanded(expanded: Any) -> str:
    """RDFC-1.0 of an already expanded document.

    These are the steps of pyld's ``normalize`` after its own expansion (JSON-LD
    to RDF: node map, then triples; then URDNA2015), so the document is expanded
    once, not twice.
    """
    dataset = rdf_dataset(expanded)
    try:
        return _pyld.URDNA2015().main(dataset, _rdf_options())
    except _pyld.JsonLdError as exc:
        raise JsonLdError(f"RDF canonicalization failed: {_cause(exc)}") from None


def _rdf_options() -> dict[str, Any]:
    opts = _options()
    opts.update(
        {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "produceGeneralizedRdf": False,
            "rdfDirection": None,
        }
    )
    return opts


def rdf_dataset(expanded: Any) -> dict[str, list[dict[str, Any]]]:
    """JSON-LD to RDF (JSON-LD 1.1 API §8: node map, then §8.2 Deserialize JSON-LD to
    RDF) of an expanded document, as pyld's dataset: graph name -> triples."""
    opts = _rdf_options()
    processor = MemoProcessor()
    issuer = _pyld.IdentifierIssuer("_:b")
    try:
        node_map: dict[str, Any] = {"@default": {}}
        processor._create_node_map(expanded, node_map, "@default", issuer)
        return {
            name: processor._graph_to_rdf(graph, issuer, opts)
            for name, graph in sorted(node_map.items())
            if name == "@default" or _pyld._is_absolute_iri(name)
        }
    except _pyld.JsonLdError as exc:
        raise JsonLdError(f"RDF canonicalization failed: {_cause(exc)}") from None


def _cause(exc: BaseException) -> str:
    while exc.__cause__ is not None and not isinstance(exc, JsonLdError):
        exc = exc.__cause__
    if isinstance(exc, JsonLdError):
        return str(exc)
    return getattr(exc, "message", None) or str(exc).splitlines()[0]


# --- Dropped terms and safe mode ----------------------------------------------------
# Detection is linear and works on the expansion canonize already made (memo or not):
# each scalar of the compact document (outside @context) becomes exactly one of an
# @id, a node @type entry or a @value in the expanded form, so fewer leaves means
# something was dropped; a walk of the expanded form finds what JSON-LD to RDF
# would skip. Only when something is wrong is the document expanded once more, by
# a tracing processor that names the JSON paths (two expansions in all, never one
# per path).

# jsonld.js url.isAbsolute, the test pyld's _is_absolute_iri also uses (a scheme, or
# "_" for a blank node, then ":" and no whitespace), anchored at the very end.
_ABSOLUTE_IRI = re.compile(r"([A-Za-z][A-Za-z0-9+\-.]*|_):[^\s]*")
# jsonld.js REGEX_BCP47, which it checks @language values against (JSON-LD 1.1 API §5.1.2).
_BCP47 = re.compile(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*")


def _is_absolute(value: Any) -> bool:
    return isinstance(value, str) and _ABSOLUTE_IRI.fullmatch(value) is not None


def _compact_leaves(value: Any) -> int:
    if isinstance(value, dict) and "@value" in value:  # a value object is one value, as expanded
        return 0 if value["@value"] is None else 1
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


def unsafe_terms(expanded: Any) -> list[str]:
    """What Digital Bazaar's safe mode would refuse in an *expanded* document, as phrases.

    jsonld.js raises, in safe mode, on the warnings "relative @id reference",
    "relative @type reference" (expansion, JSON-LD 1.1 API §13.2 steps 13.4.3 and
    13.4.4), "relative subject/object reference" and "blank node predicate" (JSON-LD
    to RDF, §8.2: such triples are left out of the dataset), and "invalid @language
    value". pyld expands and converts the same way but silently, so the signed
    N-Quads would lack data the JSON shows.
    """
    problems: list[str] = []
    stack = [expanded]
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            stack.extend(reversed(value))
            continue
        if not isinstance(value, dict):
            continue
        if "@value" in value:
            types = value.get("@type")
            if types is not None and types != "@json" and not _is_absolute(types):
                problems.append(f"relative @type reference {types!r}")
            language = value.get("@language")
            if language is not None and not (isinstance(language, str) and _BCP47.fullmatch(language)):
                problems.append(f"invalid @language value {language!r}")
            continue
        for key, item in value.items():
            if key == "@id":
                for node_id in item if isinstance(item, list) else [item]:
                    if not _is_absolute(node_id):
                        problems.append(f"relative @id reference {node_id!r}")
            elif key == "@type":
                for node_type in item if isinstance(item, list) else [item]:
                    if not _is_absolute(node_type):
                        problems.append(f"relative @type reference {node_type!r}")
            else:
                if key.startswith("_:"):
                    problems.append(f"blank node predicate {key!r}")
                stack.append(item)
    return problems


def _labels(document: Any) -> tuple[dict[int, str], dict[str, int]]:
    """JSON paths of *document*: of each object and array (by identity), and the
    document (depth-first) order of every path, to report problems in that order."""
    labels: dict[int, str] = {}
    order: dict[str, int] = {}
    stack: list[tuple[Any, str]] = [(document, "")]
    while stack:
        value, label = stack.pop()
        order.setdefault(label, len(order))
        if not isinstance(value, (dict, list)) or id(value) in labels:
            continue
        labels[id(value)] = label
        items = value.items() if isinstance(value, dict) else enumerate(value)
        children = [(v, _join(label, k)) for k, v in items if k != "@context"]
        stack.extend(reversed(children))
    return labels, order


def _join(label: str, key: Any) -> str:
    return f"{label}[{key}]" if isinstance(key, int) else (f"{label}.{key}" if label else str(key))


class _Tracer(MemoProcessor):
    """Expands without the expansion memo (so no subtree is skipped) and notes, with
    its JSON path, every property dropped and every safe-mode problem."""

    def __init__(self) -> None:
        super().__init__()
        self.labels: dict[int, str] | None = None
        self.order: dict[str, int] = {}
        self.dropped: list[tuple[str, str]] = []  # (JSON path, what is wrong there)
        self.unsafe: list[tuple[str, str]] = []

    def _expand(self, active_ctx: Any, active_property: Any, element: Any, *args: Any, **kwargs: Any) -> Any:
        if self.labels is None:  # the first call gets the root of pyld's own copy of the document
            self.labels, self.order = _labels(element)
        return _pyld.JsonLdProcessor._expand(self, active_ctx, active_property, element, *args, **kwargs)

    def _expand_object(
        self,
        active_ctx: Any,
        active_property: Any,
        expanded_active_property: Any,
        element: Any,
        expanded_parent: Any,
        options: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        result = super()._expand_object(
            active_ctx, active_property, expanded_active_property, element, expanded_parent, options, *args, **kwargs
        )
        label = (self.labels or {}).get(id(element), "?")
        for key, value in element.items():
            if key == "@context":
                continue
            where = _join(label, key)
            # The same test as pyld's (JSON-LD 1.1 API §13.2 step 13.3): a key that
            # expands to neither an absolute IRI nor a keyword is dropped.
            expanded_key = self._expand_iri(active_ctx, key, vocab=True)
            if expanded_key is None or not (_pyld._is_absolute_iri(expanded_key) or _pyld._is_keyword(expanded_key)):
                self.dropped.append((where, ""))
            elif expanded_key in ("@id", "@type"):
                found = expanded_parent.get(expanded_key)
                found = found if isinstance(found, list) else [found]
                bad = [v for v in found if isinstance(v, str) and not _is_absolute(v)]
                if bad:
                    self.unsafe.append((where, f"relative {expanded_key} reference {bad[0]!r}"))
            elif expanded_key.startswith("_:"):
                self.unsafe.append((where, f"blank node predicate {expanded_key!r}"))
            else:
                self._check_values(active_ctx, key, value, options, where)
        return result

    def _check_values(self, active_ctx: Any, key: str, value: Any, options: Any, where: str) -> None:
        # Strings that expand to node references (a term with "@type": "@id" or "@vocab").
        for index, item in enumerate(value) if isinstance(value, list) else [(None, value)]:
            if not isinstance(item, str):
                continue
            try:
                expanded = self._expand_value(active_ctx, key, item, options)
            except _pyld.JsonLdError:
                continue
            if isinstance(expanded, dict):
                for keyword in ("@id", "@type"):
                    if keyword in expanded and expanded[keyword] != "@json" and not _is_absolute(expanded[keyword]):
                        label = where if index is None else _join(where, index)
                        self.unsafe.append((label, f"relative {keyword} reference {item!r}"))


def _trace(document: Any) -> _Tracer:
    tracer = _Tracer()
    try:
        tracer.expand(document, _options())
    except _pyld.JsonLdError as exc:
        raise JsonLdError(f"JSON-LD expansion failed: {_cause(exc)}") from None
    return tracer


def _named(tracer: _Tracer, found: list[tuple[str, str]]) -> list[str]:
    ordered = sorted(found, key=lambda item: tracer.order.get(item[0], len(tracer.order)))
    return list(dict.fromkeys(f"{label} ({why})" if why else label for label, why in ordered))


def dropped_terms(document: Any, expanded: Any | None = None) -> list[str]:
    """JSON paths of properties that JSON-LD expansion would drop (empty if none).

    At most two expansions, whatever the size of *document*: *expanded* (made here
    if not given) and, only when values are missing from it, one tracing pass.
    """
    if expanded is None:
        expanded = expand(document)
    if _expanded_leaves(expanded) >= _compact_leaves(document):
        return []
    # A property dropped by the rule the tracer watches is named; a value lost some
    # other way (JSON-LD 1.1 API §13.2 drops free-floating values) is still refused.
    tracer = _trace(document)
    return _named(tracer, tracer.dropped) or ["a value (JSON-LD drops it; no property to name)"]


def safe_mode_problems(document: Any, expanded: Any | None = None) -> list[str]:
    """JSON paths (with the reason) of what jsonld.js safe mode refuses; empty if none."""
    if expanded is None:
        expanded = expand(document)
    found = unsafe_terms(expanded)
    if not found:
        return []
    tracer = _trace(document)
    return _named(tracer, tracer.unsafe) or found
