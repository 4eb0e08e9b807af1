"""The ``credpress`` command: a thin switchboard over the library.

Each command reads its options, calls one library function and turns our
exceptions into messages and exit codes (0 ok, 1 content/signing error,
2 usage). Heavy imports happen inside commands so ``--help`` stays instant.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path

import click


def _err(message: str) -> None:
    click.echo(message, err=True)


def _report_content_error(exc) -> None:
    for warning in exc.warnings:
        _err(f"warning: {warning}")
    for problem in exc.problems:
        _err(str(problem))
    _err(str(exc))


@contextmanager
def _exit_on_errors():
    """Our exceptions become messages and exit status 1; anything else is a bug."""
    from .errors import ContentError, CredpressError

    try:
        yield
    except ContentError as exc:
        _report_content_error(exc)
        sys.exit(1)
    except CredpressError as exc:
        _err(f"error: {exc}")
        sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="credpress")
def main() -> None:
    """Publish signed Open Badges 3.0 credentials as a static site."""


@main.command()
@click.option("--content", type=click.Path(path_type=Path), default=Path("content"), show_default=True, help="Content folder.")
@click.option("--out", type=click.Path(path_type=Path), default=Path("_site"), show_default=True, help="Output folder (replaced only on success).")
@click.option("--key", "key_path", type=click.Path(path_type=Path), default=None, help="Signing key file (else $CREDPRESS_SIGNING_KEY).")
@click.option("--strict", is_flag=True, help="Treat warnings (such as unknown fields) as errors.")
@click.option("--frozen", is_flag=True, help="Fail instead of adding new awards to credpress.lock (CI).")
def build(content: Path, out: Path, key_path: Path | None, strict: bool, frozen: bool) -> None:
    """Build the site: signed credentials, DID documents and pages."""
    from .pipeline import BuildOptions
    from .pipeline import build as run_build

    with _exit_on_errors():
        result = run_build(BuildOptions(content=content, out=out, key_path=key_path, strict=strict, frozen=frozen,
                                        warn=_err))
    for warning in result.warnings:
        _err(f"warning: {warning}")
    click.echo(f"Built {result.credentials} credentials ({result.files} files) into {result.out}/ signed by {result.public_key}")
    if result.development_key:
        _err("WARNING: signed with a development key: do not deploy this build.")


@main.command()
@click.option("--content", type=click.Path(path_type=Path), default=Path("content"), show_default=True, help="Content folder.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--frozen", is_flag=True, help="Fail if credpress.lock lacks an award.")
def check(content: Path, strict: bool, frozen: bool) -> None:
    """Validate the content and its credentials; write nothing."""
    from .pipeline import check_all

    with _exit_on_errors():
        model, warnings = check_all(content, strict, frozen=frozen)
    for warning in warnings:
        _err(f"warning: {warning}")
    click.echo(f"OK: {len(model.awards)} awards, {len(model.achievements)} achievements, {len(model.issuers)} issuers")


@main.command()
@click.option("--out", "out_path", type=click.Path(path_type=Path), default=None,
              help="Where to write the key (default ~/.config/credpress/signing-key.pem).")
@click.option("--content", type=click.Path(path_type=Path), default=Path("content"), show_default=True,
              help="Content folder (the key is refused inside it).")
@click.option("--rotate", is_flag=True, help="Make the new key active in every issuer's YAML and retire the old one.")
@click.option("--key", "key_path", type=click.Path(path_type=Path), default=None,
              help="With --rotate: the current key, when the issuer YAML lists none (else $CREDPRESS_SIGNING_KEY).")
def keygen(out_path: Path | None, content: Path, rotate: bool, key_path: Path | None) -> None:
    """Create a new Ed25519 signing key (file mode 0600)."""
    from .keygen import create_key_file

    with _exit_on_errors():
        path, key, changed = create_key_file(out_path, content, rotate, key_path)
    for source in changed:
        click.echo(f"Updated {source}: new active key, previous key retired (it still verifies old copies).")
    click.echo(f"Wrote the private key to {path} (mode 0600). Keep it out of git.")
    click.echo(f"Public key (publicKeyMultibase): {key.public_multibase}")
    click.echo("Store this value as the repository secret CREDPRESS_SIGNING_KEY:")
    click.echo(key.secret_multibase())


@main.command()
@click.argument("credential")
@click.option("--reason", required=True, help="Why, shown on the badge page (one line).")
@click.option("--date", "when", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Revocation date (default: today).")
@click.option("--content", type=click.Path(path_type=Path), default=Path("content"), show_default=True, help="Content folder.")
def revoke(credential: str, reason: str, when, content: Path) -> None:
    """Revoke a credential: add revoked: {date, reason} to its award.

    CREDENTIAL is the credential id (the UUID) or its URL. Build and publish
    afterwards: the status list changes, the credential itself does not.
    """
    from datetime import date

    from .edit import revoke as run_revoke

    with _exit_on_errors():
        where = run_revoke(content, credential, reason, when.date() if when else date.today())
    click.echo(f"Revoked at {where}. Now build, commit and publish.")


def _map_option(ctx, param, values):
    maps = []
    for value in values:
        prefix, sep, folder = value.partition("=")
        if not sep or not prefix.startswith(("https://", "http://")) or not folder:
            raise click.BadParameter(f"{value!r} is not URL_PREFIX=DIR (e.g. https://badges.example.org/=_site)")
        if not Path(folder).is_dir():
            raise click.BadParameter(f"{folder!r} is not a folder")
        maps.append((prefix, Path(folder)))
    return maps


def _now_option(ctx, param, value):
    from datetime import datetime, timezone

    if value is None:
        return datetime.now(timezone.utc)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 date or date-time") from None
    # A date or a time without a zone is taken as UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


_MARK = {"passed": "✓", "failed": "✗", "skipped": "–"}


@main.command()
@click.argument("targets", nargs=-1, required=True, metavar="TARGET...")
@click.option("--map", "maps", multiple=True, callback=_map_option, metavar="URL_PREFIX=DIR",
              help="Serve URLs under URL_PREFIX from files in DIR (a built site). Repeatable.")
@click.option("--offline", is_flag=True, help="Fetch nothing that --map does not serve.")
@click.option("--recipient", metavar="EMAIL", default=None, help="Also check the credential was issued to EMAIL.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document with every check.")
@click.option("--now", callback=_now_option, metavar="DATETIME", help="Check validity at this time (ISO 8601).")
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Worker processes (default: CPU count).")
def verify(targets, maps, offline, recipient, as_json, now, workers) -> None:
    """Verify credentials: files, folders of them (e.g. _site) or https URLs.

    Exit status 0 when every credential is verified, 1 otherwise.
    """
    import json as jsonlib

    from .resolve import Resolver
    from .verify_run import TargetError, find_targets, summary, verify_targets

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
    counts = summary(results)
    ok = bool(results) and counts["verified"] == counts["total"]
    if as_json:
        document = {"verified": ok, "now": now.isoformat(), "summary": counts,
                    "credentials": [r.to_json() for r in results]}
        click.echo(jsonlib.dumps(document, indent=2, ensure_ascii=False))
    elif results:
        parts = ", ".join(f"{counts[k]} {k}" for k in ("verified", "failed", "revoked", "expired") if counts[k])
        click.echo(f"{counts['total']} credential{'s' if counts['total'] != 1 else ''}: {parts}")
    if not results:
        _err("error: no credentials found in " + ", ".join(targets))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":  # pragma: no cover
    main()
