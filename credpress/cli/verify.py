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


_MARK = {"passed": "✓", "failed": "✗", "skipped": "–"}


@click.command()
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
@click.option("--now", callback=_now_option, metavar="DATETIME", help="Check validity at this time (ISO 8601).")
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Worker processes (default: CPU count).")
def verify(
    targets: tuple[str, ...],
    maps: list[tuple[str, Path]],
    offline: bool,
    recipient: str | None,
    as_json: bool,
    now: datetime,
    workers: int | None,
) -> None:
    """Verify credentials: files, folders of them (e.g. _site) or https URLs.

    Exit status 0 when every credential is verified, 1 otherwise.
    """
    import json as jsonlib

    from ..verify.fetch import Resolver
    from ..verify.run import TargetError, find_targets, summary, verify_targets

    try:
        found = find_targets(targets)
    except TargetError as exc:
        raise click.BadParameter(str(exc), param_hint="TARGET") from None
    resolver = Resolver(maps, offline=offline)
    results = []
    for result in verify_targets(found, resolver, now, recipient, workers):
        results.append(result)
        if not as_json:
            click.echo(f"{result.source}: {result.status.upper()}")
            # Who signed (checked) beside the name the credential gives itself (a claim).
            signer = f"{result.issuer_domain} (verified signer)" if result.issuer_domain else "signer not confirmed"
            name = jsonlib.dumps(result.issuer_name, ensure_ascii=False) if result.issuer_name else None
            click.echo(f"  issuer: {signer}" + (f"; the credential names it {name}" if name else ""))
            for check in result.checks:
                click.echo(f"  {_MARK[check.result]} {check.id}: {check.message}")
            for inner in result.embedded:  # a learner record's credentials (CLR 2.0), each on its own
                click.echo(f"  {inner.source}: {inner.status.upper()}")
                for check in inner.checks:
                    click.echo(f"    {_MARK[check.result]} {check.id}: {check.message}")
    counts = summary(results)
    ok = bool(results) and counts["verified"] == counts["total"]
    if as_json:
        document = {
            "verified": ok,
            "now": now.isoformat(),
            "summary": counts,
            "credentials": [r.to_json() for r in results],
        }
        click.echo(jsonlib.dumps(document, indent=2, ensure_ascii=False))
    elif results:
        parts = ", ".join(f"{counts[k]} {k}" for k in ("verified", "failed", "revoked", "expired") if counts[k])
        click.echo(f"{counts['total']} credential{'s' if counts['total'] != 1 else ''}: {parts}")
    if not results:
        err("error: no credentials found in " + ", ".join(targets))
    sys.exit(0 if ok else 1)
