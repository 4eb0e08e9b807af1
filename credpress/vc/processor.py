"""A faster pyld processor for our own canonicalizer (private; pyld itself is untouched).

pyld re-processes every type-scoped context of the OB context for every node of
every document (its own cache is keyed on freshly cloned active contexts, so it
never hits below the top level), and thousands of credentials embed the same
issuer Profile and the same few Achievements. :class:`MemoProcessor` is a
subclass of pyld's ``JsonLdProcessor`` that memoises both, and only
:mod:`credpress.vc.jsonld` uses it: other importers of pyld get pyld exactly as
published. pyld is pinned (pyproject.toml) to the version this was checked
against; tests/test_jsonld.py and tests/test_jsonld_expand_memo.py compare the
canonical forms with unmodified pyld.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import OrderedDict
from typing import Any

from pyld import jsonld as _pyld

from .contexts import document_loader

_lock = threading.Lock()
_CONTEXT_MEMO_SIZE = 4096
_EXPAND_MEMO_SIZE = 2048
_UNKEYED_OPTIONS = ("documentLoader", "contextResolver")
_context_memo: OrderedDict[tuple[Any, ...], tuple[Any, Any, Any]] = OrderedDict()
_expand_memo: OrderedDict[tuple[Any, ...], str] = OrderedDict()


def _local_key(local_ctx: Any) -> tuple[Any, ...]:
    if isinstance(local_ctx, str):
        return ("url", local_ctx)
    if isinstance(local_ctx, list) and all(isinstance(item, str) for item in local_ctx):
        return ("urls", tuple(local_ctx))
    return ("obj", id(local_ctx))


class MemoProcessor(_pyld.JsonLdProcessor):
    """pyld's processor with two memos, valid only with our offline document loader."""

    def _process_context(
        self,
        active_ctx: Any,
        local_ctx: Any,
        options: Any,
        override_protected: bool = False,
        propagate: bool = True,
        validate_scoped: bool = True,
        cycles: Any = None,
    ) -> Any:
        # Processing a context is a pure function of the active context, the local
        # context and a few flags, and pyld treats processed contexts as immutable,
        # so it is memoised by identity: canonicalising a credential ~15x faster.
        args = (override_protected, propagate, validate_scoped, cycles)
        active_id = active_ctx.get("_uuid") if hasattr(active_ctx, "get") else None
        if cycles or active_id is None or options.get("documentLoader") is not document_loader:
            return super()._process_context(active_ctx, local_ctx, options, *args)
        local_key = _local_key(local_ctx)
        key = (active_id, local_key, override_protected, propagate, validate_scoped, options.get("base"))
        with _lock:
            hit = _context_memo.get(key)
        # An identity key is only valid while the very same object is alive; we hold it.
        if hit is not None and (local_key[0] != "obj" or hit[0] is local_ctx):
            return hit[1]
        result = super()._process_context(active_ctx, local_ctx, options, *args)
        if isinstance(result, dict):
            result.setdefault("_uuid", str(uuid.uuid1()))
            with _lock:
                _context_memo[key] = (local_ctx, result, active_ctx)
                while len(_context_memo) > _CONTEXT_MEMO_SIZE:
                    _context_memo.popitem(last=False)
        return result

    def _expand(
        self,
        active_ctx: Any,
        active_property: Any,
        element: Any,
        options: Any,
        inside_list: bool = False,
        inside_index: Any = False,
        type_scoped_ctx: Any = None,
    ) -> Any:
        # Expanding an object is a pure function of the active context (by identity,
        # as above), the property it sits under, the expansion flags and its JSON
        # text, so below the top level each object's expanded form is kept as JSON
        # text and a fresh copy handed out on every hit (~2 ms -> ~1.2 ms a credential).
        args = (inside_list, inside_index, type_scoped_ctx)
        if type(element) is not dict or active_property is None or options.get("documentLoader") is not document_loader:
            return super()._expand(active_ctx, active_property, element, options, *args)
        active_id = active_ctx.get("_uuid")
        scoped_id = None if type_scoped_ctx is None else type_scoped_ctx.get("_uuid")
        flags = tuple(sorted((k, v) for k, v in options.items() if k not in _UNKEYED_OPTIONS))
        try:
            key: tuple[Any, ...] | None = (
                active_id,
                scoped_id,
                active_property,
                inside_list,
                inside_index,
                flags,
                json.dumps(element),
            )
            hash(key)
        except (TypeError, ValueError):  # not JSON, or an option that is not a plain value
            key = None
        if key is None or active_id is None or (type_scoped_ctx is not None and scoped_id is None):
            return super()._expand(active_ctx, active_property, element, options, *args)
        with _lock:
            hit = _expand_memo.get(key)
            if hit is not None:
                _expand_memo.move_to_end(key)  # LRU: shared objects outlive each credential's own
        if hit is not None:
            return json.loads(hit)
        result = super()._expand(active_ctx, active_property, element, options, *args)
        try:
            text = json.dumps(result)
        except (TypeError, ValueError):
            return result
        with _lock:
            _expand_memo[key] = text
            while len(_expand_memo) > _EXPAND_MEMO_SIZE:
                _expand_memo.popitem(last=False)
        return result
