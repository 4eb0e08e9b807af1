"""``credpress build`` (and ``python build.py``)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

import click

from .report import err, exit_on_errors


@click.command()
@click.option(
    "--content", type=click.Path(path_type=Path), default=Path("content"), show_default=True, help="Content folder."
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("_site"),
    show_default=True,
    help="Output folder (replaced only on success).",
)
@click.option(
    "--key",
    "key_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Signing key file (else $CREDPRESS_SIGNING_KEY).",
)
@click.option("--strict", is_flag=True, help="Treat warnings (such as unknown fields) as errors.")
@click.option("--frozen", is_flag=True, help="Fail instead of adding new awards to credpress.lock (CI).")
@click.option("--no-cache", is_flag=True, help="Sign and render everything again (ignore .credpress/cache/).")
@click.option("--workers", type=click.IntRange(min=1), default=None, help="Processes to use (default: every core).")
@click.option("--json", "as_json", is_flag=True, help="Print the build summary as JSON on standard output.")
def build(
    content: Path,
    out: Path,
    key_path: Path | None,
    strict: bool,
    frozen: bool,
    no_cache: bool,
    workers: int | None,
    as_json: bool,
) -> None:
    """Build the site: signed credentials, DID documents and pages."""
    from ..pipeline import BuildOptions
    from ..pipeline import build as run_build

    bar = _ProgressLine() if _show_progress() else None
    with exit_on_errors():
        try:
            result = run_build(
                BuildOptions(
                    content=content,
                    out=out,
                    key_path=key_path,
                    strict=strict,
                    frozen=frozen,
                    warn=err,
                    cache=not no_cache,
                    workers=workers,
                    progress=bar,
                )
            )
        finally:
            if bar is not None:
                bar.clear()
    for warning in result.warnings:
        err(f"warning: {warning}")
    if as_json:
        data = {"out": str(result.out), "public_key": result.public_key, **result.summary.as_dict()}
        data["stacks"] = result.stacks
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        for line in result.stacks:
            click.echo(line)
        click.echo(
            f"Built {result.credentials} credentials ({result.files} files) into {result.out}/ "
            f"signed by {result.public_key}"
        )
        for line in result.summary.text():
            click.echo(f"  {line}")
    if result.development_key:
        err("WARNING: signed with a development key: do not deploy this build.")


def _show_progress() -> bool:
    """A progress bar only on a terminal, and never in CI logs."""
    return sys.stderr.isatty() and os.environ.get("CI") != "true"


class _ProgressLine:
    """One line on standard error, rewritten in place: ``Signing [#####     ] 512/2000``."""

    WIDTH = 30

    def __init__(self, write: Callable[[str], None] | None = None):
        self.write = write or (lambda text: (sys.stderr.write(text), sys.stderr.flush()) and None)
        self.shown = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        if total <= 0:
            return
        filled = self.WIDTH * done // total
        self.write(f"\r{stage:<10} [{'#' * filled}{' ' * (self.WIDTH - filled)}] {done}/{total}")
        self.shown = True

    def clear(self) -> None:
        """Remove the line, so the summary starts on a clean line."""
        if self.shown:
            self.write("\r" + " " * (self.WIDTH + 40) + "\r")
            self.shown = False
