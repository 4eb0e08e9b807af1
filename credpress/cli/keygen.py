"""``credpress keygen``: a new signing key, kept out of the content folder."""

from __future__ import annotations

from pathlib import Path

import click

from .report import exit_on_errors


@click.command()
@click.option(
    "--out",
    "out_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Where to write the key (default ~/.config/credpress/signing-key.pem).",
)
@click.option(
    "--content",
    type=click.Path(path_type=Path),
    default=Path("content"),
    show_default=True,
    help="Content folder (the key is refused inside it).",
)
@click.option("--rotate", is_flag=True, help="Make the new key active in every issuer's YAML and retire the old one.")
@click.option(
    "--key",
    "key_path",
    type=click.Path(path_type=Path),
    default=None,
    help="With --rotate: the current key, when the issuer YAML lists none (else $CREDPRESS_SIGNING_KEY).",
)
def keygen(out_path: Path | None, content: Path, rotate: bool, key_path: Path | None) -> None:
    """Create a new Ed25519 signing key (file mode 0600)."""
    from ..keygen import create_key_file

    with exit_on_errors():
        path, key, changed = create_key_file(out_path, content, rotate, key_path)
    for source in changed:
        click.echo(f"Updated {source}: new active key, previous key retired (it still verifies old copies).")
    click.echo(f"Wrote the private key to {path} (mode 0600). Keep it out of git.")
    click.echo(f"Public key (publicKeyMultibase): {key.public_multibase}")
    click.echo("Store this value as the repository secret CREDPRESS_SIGNING_KEY:")
    click.echo(key.secret_multibase())
