"""Shape-based RDFC-1.0: each document shape canonicalized once by pyld, its values substituted after.

Credentials of one achievement have one *shape*: the same keys, types, contexts
and structure; only string values differ (ids, names, dates, salts, hashes,
status indexes, evidence). JSON-LD expansion and JSON-LD to RDF (the costly
part) depend on the shape alone, so they are done once per shape, with unique
placeholder strings, and the canonical N-Quads of every later document of the
shape are built by substituting its values into those quads and redoing only
the cheap, value-dependent part of RDF Dataset Canonicalization (RDFC-1.0 §4.4
Canonicalization Algorithm with §4.6 Hash First Degree Quads).

What is part of the shape (the cache key), never substituted:
- ``@context`` (all of it), numbers, booleans and ``null``;
- values of ``type`` and of every keyword but ``@id`` and ``@value`` (they
  select type-scoped contexts, languages, containers);
- strings that name blank nodes (``_:…``);
- for each string that becomes an IRI: its scheme and whether an authority
  (``//``) follows, which decide how JSON-LD 1.1 API §4.2 IRI Expansion treats
  it, and which such strings are equal (equal ids are one node).

A string may be substituted only where the probe shows pyld put the placeholder
verbatim: as the whole lexical form of exactly one literal, or as a whole IRI
(subject, object or graph name, never the object of ``rdf:type``). Anything
else makes the shape "slow" (always pyld). A value is substituted only when
its serialization cannot differ from pyld's: an IRI must be absolute, not a
term of any bundled context, and free of characters N-Quads escapes in IRIs;
a literal must be free of the control characters on which pyld's escaping and
RDF 1.1 N-Quads §2.4 / RDFC-1.0 differ. Blank node labels depend on literal
values, so they are recomputed for each document: the first-degree hash of
every blank node (RDFC-1.0 §4.6) and, when those are all distinct, labels in
hash order (§4.4.3 step 5); if two blank nodes share a hash (Hash N-Degree
Quads, §4.8, would be needed) the document goes through pyld. The first
document of a new shape is checked against pyld before the shape is kept.

:func:`canonize` returns None whenever it does not answer; the caller
(:func:`credpress.vc.jsonld.canonize`) then takes the pyld route.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import re
import secrets
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from pyld.nquads import escape, serialize_nquad

from ..errors import JsonLdError
from . import contexts, jsonld

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_TOKEN = "cpph"
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+\-.]*):(//)?")
# Characters rdf-canonize escapes in an IRI (RDF 1.1 N-Quads §2.4 IRIREF) and pyld
# writes as they are, lone surrogates (not UTF-8), and, in literals, the control
# characters pyld leaves raw but RDFC-1.0's canonical N-Quads escape as UCHAR or ECHAR.
_IRI_DOUBT = re.compile(r'[\x00-\x20<>"{}|^`\\\ud800-\udfff]')
_LITERAL_DOUBT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# A literal without any of these has no character in doubt and none that pyld's N-Quads
# escape() changes (\\ \t \n \r "): it is substituted as it is (the common case, one search).
_LITERAL_PLAIN = re.compile(r'[\x00-\x1f"\\\x7f\ud800-\udfff]')
_IRI_MEMO_LIMIT = 4096
_SHAPE_LIMIT = 1024
_TEMPLATE_LIMIT = 4096

stats = {"fast": 0, "pyld": 0, "shapes": 0}
"""Documents answered here, documents left to pyld, shapes learned (this process)."""


class _Unsupported(Exception):
    """A document this module does not handle (the pyld route does)."""


@dataclass(frozen=True)
class _Template:
    """The canonical quads of one shape with slots for values and blank node labels.

    Each line is a tuple of parts: a str is fixed text, an int ``i >= 0`` the
    value of leaf *i*, an int ``-k - 1`` the label of blank node *k*.
    """

    lines: tuple[tuple[str | int, ...], ...]
    bnode_lines: tuple[tuple[int, ...], ...]  # per blank node: its lines, once per occurrence (as pyld)
    formats: tuple[str, ...] = ()  # each line as a str.format pattern: values, then labels
    # Per blank node: (line, its format pattern with that node as _:a and every other as _:z),
    # as bnode_lines lists them (RDFC-1.0 §4.6 Hash First Degree Quads, labels already in).
    hash_formats: tuple[tuple[tuple[int, str], ...], ...] = ()
    labelled: tuple[int, ...] = ()  # the lines that name a blank node
    uses: tuple[tuple[int, ...], ...] = ()  # per value: the lines it is in
    # The last document rendered from this template ([] or [_Rendered]): the next one reuses
    # what its equal values give (its achievement's, issuer's). Replaced whole, never changed.
    last: list[_Rendered] = field(default_factory=list, compare=False, repr=False)

    @classmethod
    def of(cls, lines: list[tuple[str | int, ...]], bnode_lines: list[list[int]], values: int) -> _Template:
        """The template, with its lines also compiled to format patterns (substituted in C)."""

        def slot(part: int, node: int | None) -> str:
            if part >= 0:
                return "{" + str(part) + "}"  # value *part*
            if node is None:
                return "{" + str(values - part - 1) + "}"  # label of blank node -part - 1, after the values
            return "_:a" if -part - 1 == node else "_:z"

        def pattern(line: tuple[str | int, ...], node: int | None) -> str:
            return "".join(
                part.replace("{", "{{").replace("}", "}}") if isinstance(part, str) else slot(part, node)
                for part in line
            )

        formats = tuple(pattern(line, None) for line in lines)
        hash_formats = tuple(
            tuple((number, pattern(lines[number], node)) for number in found) for node, found in enumerate(bnode_lines)
        )
        labelled = tuple(sorted({number for found in bnode_lines for number in found}))
        uses: list[set[int]] = [set() for _ in range(values)]
        for number, line in enumerate(lines):
            for part in line:
                if isinstance(part, int) and part >= 0:
                    uses[part].add(number)
        return cls(
            tuple(lines),
            tuple(tuple(found) for found in bnode_lines),
            formats,
            hash_formats,
            labelled,
            tuple(tuple(sorted(found)) for found in uses),
        )


@dataclass(frozen=True)
class _Rendered:
    """What :func:`_render` made of one document's values (see _Template.last)."""

    values: tuple[str, ...]
    own: tuple[str, ...]  # the lines, blank nodes told apart by their place in the shape
    kept: frozenset[int] | None
    hashes: tuple[str, ...]  # first-degree hash of each blank node
    labels: tuple[str, ...]
    final: tuple[str, ...]  # the lines with the canonical labels


