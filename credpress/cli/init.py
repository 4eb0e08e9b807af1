"""``credpress init``: a new provider repository in an empty folder."""

from __future__ import annotations

from pathlib import Path

import click

from .report import exit_on_errors


@click.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--name", default="Example Academy", show_default=True, help="Your organisation's name (the issuer).")
@click.option(
    "--base-url",
    default="https://example.github.io/badges/",
    show_default=True,
    help="Where the site will be published (GitHub Pages: https://ORG.github.io/REPO/).",
)
def init(directory: Path, name: str, base_url: str) -> None:
    """Start a provider repository: content, templates, workflows and a README."""
    from ..content.scaffold import Scaffold, init_repository

    with exit_on_errors():
        written = init_repository(directory, Scaffold(name, base_url))
    for rel in written:
        click.echo(f"  {directory / rel}")
    click.echo(f"Created a badge site in {directory}/: read {directory / 'README.md'} for the next three steps.")
