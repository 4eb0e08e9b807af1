"""``credpress check``: validate everything, write nothing."""

from __future__ import annotations

from pathlib import Path

import click

from .report import err, exit_on_errors


@click.command()
@click.option(
    "--content", type=click.Path(path_type=Path), default=Path("content"), show_default=True, help="Content folder."
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--frozen", is_flag=True, help="Fail if credpress.lock lacks an award.")
@click.option(
    "--pages-url",
    default=None,
    metavar="URL",
    help="Fail unless base_url is this URL (where GitHub Pages publishes the site: configure-pages' base_url).",
)
def check(content: Path, strict: bool, frozen: bool, pages_url: str | None) -> None:
    """Validate the content and its credentials; write nothing."""
    from urllib.parse import urlsplit

    from ..errors import ContentError
    from ..pipeline import check_all
    from ..site.pages_url import pages_url_problem

    if pages_url is not None and not urlsplit(pages_url.strip()).hostname:
        raise click.BadParameter(f"not an absolute URL: {pages_url!r}", param_hint="--pages-url")
    with exit_on_errors():
        model, warnings, stacks = check_all(content, strict, frozen=frozen)
        problem = pages_url_problem(model.site.base_url, pages_url, f"{content}/site.yaml") if pages_url else None
        if problem is not None:
            raise ContentError([problem])
    for warning in warnings:
        err(f"warning: {warning}")
    for line in stacks:
        click.echo(line)
    if pages_url:
        click.echo(f"OK: base_url {model.site.base_url} is where GitHub Pages publishes this site")
    click.echo(f"OK: {len(model.awards)} awards, {len(model.achievements)} achievements, {len(model.issuers)} issuers")