_OWN = tuple(f"_:{index}" for index in range(256))  # blank nodes told apart by their place in the shape
_UNKNOWN: Any = object()
# shape -> (its number, "l"/"i" per leaf or None (slow)); templates are keyed by the number,
# so a document's shape (a large tuple) is hashed and compared once, not once per memo.
_roles: dict[Any, tuple[int, tuple[str, ...] | None]] = {}
_templates: dict[Any, _Template | None] = {}
_numbers = itertools.count()  # never reused, even after _roles is cleared


def canonize(document: Any) -> str | None:
    """RDFC-1.0 canonical N-Quads of *document* from its shape, or None (use pyld).

    Raises JsonLdError only for what pyld's route raises for the same document
    (the first document of a shape goes through pyld).
    """
    try:
        leaves: list[str] = []
        skeleton = _shape(document, False, leaves)
    except (_Unsupported, RecursionError):
        stats["pyld"] += 1
        return None
    known = _roles.get(skeleton)
    if known is None:
        known = (next(_numbers), _learn_roles(document, leaves))
        _remember(_roles, skeleton, known, _SHAPE_LIMIT)
    number, roles = known
    prepared = None if roles is None else _prepare(leaves, roles)
    if roles is None or prepared is None:
        stats["pyld"] += 1
        return None
    values, classes, pattern = prepared
    key = (number, classes, pattern)
    template = _templates.get(key, _UNKNOWN)
    if template is not _UNKNOWN:
        result = _render(template, values) if template is not None else None
    else:
        template, result = _learn_template(document, leaves, roles, pattern, values)
        _remember(_templates, key, template, _TEMPLATE_LIMIT)
    stats["fast" if result is not None else "pyld"] += 1
    return result


def _remember(memo: dict[Any, Any], key: Any, value: Any, limit: int) -> None:
    if len(memo) >= limit:  # hostile inputs of many shapes: start again, never grow without bound
        memo.clear()
    memo[key] = value


# --- Shapes: the walk that finds the leaves, and the one that replaces them -----------


def _keyed(key: str) -> bool:
    return key == "type" or (key.startswith("@") and key not in ("@id", "@value"))


def _context_key(context: Any) -> str:
    """``@context`` in a shape: all of it, as JSON."""
    if type(context) is list and all(type(url) is str for url in context):
        return _urls_json(tuple(context))  # the usual list of URLs, written once
    return json.dumps(context, ensure_ascii=False, allow_nan=False)


@lru_cache(maxsize=256)
def _urls_json(urls: tuple[str, ...]) -> str:
    return json.dumps(list(urls), ensure_ascii=False, allow_nan=False)


