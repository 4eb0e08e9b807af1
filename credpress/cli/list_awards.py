"""``credpress list``: every award with its state and badge page URL; writes nothing."""

from __future__ import annotations

from pathlib import Path

import click

from .report import err, exit_on_errors


@click.command("list")
@click.option("--achievement", default=None, help="Only the awards of this achievement (slug).")
@click.option("--csv", "as_csv", is_flag=True, help="CSV for spreadsheets instead of a table.")
@click.option(
    "--content", type=click.Path(path_type=Path), default=Path("content"), show_default=True, help="Content folder."
)
@click.option(
    "--site",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="A built output folder: awards whose credential it lacks are 'not built'.",
)
def list_awards(achievement: str | None, as_csv: bool, content: Path, site: Path | None) -> None:
    """List every award: learner, achievement, state as of today, and badge page URL."""
    from datetime import datetime, timezone

    from ..documents import listing

    now = datetime.now(timezone.utc)
    with exit_on_errors():
        rows = listing.list_awards(content, achievement, site, now)
    if as_csv:
        click.echo(listing.as_csv(rows), nl=False)
        return
    click.echo(listing.as_table(rows), nl=False)
    counts = {state: sum(r.state == state for r in rows) for state in dict.fromkeys(r.state for r in rows)}
    summary = ", ".join(f"{n} {state}" for state, n in counts.items())
    err(f"{len(rows)} awards ({summary}); states as of {now:%Y-%m-%d %H:%M} UTC")
