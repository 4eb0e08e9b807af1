"""``credpress lock-merge``: the git merge driver for credpress.lock (and its installer)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .report import err, exit_on_errors


@click.command("lock-merge")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path), metavar="BASE OURS THEIRS")
@click.option("--install", is_flag=True, help="Register this driver for the lock file (.gitattributes, git config).")
@click.option(
    "--content", type=click.Path(path_type=Path), default=Path("content"), show_default=True, help="Content folder."
)
def lock_merge(files: tuple[Path, ...], install: bool, content: Path) -> None:
    """Merge two versions of credpress.lock (a git merge driver).

    Git runs it as `credpress lock-merge %O %A %B`: the union of both sides'
    awards, written over OURS. Values drawn on both sides for the same award
    keep ours; an id or status index that collides is re-drawn for the entry
    that only the merged-in side has. Exit 1 (a conflict) if a collision is left.
    `credpress lock-merge --install` registers it in this repository.
    """
    from ..content.lock_merge import install_merge_driver, merge_files

    if install:
        if files:
            raise click.UsageError("--install takes no files")
        with exit_on_errors():
            for line in install_merge_driver(content):
                click.echo(line)
        return
    if len(files) != 3:
        raise click.UsageError("give BASE OURS THEIRS (git passes %O %A %B), or --install")
    with exit_on_errors():
        result = merge_files(files[0], files[1], files[2])
    for line in result.redrawn:
        err(f"credpress lock-merge: {line}")
    for problem in result.problems:
        err(f"credpress lock-merge: {problem.message}")
    sys.exit(1 if result.problems else 0)
