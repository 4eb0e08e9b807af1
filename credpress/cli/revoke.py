"""``credpress revoke``: revoke a credential by editing its award."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from .report import exit_on_errors


@click.command()
@click.argument("credential")
@click.option("--reason", required=True, help="Why, shown on the badge page (one line).")
@click.option(
    "--date", "when", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Revocation date (default: today)."
)
@click.option(
    "--content", type=click.Path(path_type=Path), default=Path("content"), show_default=True, help="Content folder."
)
def revoke(credential: str, reason: str, when: datetime | None, content: Path) -> None:
    """Revoke a credential: add revoked: {date, reason} to its award.

    CREDENTIAL is the credential id (the UUID) or its URL. Build and publish
    afterwards: the status list changes, the credential itself does not.
    """
    from datetime import date

    from ..content.edit import revoke as run_revoke

    with exit_on_errors():
        where = run_revoke(content, credential, reason, when.date() if when else date.today(), click.echo)
    click.echo(f"Revoked at {where}. Now build, commit and publish.")
