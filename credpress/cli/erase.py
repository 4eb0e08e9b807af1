"""``credpress erase``: erase a credential at its learner's request."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from .report import exit_on_errors


@click.command()
@click.argument("credential")
@click.option("--reason", required=True, help="Why (kept in credpress.lock; one line, no personal data).")
@click.option(
    "--date", "when", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Erasure date (default: today)."
)
@click.option(
    "--issuer", default=None, help="Issuer slug, only needed when the award is already gone from the content."
)
@click.option(
    "--content", type=click.Path(path_type=Path), default=Path("content"), show_default=True, help="Content folder."
)
def erase(credential: str, reason: str, when: datetime | None, issuer: str | None, content: Path) -> None:
    """Erase a credential at its learner's request (id and status bit retired).

    CREDENTIAL is the credential id (the UUID) or its URL. Its award leaves the
    content and its entry in credpress.lock is marked erased. The next build
    deletes its files and sets its bit in the issuer's status list (it reads as
    revoked); its id and bit are never used again.
    """
    from datetime import date

    from ..content.edit import erase as run_erase

    with exit_on_errors():
        done = run_erase(content, credential, reason, when.date() if when else date.today(), issuer)
    if done.award_removed:
        click.echo(f"Removed the award at {done.award_removed}.")
    click.echo(f"Marked credential {done.credential_id} erased in {done.lock}. Now build, commit and publish.")
