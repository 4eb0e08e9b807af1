"""``credpress verify``: files, folders or URLs of credentials, checked."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from .report import err


def _map_option(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> list[tuple[str, Path]]:
    maps = []
    for value in values:
        prefix, sep, folder = value.partition("=")
        if not sep or not prefix.startswith(("https://", "http://")) or not folder:
            raise click.BadParameter(f"{value!r} is not URL_PREFIX=DIR (e.g. https://badges.example.org/=_site)")
        if not Path(folder).is_dir():
            raise click.BadParameter(f"{folder!r} is not a folder")
        maps.append((prefix, Path(folder)))
    return maps


def _now_option(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime:
    from datetime import timezone

    if value is None:
        return datetime.now(timezone.utc)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 date or date-time") from None
    # A date or a time without a zone is taken as UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


_HELP = """Verify credentials: files, folders of them (e.g. _site), https URLs of
credentials or of badge pages, badge page folders, and baked PNG or SVG badges.

For each credential it says who was awarded what by whom (the issuer's name and
the domain that signed), then one line per check; a summary ends the report.

\b
Exit status:
  0  every credential is genuine
  1  something failed verification: forged, tampered, unknown key, unreadable,
     not issued to --recipient, or no credential found
  2  usage error
  3  all genuine, but some are revoked or expired (1 wins when both)
"""


@click.command(help=_HELP)
@click.argument("targets", nargs=-1, required=True, metavar="TARGET...")
@click.option(
    "--map",
    "maps",
    multiple=True,
    callback=_map_option,
    metavar="URL_PREFIX=DIR",
    help="Serve URLs under URL_PREFIX from files in DIR (a built site). Repeatable.",
)
@click.option("--offline", is_flag=True, help="Fetch nothing that --map does not serve.")
@click.option("--recipient", metavar="EMAIL", default=None, help="Also check the credential was issued to EMAIL.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document with every check.")
@click.option("--summary", "summary_only", is_flag=True, help="Print only the summary (and any hint).")
@click.option("--now", callback=_now_option, metavar="DATETIME", help="Check validity at this time (ISO 8601).")
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Worker processes (default: CPU count).")
def verify(
    targets: tuple[str, ...],
    maps: list[tuple[str, Path]],
    offline: bool,
    recipient: str | None,
    as_json: bool,
    summary_only: bool,
    now: datetime,
    workers: int | None,
) -> None:
    """Verify credentials (the help text is _HELP)."""
    import json as jsonlib

    from ..verify.fetch import Resolver
    from ..verify.run import TargetError, find_targets, summary, verify_targets
    from ..verify.words import exit_status, result_lines, summary_line

    try:
        found = find_targets(targets)
    except TargetError as exc:
        raise click.BadParameter(str(exc), param_hint="TARGET") from None
    resolver = Resolver(maps, offline=offline)
    results = []
    for result in verify_targets(found, resolver, now, recipient, workers):
        results.append(result)
        if not as_json and not summary_only:
            click.echo("\n".join(result_lines(result, recipient)))
    counts = summary(results)
    status = exit_status(counts)
    hints = list(dict.fromkeys(r.hint for r in results if r.hint))
    if as_json:
        document = {
            "verified": status == 0,
            "exit_status": status,
            "now": now.isoformat(),
            "summary": counts,
            **({} if summary_only else {"credentials": [r.to_json() for r in results]}),
        }
        click.echo(jsonlib.dumps(document, indent=2, ensure_ascii=False))
    elif results:
        click.echo(summary_line(counts, recipient))
        if summary_only:
            for hint in hints:
                click.echo(f"hint: {hint}")
    if not results:
        err("error: no credentials found in " + ", ".join(targets))
    sys.exit(status)
