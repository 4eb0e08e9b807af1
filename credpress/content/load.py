"""Stage 1, load: read the content folder's YAML, keeping the line of every key.

YAML is composed into nodes with PyYAML's *safe* loader (no Python tags) and
turned into :class:`Doc` values that remember where each key and item stood, so
later stages can point an error at ``path:line``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from yaml.constructor import SafeConstructor

from ..errors import Problem

if TYPE_CHECKING:
    from .parsed import EntryStore

# A content file is hand-written YAML; anything larger is a mistake or an attack.
MAX_FILE_BYTES = 2 * 1024 * 1024
# Upper bound on nodes after alias expansion (guards against "billion laughs").
MAX_NODES = 200_000
MAX_DEPTH = 32
# libyaml's parser when present (same safe semantics and marks, 10x faster).
_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_RESOLVED_LIMIT = 65_536  # distinct scalars remembered per file


class _SafeLoader(_BASE_LOADER):  # type: ignore[misc,valid-type]
    """The safe loader, remembering the tag of each distinct plain scalar it has resolved.

    Resolving runs in Python for every scalar (a regular expression per candidate
    type, YAML 1.1 implicit types), and half the scalars of an awards file are the
    same few keys. The tag of a scalar depends only on its value and on whether it
    was written plain or quoted (BaseResolver.resolve), as long as no path resolver
    is registered (the safe loader has none), so it is remembered by those.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._resolved: dict[tuple[str, tuple[bool, bool]], str] = {}
        self._candidates: dict[str, list[tuple[str, Any]]] = {}

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> Any:
        if kind is not yaml.ScalarNode or self.yaml_path_resolvers:
            return super().resolve(kind, value, implicit)
        key = (value, implicit)
        tag = self._resolved.get(key)
        if tag is None:
            tag = self._scalar_tag(value, implicit[0])
            if len(self._resolved) < _RESOLVED_LIMIT:
                self._resolved[key] = tag
        return tag

    def _scalar_tag(self, value: str, plain: bool) -> str:
        """BaseResolver.resolve for a scalar, without path resolvers: the first implicit resolver
        (those of its first character, then those of any character) whose expression matches a
        plain scalar, else the default scalar tag."""
        if plain:
            first = value[:1]
            candidates = self._candidates.get(first)
            if candidates is None:
                resolvers = self.yaml_implicit_resolvers
                candidates = self._candidates[first] = resolvers.get(first, []) + resolvers.get(None, [])
            for tag, expression in candidates:
                if expression.match(value):
                    return tag
        return self.DEFAULT_SCALAR_TAG


_SAFE_LOADER = _SafeLoader


_STR = "tag:yaml.org,2002:str"
# Only plain data: YAML's standard scalar, list and mapping types. Anything else
# (!!python/object, !!binary, custom !tags) is refused.
_PLAIN_TAGS = {
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map", "merge")
}


class LineDict(dict):
    """A mapping that remembers the line of each key (``lines[key]``)."""

    line: int
    lines: dict[str, int]


class LineList(list):
    """A list that remembers the line of each item (``lines[i]``)."""

    line: int
    lines: list[int]


@dataclass
class SourceFile:
    """One YAML file: its display path and its parsed data (None if unreadable)."""

    path: str
    data: Any