_LEAF = ("s",)


def _shape(value: Any, keyed: bool, leaves: list[str]) -> Any:
    """The shape of *value* (hashable); its substitutable strings appended to *leaves*."""
    # Strings directly in a dict or list (most of them) are handled in its loop, as the
    # first branch would handle them, without a call each.
    if isinstance(value, str):
        if keyed or value.startswith("_:"):
            return ("k", value)
        leaves.append(value)
        return _LEAF
    if isinstance(value, dict):
        items: list[Any] = ["{"]
        for key, item in value.items():
            if not isinstance(key, str):
                raise _Unsupported
            if key == "@context":
                items.append((key, _context_key(item)))
                continue
            keyed_item = key == "type" or (key[:1] == "@" and key != "@id" and key != "@value")  # _keyed(key)
            if type(item) is str:
                if keyed_item or item.startswith("_:"):
                    items.append((key, ("k", item)))
                else:
                    leaves.append(item)
                    items.append((key, _LEAF))
            else:
                items.append((key, _shape(item, keyed_item, leaves)))
        return tuple(items)
    if isinstance(value, list):
        shaped: list[Any] = ["["]
        for item in value:
            if type(item) is str:
                if keyed or item.startswith("_:"):
                    shaped.append(("k", item))
                else:
                    leaves.append(item)
                    shaped.append(_LEAF)
            else:
                shaped.append(_shape(item, keyed, leaves))
        return tuple(shaped)
    if value is None or isinstance(value, (bool, int, float)):
        # repr, not the value: 1 == 1.0 == True, and -0.0 == 0.0, yet JSON-LD to RDF
        # writes each differently (JSON-LD 1.1 API §8.6 Object to RDF Conversion).
        return (type(value).__name__, repr(value))
    raise _Unsupported


def _replace(value: Any, keyed: bool, new: list[str], position: list[int]) -> Any:
    """A copy of *value* with its leaves (in :func:`_shape` order) replaced by *new*."""
    if isinstance(value, str):
        if keyed or value.startswith("_:"):
            return value
        position[0] += 1
        return new[position[0] - 1]
    if isinstance(value, dict):
        return {
            key: copy.deepcopy(item) if key == "@context" else _replace(item, _keyed(key), new, position)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_replace(item, keyed, new, position) for item in value]
    return value


def _placeholder(nonce: str, index: int, like: str) -> str:
    """A unique string for leaf *index* that IRI expansion treats as it treats *like*."""
    match = _SCHEME.match(like)
    token = f"{_TOKEN}{nonce}v{index}z"
    if match is None:
        return token
    return f"{match.group(1)}:{'//' if match.group(2) else ''}{token}"


def _prepare(
    leaves: list[str], roles: tuple[str, ...]
) -> tuple[tuple[str, ...], tuple[Any, ...], tuple[int, ...]] | None:
    """The values to substitute (literals escaped as pyld's N-Quads escapes them), and for
    the leaves that are IRIs: scheme and authority of each, and which are equal; None if a
    value may not be substituted (see the module's docstring)."""
    values = []
    classes = []
    pattern = []
    first: dict[str, int] = {}
    for index, (value, role) in enumerate(zip(leaves, roles)):
        if role == "l":
            if len(value) < _LONG:
                literal = _literal(value)
            else:  # descriptions, criteria: the same long texts in every credential of an achievement
                literal = _literal_memo.get(value)
                if literal is None:
                    literal = _literal(value)
                    _remember(_literal_memo, value, literal, _IRI_MEMO_LIMIT)
            if literal is _DOUBT:
                return None
            values.append(literal)
        else:
            iri_class = _iri_memo.get(value, _UNKNOWN)
            if iri_class is _UNKNOWN:  # (the same ids recur in every document of a site)
                iri_class = _iri_class(value)
                _remember(_iri_memo, value, iri_class, _IRI_MEMO_LIMIT)
            if iri_class is _DOUBT:
                return None
            values.append(value)
            classes.append(iri_class)
            pattern.append(first.setdefault(value, index))
    return tuple(values), tuple(classes), tuple(pattern)


_DOUBT: Any = object()
_iri_memo: dict[str, Any] = {}  # IRI -> _iri_class(IRI)
_LONG = 64
_literal_memo: dict[str, Any] = {}  # literal of _LONG characters or more -> _literal(literal)


def _literal(value: str) -> Any:
    """The literal *value* as substituted (escaped as pyld escapes it); ``_DOUBT`` if it may not be."""
    if _LITERAL_PLAIN.search(value) is None:
        return value
    if _LITERAL_DOUBT.search(value):
        return _DOUBT
    return escape(value)


