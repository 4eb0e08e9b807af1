"""The ``credpress`` command: a thin switchboard over the library.

Each command reads its options, calls one library function and turns our
exceptions into messages and exit codes (0 ok, 1 content/signing error,
2 usage). Heavy imports happen inside commands so ``--help`` stays instant.
"""

from __future__ import annotations

import sys
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="credpress")
def main() -> None:
    """Publish signed Open Badges 3.0 credentials as a static site."""


@main.command()
@click.option("--content", type=click.Path(path_type=Path), default=Path("content"), show_default=True, help="Content folder.")
@click.option("--out", type=click.Path(path_type=Path), default=Path("_site"), show_default=True, help="Output folder (replaced only on success).")
@click.option("--key", "key_path", type=click.Path(path_type=Path), default=None, help="Signing key file (else $CREDPRESS_SIGNING_KEY).")
@click.option("--strict", is_flag=True, help="Treat warnings (such as unknown fields) as errors.")
def build(content: Path, out: Path, key_path: Path | None, strict: bool) -> None:
    """Build the site: signed credentials, DID documents and pages."""
    from .errors import ContentError, CredpressError
    from .pipeline import BuildOptions, build as run_build

    try:
        result = run_build(BuildOptions(content=content, out=out, key_path=key_path, strict=strict, warn=_err))
    except ContentError as exc:
        _report_content_error(exc)
        sys.exit(1)
    except CredpressError as exc:
        _err(f"error: {exc}")
        sys.exit(1)
    for warning in result.warnings:
        _err(f"warning: {warning}")
    click.echo(f"Built {result.credentials} credentials ({result.files} files) into {result.out}/ signed by {result.public_key}")
    if result.development_key:
        _err("WARNING: signed with a development key: do not deploy this build.")


@main.command()
@click.option("--content", type=click.Path(path_type=Path), default=Path("content"), show_default=True, help="Content folder.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def check(content: Path, strict: bool) -> None:
    """Validate the content and its credentials; write nothing."""
    from .errors import ContentError
    from .pipeline import check_all

    try:
        model, warnings = check_all(content, strict)
    except ContentError as exc:
        _report_content_error(exc)
        sys.exit(1)
    for warning in warnings:
        _err(f"warning: {warning}")
    click.echo(f"OK: {len(model.awards)} awards, {len(model.achievements)} achievements, {len(model.issuers)} issuers")


@main.command()
@click.option("--out", "out_path", type=click.Path(path_type=Path), default=None,
              help="Where to write the key (default ~/.config/credpress/signing-key.pem).")
@click.option("--content", type=click.Path(path_type=Path), default=Path("content"), show_default=True,
              help="Content folder (the key is refused inside it).")
def keygen(out_path: Path | None, content: Path) -> None:
    """Create a new Ed25519 signing key (file mode 0600)."""
    from .errors import CredpressError
    from .keygen import create_key_file

    try:
        path, key = create_key_file(out_path, content)
    except CredpressError as exc:
        _err(f"error: {exc}")
        sys.exit(1)
    click.echo(f"Wrote the private key to {path} (mode 0600). Keep it out of git.")
    click.echo(f"Public key (publicKeyMultibase): {key.public_multibase}")
    click.echo("Store this value as the repository secret CREDPRESS_SIGNING_KEY:")
    click.echo(key.secret_multibase())


if __name__ == "__main__":  # pragma: no cover
    main()
