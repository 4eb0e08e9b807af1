"""``credpress check``: validate everything, write nothing."""

from __future__ import annotations

from pathlib import Path

import click

from .report import err, exit_on_errors


@click.command()
@click.option(
    "--content", type=click.Path(path_type=Path), default=Path("content"), show_default=True, help="Content folder."
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--frozen", is_flag=True, help="Fail if credpress.lock lacks an award.")
def check(content: Path, strict: bool, frozen: bool) -> None:
    """Validate the content and its credentials; write nothing."""
    from ..pipeline import check_all

    with exit_on_errors():
        model, warnings, stacks = check_all(content, strict, frozen=frozen)
    for warning in warnings:
        err(f"warning: {warning}")
    for line in stacks:
        click.echo(line)
    click.echo(f"OK: {len(model.awards)} awards, {len(model.achievements)} achievements, {len(model.issuers)} issuers")
