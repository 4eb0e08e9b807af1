"""The ``credpress`` command: a thin switchboard over the library.

Each command (one module each) reads its options, calls one library function
and turns our exceptions into messages and exit codes (0 ok, 1 content/signing
error, 2 usage). Heavy imports happen inside commands so ``--help`` stays instant.
"""

from __future__ import annotations

import click

from .build import build
from .check import check
from .erase import erase
from .import_roster import import_roster
from .init import init
from .keygen import keygen
from .list_awards import list_awards
from .lock import lock
from .lock_merge import lock_merge
from .revoke import revoke
from .serve import serve
from .verify import verify


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="credpress")
def main() -> None:
    """Publish signed Open Badges 3.0 credentials as a static site."""


for _command in (
    build,
    check,
    erase,
    import_roster,
    init,
    keygen,
    list_awards,
    lock,
    lock_merge,
    revoke,
    serve,
    verify,
):
    main.add_command(_command)


if __name__ == "__main__":  # pragma: no cover
    main()