def _iri_class(value: str) -> Any:
    """Scheme of the IRI *value* and whether an authority follows; ``_DOUBT`` if it may not be substituted."""
    if not jsonld._is_absolute(value) or value in _context_terms() or _IRI_DOUBT.search(value):
        return _DOUBT
    match = _SCHEME.match(value)
    return (match.group(1), bool(match.group(2))) if match else None


@cache
def _context_terms() -> frozenset[str]:
    """Every key of every bundled context: a value equal to a term may expand as that term
    (JSON-LD 1.1 API §4.2 IRI Expansion, step 4), so it is never substituted."""
    terms: set[str] = set()
    stack: list[Any] = [contexts.document_loader(url)["document"] for url in contexts.context_index()]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            terms.update(value)
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return frozenset(terms)


# --- Learning a shape: pyld on a document of placeholders -----------------------------


def _probe(document: Any, placeholders: list[str], nonce: str) -> list[tuple[str | int, ...]] | None:
    """Quads of *document* with its leaves replaced by *placeholders*, each line cut into
    parts (see :class:`_Template`), blank nodes as ``-k - 1``; None if any placeholder
    lands anywhere but a whole literal or a whole IRI, or in ``rdf:type``."""
    marker = _TOKEN + nonce
    try:
        dataset = jsonld.rdf_dataset(jsonld.checked_expand(_replace(document, False, placeholders, [0])))
    except JsonLdError:
        return None
    index: dict[str, int] = {}
    for i, p in enumerate(placeholders):
        index.setdefault(p, i)  # equal placeholders (equal IRIs): the first leaf
    bnodes: dict[str, str] = {}
    lines = []
    for graph, triples in dataset.items():
        for triple in triples:
            quad = {name: dict(component) for name, component in triple.items()}
            if graph != "@default":  # as URDNA2015's step 2 adds it (pyld canon.main)
                quad["name"] = {"type": "blank node" if graph.startswith("_:") else "IRI", "value": graph}
            for name, component in quad.items():
                value = component["value"]
                if component["type"] == "blank node":
                    label = bnodes.setdefault(value, f"_:{marker}b{len(bnodes)}z")
                    component["value"] = label
                elif marker in value and (
                    value not in index
                    or name == "predicate"
                    or (name == "object" and quad["predicate"]["value"] == _RDF_TYPE)
                ):
                    return None
                elif marker in (component.get("datatype") or "") or marker in (component.get("language") or ""):
                    return None
            lines.append(serialize_nquad(quad))
    cut = re.compile("|".join(re.escape(p) for p in sorted({*index, *bnodes.values()}, key=len, reverse=True)))
    slots: dict[str, int] = dict(index) | {label: -k - 1 for k, label in enumerate(bnodes.values())}
    parts = []
    for line in lines:
        pieces: list[str | int] = []
        start = 0
        for match in cut.finditer(line):
            if match.start() > start:
                pieces.append(line[start : match.start()])
            pieces.append(slots[match.group()])
            start = match.end()
        if start < len(line):
            pieces.append(line[start:])
        parts.append(tuple(pieces))
    return parts


def _roles_of(lines: list[tuple[str | int, ...]], count: int) -> tuple[str, ...] | None:
    """Literal ("l"), IRI ("i") or nowhere ("-") for each leaf, from where its placeholder landed."""
    literal = [0] * count
    iri = [0] * count
    for line in lines:
        for position, part in enumerate(line):
            if isinstance(part, int) and part >= 0:
                before = line[position - 1] if position else ""
                if isinstance(before, str) and before.endswith('"'):
                    literal[part] += 1
                elif isinstance(before, str) and before.endswith("<"):
                    iri[part] += 1
                else:
                    return None
    roles = []
    for lit, ref in zip(literal, iri):
        if lit == 1 and ref == 0:
            roles.append("l")
        elif ref >= 1 and lit == 0:
            roles.append("i")
        elif ref == lit == 0:
            roles.append("-")  # lands nowhere, or shares the placeholder of an equal IRI
        else:
            return None
    return tuple(roles)


def _learn_roles(document: Any, leaves: list[str]) -> tuple[str, ...] | None:
    """Which leaves become literals and which IRIs (every leaf its own placeholder)."""
    stats["shapes"] += 1
    nonce = secrets.token_hex(8)
    lines = _probe(document, [_placeholder(nonce, i, value) for i, value in enumerate(leaves)], nonce)
    roles = None if lines is None else _roles_of(lines, len(leaves))
    return None if roles is None or "-" in roles else roles


