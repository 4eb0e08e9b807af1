"""Parsed YAML remembered by the bytes of its file (credpress.content.parsed)."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from credpress.content import load, parsed
from credpress.content.load import LineDict, LineList, load_content

EXAMPLE = Path(__file__).resolve().parent.parent / "content"


class Store:
    code = "test code"

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], bytes] = {}
        self.reads = 0

    def get(self, kind: str, key: str) -> bytes | None:
        self.reads += 1
        return self.entries.get((kind, key))

    def put(self, kind: str, key: str, body: bytes) -> None:
        self.entries[kind, key] = body


def same(a, b) -> bool:
    """Equal values of equal types, with equal lines at every level."""
    if type(a) is not type(b):
        return False
    if isinstance(a, LineDict):
        return a.line == b.line and a.lines == b.lines and list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, LineList):
        return a.line == b.line and a.lines == b.lines and len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, float) and a != a:
        return b != b
    return a == b and (not isinstance(a, datetime) or a.utcoffset() == b.utcoffset())


def loaded_files(content: Path, store: Store | None):
    loaded = load_content(content, store)
    files = [loaded.site, *loaded.issuers.values(), *loaded.achievements.values(), *loaded.awards]
    return {f.path: f.data for f in files}, loaded.problems, loaded.warnings


def test_the_example_content_loads_the_same_from_the_cache():
    store = Store()
    first, problems, warnings = loaded_files(EXAMPLE, store)
    assert not problems and len(store.entries) == len(first)
    plain = loaded_files(EXAMPLE, None)
    again = loaded_files(EXAMPLE, store)
    assert again[1:] == plain[1:] == (problems, warnings)
    assert set(again[0]) == set(plain[0]) and all(same(again[0][p], plain[0][p]) for p in plain[0])


SCALARS = st.one_of(
    st.text(max_size=12),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.dates(),
    st.datetimes(timezones=st.sampled_from([None, timezone.utc, timezone(timedelta(hours=-5, minutes=-30))])),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(VALUES)
def test_any_yaml_value_comes_back_exactly(value):
    text = yaml.safe_dump({"value": value}, allow_unicode=True)
    problems: list = []
    warnings: list = []
    data = load.parse_yaml(text, "x.yaml", problems, warnings)
    if problems:
        return  # (refused by the loader: nothing is kept then)
    entry = parsed.encode(data, warnings)
    assert entry is not None
    back, notes = parsed.decode(entry, "x.yaml")
    assert same(back, data) and notes == warnings


def test_a_file_with_problems_is_not_kept_and_warnings_name_the_file_as_it_is_now(tmp_path):
    store = Store()
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [1, 2\n", "utf-8")
    problems: list = []
    assert load.read_yaml_file(bad, "content/bad.yaml", problems, [], parsed=store) is None
    assert problems and not store.entries
    decomposed = tmp_path / "name.yaml"
    decomposed.write_text("name: " + unicodedata.normalize("NFD", "Zoë") + "\n", "utf-8")
    warnings: list = []
    first = load.read_yaml_file(decomposed, "content/name.yaml", [], warnings, parsed=store)
    assert first["name"] == "Zoë" and [w.message for w in warnings] == ["text was normalized to Unicode NFC"]
    renamed: list = []
    again = load.read_yaml_file(decomposed, "content/renamed.yaml", [], renamed, parsed=store)
    assert same(again, first) and [(w.path, w.message) for w in renamed] == [
        ("content/renamed.yaml", "text was normalized to Unicode NFC")
    ]


def test_an_entry_that_is_not_one_is_parsed_again(tmp_path):
    store = Store()
    path = tmp_path / "a.yaml"
    path.write_text("when: 2026-01-05\nlist: [a, b]\n", "utf-8")
    first = load.read_yaml_file(path, "a.yaml", [], [], parsed=store)
    (key,) = store.entries
    for garbage in (b"not json", b"{}", b'{"tree": {"m": [1]}, "warnings": []}'):
        store.entries[key] = garbage
        assert same(load.read_yaml_file(path, "a.yaml", [], [], parsed=store), first)
    assert first["when"] == date(2026, 1, 5)
