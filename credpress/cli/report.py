"""What every command shares: messages on stderr, and our errors as exit status 1."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click


def err(message: str) -> None:
    """Print *message* on standard error."""
    click.echo(message, err=True)


def report_content_error(exc: Any) -> None:
    """Every warning and problem of a ContentError, then its summary line."""
    for warning in exc.warnings:
        err(f"warning: {warning}")
    for problem in exc.problems:
        err(str(problem))
    err(str(exc))


@contextmanager
def exit_on_errors() -> Iterator[None]:
    """Our exceptions become messages and exit status 1; anything else is a bug."""
    from ..errors import ContentError, CredpressError

    try:
        yield
    except ContentError as exc:
        report_content_error(exc)
        sys.exit(1)
    except CredpressError as exc:
        err(f"error: {exc}")
        sys.exit(1)
