"""Exceptions and problem reports shared by every stage.

The library raises these; only the CLI turns them into exit codes and text.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or suspicious) in the content, with its location.

    Prints as ``path:line: field: message`` (the line and field are left out
    when unknown), the format every content message uses.
    """

    path: str
    line: int | None
    field: str
    message: str

    def sort_key(self) -> tuple[str, int, str, str]:
        """Order problems by file, line, field and message."""
        return (self.path, self.line or 0, self.field, self.message)

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class CredpressError(Exception):
    """Base class of every error credpress raises on purpose."""


class ContentError(CredpressError):
    """The content has one or more errors; nothing was written."""

    def __init__(self, problems: list[Problem], warnings: list[Problem] | None = None):
        self.problems = sorted(problems, key=Problem.sort_key)
        self.warnings = sorted(warnings or [], key=Problem.sort_key)
        count = len(self.problems)
        super().__init__(f"Aborted with {count} content error{'s' if count != 1 else ''}")


class KeyConfigError(CredpressError):
    """The signing key is missing, malformed or does not match the issuer.

    Messages name where the key was looked for and never contain key material.
    """


class OutputError(CredpressError):
    """The writer refused a path or could not replace the output folder."""


class JsonLdError(CredpressError):
    """A JSON-LD document uses an unknown context or would lose terms."""


class LockError(CredpressError):
    """A lock file command (lock-merge, lock repair, lock recover) cannot do its work; nothing was changed."""


class BakingError(CredpressError):
    """An image cannot be baked, or holds no credential, or more than one (OB 3.0 §5.3)."""
