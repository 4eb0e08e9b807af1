"""``credpress build`` (and ``python build.py``)."""

from __future__ import annotations

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
def build(content: Path, out: Path, key_path: Path | None, strict: bool, frozen: bool) -> None:
    """Build the site: signed credentials, DID documents and pages."""
    from ..pipeline import BuildOptions
    from ..pipeline import build as run_build

    with exit_on_errors():
        result = run_build(
            BuildOptions(content=content, out=out, key_path=key_path, strict=strict, frozen=frozen, warn=err)
        )
    for warning in result.warnings:
        err(f"warning: {warning}")
    for line in result.stacks:
        click.echo(line)
    click.echo(
        f"Built {result.credentials} credentials ({result.files} files) into {result.out}/ signed by {result.public_key}"
    )
    if result.development_key:
        err("WARNING: signed with a development key: do not deploy this build.")