@dataclass
class LoadedContent:
    """Everything read from the content folder, before validation."""

    root: Path
    site: SourceFile | None
    issuers: dict[str, SourceFile] = field(default_factory=dict)
    achievements: dict[str, SourceFile] = field(default_factory=dict)
    awards: list[SourceFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def display(self, path: Path) -> str:
        return display_path(self.root, path)


def display_path(root: Path, path: Path) -> str:
    """The path as a user would type it: ``content/awards/x.yaml``."""
    try:
        return str(Path(root.name) / path.relative_to(root))
    except ValueError:
        return str(path)


class _Converter:
    """Turns a composed YAML node tree into LineDict/LineList/scalars."""

    def __init__(self, path: str, problems: list[Problem], warnings: list[Problem]):
        self.path = path
        self.problems = problems
        self.warnings = warnings
        self.count = 0
        self.constructor = SafeConstructor()
        self.normalized = False

    def convert(self, node: yaml.Node, depth: int = 0) -> Any:
        self.count += 1
        if node.tag not in _PLAIN_TAGS:
            raise _Abort(node.start_mark.line + 1, f"YAML tag {node.tag} is not allowed")
        if self.count > MAX_NODES:
            raise _Abort(node.start_mark.line + 1, f"document has more than {MAX_NODES} values (alias expansion?)")
        if depth > MAX_DEPTH:
            raise _Abort(node.start_mark.line + 1, f"nested deeper than {MAX_DEPTH} levels")
        if node.tag == _STR and isinstance(node, yaml.ScalarNode):
            # What SafeConstructor gives for a string (construct_yaml_str), without its dispatch.
            return self._text(node.value)
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            result = LineDict()
            result.line, result.lines = line, {}
            # YAML merge keys (yaml.org/type/merge.html): flatten_mapping puts the merged pairs
            # first, so a later pair overrides them; only a key written twice is a duplicate.
            written = {id(key_node) for key_node, _ in node.value}
            self.constructor.flatten_mapping(node)
            explicit: set[str] = set()
            for key_node, value_node in node.value:
                key = self.convert(key_node, depth + 1)
                if not isinstance(key, str):
                    raise _Abort(key_node.start_mark.line + 1, f"key {key!r} is not a string")
                if id(key_node) in written:
                    if key in explicit:
                        raise _Abort(key_node.start_mark.line + 1, f"duplicate key '{key}'")
                    explicit.add(key)
                result[key] = self.convert(value_node, depth + 1)
                result.lines[key] = key_node.start_mark.line + 1
            return result
        if isinstance(node, yaml.SequenceNode):
            items = LineList()
            items.line, items.lines = line, []
            for item in node.value:
                items.append(self.convert(item, depth + 1))
                items.lines.append(item.start_mark.line + 1)
            return items
        try:
            value = self.constructor.construct_object(node, deep=True)
        except ValueError:
            # e.g. 2026-02-30 matches YAML's timestamp pattern but is no date: keep the
            # text so the field's checker can say what is wrong with it.
            value = node.value
        return self._text(value) if isinstance(value, str) else value

    def _text(self, value: str) -> str:
        if value.isascii():  # always NFC
            return value
        nfc = unicodedata.normalize("NFC", value)
        if nfc != value:
            self.normalized = True
        return nfc


class _Abort(Exception):
    def __init__(self, line: int, message: str):
        self.line, self.message = line, message


def parse_yaml(text: str, path: str, problems: list[Problem], warnings: list[Problem]) -> Any:
    """Parse one YAML document; on failure add a Problem and return None."""
    try:
        node = yaml.compose(text, Loader=_SAFE_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problems.append(Problem(path, line, "", f"YAML syntax error: {exc.problem or exc}"))
        return None
    except yaml.YAMLError as exc:
        problems.append(Problem(path, None, "", f"YAML error: {exc}"))
        return None
    if node is None:
        return None
    converter = _Converter(path, problems, warnings)
    try:
        data = converter.convert(node)
    except _Abort as abort:
        problems.append(Problem(path, abort.line, "", abort.message))
        return None
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        problems.append(Problem(path, mark.line + 1 if mark else None, "", f"YAML tag not allowed: {exc.problem}"))
        return None
    if converter.normalized:
        warnings.append(Problem(path, None, "", "text was normalized to Unicode NFC"))
    return data


def read_yaml_file(
    path: Path,
    display: str,
    problems: list[Problem],
    warnings: list[Problem],
    root: Path | None = None,
    parsed: EntryStore | None = None,
) -> Any:
    """Read and parse one file, reporting unreadable, oversized or non-UTF-8 files,
    and links that lead outside the content folder. With *parsed* (the build cache),
    a file parsed before with the same bytes is not parsed again (:mod:`.parsed`)."""
    if root is not None and not path.resolve().is_relative_to(Path(root).resolve()):
        problems.append(Problem(display, None, "", "is a link to a file outside the content folder"))
        return None
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(display, None, "", f"cannot read file: {exc.strerror}"))
        return None
    if len(raw) > MAX_FILE_BYTES:
        problems.append(Problem(display, None, "", f"file is larger than {MAX_FILE_BYTES} bytes"))
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(Problem(display, line, "", "file is not valid UTF-8"))
        return None
    if parsed is None:
        return parse_yaml(text, display, problems, warnings)
    from . import parsed as memo

    key = memo.entry_key(parsed, raw)
    body = parsed.get("parsed", key)
    found = memo.decode(body, display) if body is not None else None
    if found is not None:
        warnings += found[1]
        return found[0]
    before_problems, before_warnings = len(problems), len(warnings)
    data = parse_yaml(text, display, problems, warnings)
    if len(problems) == before_problems:
        entry = memo.encode(data, warnings[before_warnings:])
        if entry is not None:
            parsed.put("parsed", key, entry)
    return data


YAML_SUFFIXES = (".yaml", ".yml")


def _content_files(loaded: LoadedContent, paths: Iterable[Path]) -> list[Path]:
    """The YAML files among *paths*; anything else not hidden is ignored with a warning
    naming it (``x.YAML`` or ``x.yaml.txt`` is likely content that would be lost)."""
    files = []
    for path in sorted(paths):
        if any(part.startswith(".") for part in path.relative_to(loaded.root).parts):
            continue
        if path.suffix in YAML_SUFFIXES and path.is_file():
            files.append(path)
        else:
            message = (
                "ignored: folders are not read here"
                if path.is_dir()
                else "ignored: only files ending in .yaml or .yml (lower case) are read"
            )
            loaded.warnings.append(Problem(loaded.display(path), None, "", message))
    return files


def load_content(root: Path, parsed: EntryStore | None = None) -> LoadedContent:
    """Read ``site.yaml``, ``issuers/``, ``achievements/`` and ``awards/`` under *root*
    (with *parsed*, files parsed before are not parsed again: :func:`read_yaml_file`)."""
    root = Path(root)
    loaded = LoadedContent(root=root, site=None)
    problems, warnings = loaded.problems, loaded.warnings
    if not root.is_dir():
        problems.append(Problem(str(root), None, "", "content folder not found"))
        return loaded
    site_path = root / "site.yaml"
    if site_path.is_file():
        display = loaded.display(site_path)
        loaded.site = SourceFile(display, read_yaml_file(site_path, display, problems, warnings, root, parsed))
    else:
        problems.append(Problem(loaded.display(site_path), None, "", "file not found"))
    for kind in ("issuers", "achievements"):
        target = getattr(loaded, kind)
        folder = root / kind
        for path in _content_files(loaded, folder.iterdir() if folder.is_dir() else ()):
            display = loaded.display(path)
            if path.stem in target:
                problems.append(
                    Problem(display, None, "", f"duplicate slug '{path.stem}' (also {target[path.stem].path})")
                )
                continue
            target[path.stem] = SourceFile(display, read_yaml_file(path, display, problems, warnings, root, parsed))
    awards_dir = root / "awards"
    awards = [p for p in awards_dir.rglob("*") if not p.is_dir()] if awards_dir.is_dir() else []
    for path in _content_files(loaded, awards):
        display = loaded.display(path)
        loaded.awards.append(SourceFile(display, read_yaml_file(path, display, problems, warnings, root, parsed)))
    return loaded