def _learn_template(
    document: Any, leaves: list[str], roles: tuple[str, ...], pattern: tuple[int, ...], values: tuple[str, ...]
) -> tuple[_Template | None, str | None]:
    """The template of this document's shape, checked against pyld on the document itself
    (*values*: the leaves as :func:`_prepare` gives them)."""
    nonce = secrets.token_hex(8)
    placeholders = [_placeholder(nonce, i, value) for i, value in enumerate(leaves)]
    iri_leaves = [i for i, role in enumerate(roles) if role == "i"]
    for leaf, first in zip(iri_leaves, pattern):  # equal IRIs stay equal (one node)
        placeholders[leaf] = placeholders[first]
    lines = _probe(document, placeholders, nonce)
    expected = list(roles)
    for leaf, first in zip(iri_leaves, pattern):
        if first != leaf:
            expected[leaf] = "-"
    if lines is None or _roles_of(lines, len(leaves)) != tuple(expected):
        return None, None
    occurrences: list[list[int]] = []
    for number, line in enumerate(lines):
        for part in line:
            if isinstance(part, int) and part < 0:
                while len(occurrences) < -part:
                    occurrences.append([])
                occurrences[-part - 1].append(number)
    template = _Template.of(lines, occurrences, len(leaves))
    result = _render(template, values)
    reference = jsonld.canonize_expanded(jsonld.checked_expand(document))
    if result != reference:
        return None, None
    return template, result


# --- Rendering a document of a known shape ----------------------------------------------


def _render(template: _Template, values: tuple[str, ...]) -> str | None:
    """Canonical N-Quads of the template with *values* (see :func:`_prepare`); None if Hash
    N-Degree Quads is needed."""
    formats = template.formats
    count = len(template.bnode_lines)
    own = _OWN[:count] if count <= len(_OWN) else tuple(f"_:{index}" for index in range(count))
    arguments = (*values, *own)
    # Every line, blank node hash and labelled line that depends only on values equal to
    # those of the template's last document is taken from it, not made again.
    last = template.last[0] if template.last else None
    if last is None:
        changed = set(range(len(formats)))  # the lines with a value other than last's
        rendered = [line.format(*arguments) for line in formats]
    else:
        changed = set()
        for index, (value, before) in enumerate(zip(values, last.values)):
            if value != before:
                changed.update(template.uses[index])
        rendered = list(last.own)
        for number in changed:
            rendered[number] = formats[number].format(*arguments)
    own_lines = tuple(rendered)
    # An RDF dataset is a set (RDF 1.1 Concepts §4): equal values of one property of one
    # node are one quad (JSON-LD's node map merges them), so lines that come out equal,
    # blank nodes told apart by their place in the shape, are kept once.
    kept: frozenset[int] | None = None  # None: every line
    if len(set(rendered)) < len(rendered):
        first: dict[str, int] = {}
        kept = frozenset(first.setdefault(text, number) for number, text in enumerate(rendered))
    if not count:
        template.last[:] = [_Rendered(values, own_lines, kept, (), (), own_lines)]
        return "".join(sorted(rendered if kept is None else [rendered[number] for number in kept]))
    # RDFC-1.0 §4.6 Hash First Degree Quads: the node itself is _:a, every other _:z
    # (already in the node's patterns).
    reuse = last if last is not None and kept == last.kept else None  # (the same lines are kept)
    hashes = []
    for node, found in enumerate(template.hash_formats):
        if reuse is not None and not any(number in changed for number, _ in found):
            hashes.append(reuse.hashes[node])
            continue
        quads = sorted(line.format(*values) for number, line in found if kept is None or number in kept)
        hashes.append(hashlib.sha256("".join(quads).encode("utf-8")).hexdigest())
    if len(set(hashes)) < count:
        return None
    # §4.4.3 step 5: every hash unique, so canonical labels go in hash order; only the
    # lines that name a blank node change.
    labels = [""] * count
    for number, node in enumerate(sorted(range(count), key=hashes.__getitem__)):
        labels[node] = f"_:c14n{number}"
    reuse = last if last is not None and tuple(labels) == last.labels else None
    arguments = (*values, *labels)
    for number in template.labelled:
        if reuse is not None and number not in changed:
            rendered[number] = reuse.final[number]
        else:
            rendered[number] = formats[number].format(*arguments)
    template.last[:] = [_Rendered(values, own_lines, kept, tuple(hashes), tuple(labels), tuple(rendered))]
    return "".join(sorted(rendered if kept is None else [rendered[number] for number in kept]))
