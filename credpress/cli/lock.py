"""``credpress lock repair`` and ``credpress lock recover``: fix or rebuild credpress.lock."""

from __future__ import annotations

from pathlib import Path

import click

from .report import err, exit_on_errors

_CONTENT = click.option(
    "--content", type=click.Path(path_type=Path), default=Path("content"), show_default=True, help="Content folder."
)
_SITE = click.option(
    "--site",
    type=click.Path(path_type=Path),
    default=None,
    help="The published output (built or deployed copy): what it holds is never changed.",
)


@click.group()
def lock() -> None:
    """Repair or recover credpress.lock (see README: Working with branches)."""


@lock.command()
@_SITE
@_CONTENT
def repair(site: Path | None, content: Path) -> None:
    """Re-draw colliding ids and status indexes that the published site does not hold."""
    from ..content.lock_recover import repair as run_repair

    with exit_on_errors():
        done = run_repair(content, site)
    if not done:
        click.echo(f"{content.name}/credpress.lock has no collisions: nothing to repair.")
        return
    for line in done:
        click.echo(line)
    click.echo("Repaired. Now build, commit and publish.")


@lock.command()
@_SITE
@_CONTENT
def recover(site: Path | None, content: Path) -> None:
    """Rebuild a lost credpress.lock from the published credentials."""
    from ..content.lock_recover import recover as run_recover

    with exit_on_errors():
        found = run_recover(content, site)
    click.echo(f"Recovered {found.recovered} of {found.published} published credentials into {found.lock}.")
    if found.retired_bits:
        click.echo(f"Kept {found.retired_bits} status bits retired (erased credentials).")
    if found.unmatched:
        err(f"warning: {len(found.unmatched)} published credentials match no award:")
        for line in found.unmatched:
            err(f"  {line}")
        err(
            "They are in the lock as unmatched-<id>, so the build refuses until each is dealt with: erase it "
            "(`credpress erase ID --reason …`), or correct its award, delete the lock and recover again."
        )
