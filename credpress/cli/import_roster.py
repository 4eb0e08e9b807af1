"""``credpress import``: a roster spreadsheet (CSV) becomes awards of one achievement."""

from __future__ import annotations

from pathlib import Path

import click

from .report import err, exit_on_errors


@click.command("import")
@click.argument("roster", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--achievement", required=True, help="Slug of the achievement every row is awarded.")
@click.option("--awarded", default=None, help="Award date (YYYY-MM-DD) for rows without an awarded column.")
@click.option(
    "--content", type=click.Path(path_type=Path), default=Path("content"), show_default=True, help="Content folder."
)
@click.option(
    "--out", default=None, help="Awards file, relative to the content folder [default: awards/<ROSTER>.yaml]."
)
@click.option("--keep-emails", is_flag=True, help="Write plain email addresses instead of salted hashes.")
def import_roster(
    roster: Path, achievement: str, awarded: str | None, content: Path, out: str | None, keep_emails: bool
) -> None:
    """Import a roster (CSV) as awards of one achievement.

    Columns: name, email; optional awarded, evidence_url, narrative, did.
    """
    from ..content.award_import import ImportOptions, import_roster

    options = ImportOptions(roster, achievement, content, awarded, out, keep_emails)
    with exit_on_errors():
        result = import_roster(options)
    for warning in result.warnings:
        err(f"warning: {warning}")
    for notice in result.skipped:
        err(f"skipped: {notice}")
    if result.path is None:
        click.echo(f"Nothing to import: every learner in {roster} already has {achievement}")
        return
    click.echo(f"Added {result.added} award{'s' if result.added != 1 else ''} of {achievement} to {result.display}")
    if keep_emails:
        err(
            f"warning: --keep-emails: {result.display} holds plain email addresses; once committed they stay "
            "in the repository's history (README: Importing a roster)"
        )
    click.echo("Next: `credpress build` draws their credential ids; `credpress list` shows their badge links.")
