"""Signed credentials kept in a temporary file (credpress.documents.signed_store)."""

from __future__ import annotations

import multiprocessing
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credpress.documents import signed_store
from credpress.documents.signed_store import SignedStore


@settings(max_examples=50, deadline=None, derandomize=True)
@given(st.lists(st.binary(max_size=5000), max_size=30))
def test_what_is_added_is_read_back_in_any_order(items):
    with SignedStore() as store:
        places = [store.add(item) for item in items]
        for item, place in reversed(list(zip(items, places))):
            assert signed_store.read(place) == item


def _read_in_child(place, queue):
    queue.put(signed_store.read(place))


def test_a_forked_worker_reads_the_store_it_inherited():
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork on this platform")  # credpress uses one process there
    context = multiprocessing.get_context("fork")
    with SignedStore() as store:
        first = store.add(b"first credential")
        second = store.add(os.urandom(70_000))  # more than a pipe's buffer or a page
        queue = context.Queue()
        children = [context.Process(target=_read_in_child, args=(place, queue)) for place in (first, second)]
        for child in children:
            child.start()
        got = {queue.get(timeout=30) for _ in children}
        for child in children:
            child.join(30)
        assert got == {signed_store.read(first), signed_store.read(second)}
        assert b"first credential" in got


def test_a_closed_store_refuses_to_read_and_leaves_no_file(tmp_path):
    store = SignedStore(str(tmp_path))
    place = store.add(b"x" * 10)
    assert list(tmp_path.iterdir()) == []  # anonymous: never a name in the folder
    store.close()
    with pytest.raises(ValueError, match="closed"):
        signed_store.read(place)


def test_a_stored_record_gives_the_same_document_and_bytes(small_content, key_file, tmp_path, monkeypatch):
    import hashlib

    from conftest import make_build

    from credpress import pipeline

    seen = []
    real = pipeline.sign_credentials

    def spy(*args, **kwargs):
        records = real(*args, **kwargs)
        for record in records:  # kept out of memory, read back whole
            assert record.signed_json is None and record.signed_stored is not None
            assert hashlib.sha256(record.document_bytes).hexdigest() == record.signed_digest
            assert record.document["id"] == record.url
        seen.extend(records)
        return records

    monkeypatch.setattr(pipeline, "sign_credentials", spy)
    make_build(small_content, tmp_path / "_site", key_file, cache=False)
    assert len(seen) == 5
    for record in seen:  # the store is closed with the build; what was published is what it held
        with pytest.raises(ValueError, match="closed"):
            record.document_bytes  # noqa: B018
        published = (tmp_path / "_site" / record.json_path).read_bytes()
        assert hashlib.sha256(published).hexdigest() == record.signed_digest
