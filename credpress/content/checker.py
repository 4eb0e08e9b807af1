"""The checking engine: a content file against its schema, collecting every problem.

Each problem carries ``path:line: field``; unknown keys are warnings (probable
typos) with a "did you mean"; ``--strict`` makes warnings errors.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from ..errors import Problem
from .fields import Invalid, kind
from .images import image_file, preview_image_file
from .load import LineDict, LineList
from .model import ImageFile
from .schemas import ListOf, Schema

BAD = object()  # what a check returns for a value it reported


class Checker:
    """Collects problems for one content folder while checking its files."""

    def __init__(self, root: Path, problems: list[Problem], warnings: list[Problem]):
        self.root = root
        self.problems = problems
        self.warnings = warnings

    def error(self, path: str, line: int | None, field: str, message: str) -> None:
        self.problems.append(Problem(path, line, field, message))

    def warn(self, path: str, line: int | None, field: str, message: str) -> None:
        self.warnings.append(Problem(path, line, field, message))

    def mapping(self, data: Any, schema: Schema, path: str, prefix: str = "", line: int | None = None) -> dict | None:
        """Check a YAML mapping against *schema*; None if any field was wrong."""
        if not isinstance(data, LineDict):
            self.error(path, getattr(data, "line", line), prefix.rstrip("."), f"must be a mapping, not {kind(data)}")
            return None
        ok = True
        result: dict[str, Any] = {}
        for key, value in data.items():
            where = data.lines.get(key, data.line)
            if key not in schema:
                hint = difflib.get_close_matches(key, schema, 1)
                self.warn(
                    path, where, prefix + key, "unknown field" + (f" (did you mean '{hint[0]}'?)" if hint else "")
                )
                continue
            if value is None:
                continue
            checked = self.value(value, schema[key].check, path, prefix + key, where)
            if checked is BAD:
                ok = False
            else:
                result[key] = checked
        for key, spec in schema.items():
            if spec.required and key not in result and (key not in data or data[key] is None):
                self.error(path, data.line, prefix + key, "required field is missing")
                ok = False
        return result if ok else None

    def value(self, value: Any, check: Any, path: str, field: str, line: int | None) -> Any:
        if isinstance(check, dict):
            checked = self.mapping(value, check, path, field + ".", line)
            return BAD if checked is None else checked
        if isinstance(check, ListOf):
            if not isinstance(value, LineList):
                self.error(path, line, field, f"must be a list, not {kind(value)}")
                return BAD
            if len(value) > check.max_items:
                self.error(path, line, field, f"has more than {check.max_items} items")
                return BAD
            items = [
                self.value(item, check.item, path, f"{field}[{i}]", value.lines[i]) for i, item in enumerate(value)
            ]
            return BAD if any(item is BAD for item in items) else items
        try:
            return check(value)
        except Invalid as exc:
            self.error(path, line, field, str(exc))
            return BAD

    def image(self, rel: str, path: str, line: int | None, field: str) -> ImageFile | None:
        """Resolve an image path under content/ and check the file; None (reported) if bad."""
        try:
            return image_file(self.root, rel)
        except Invalid as exc:
            self.error(path, line, field, str(exc))
            return None

    def preview_image(self, data: dict, source: Any) -> ImageFile | None | object:
        """The checked ``preview_image`` of a file's fields: None if absent, BAD (reported) if wrong."""
        if "preview_image" not in data:
            return None
        try:
            return preview_image_file(self.root, data["preview_image"])[0]
        except Invalid as exc:
            self.error(source.path, source.data.lines["preview_image"], "preview_image", str(exc))
            return BAD
