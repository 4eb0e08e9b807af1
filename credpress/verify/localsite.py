"""Recognising a local build, to say which ``--map`` flag checks it.

A credential from a site not yet published names a DID document and a status
list at URLs that do not answer (or answer with something else). When the
credential was read from a folder that is a credpress output (the writer's
``.credpress-site`` marker and ``issuers/*/did.json``), or a ``--map`` folder
holds the URL that could not be fetched, the fix is one flag, computed here
from the credential's URL and the folder: ``--map BASE_URL=FOLDER``.
"""

from __future__ import annotations

import shlex
from functools import lru_cache
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from ..output.writer import MARKER

MAX_LEVELS = 8  # how far up from a file a site's root is looked for


@lru_cache(maxsize=256)
def is_credpress_output(folder: Path) -> bool:
    """Whether *folder* is a credpress build: the output marker and an issuer's DID document."""
    try:
        return (folder / MARKER).is_file() and next((folder / "issuers").glob("*/did.json"), None) is not None
    except OSError:
        return False


def site_root(path: Path) -> Path | None:
    """The credpress output folder that holds *path* (as the user wrote it), if any."""
    for level, folder in enumerate(path.parents):
        if level >= MAX_LEVELS:
            break
        if is_credpress_output(folder):
            return folder
    return None


def base_url(url: str, folder: Path) -> str | None:
    """The prefix of *url* that *folder* serves: *url* minus the shortest tail of its
    path that names a file in *folder* (``…/credentials/x/`` is that folder's index.html)."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        return None
    segments = parts.path.split("/")
    for cut in range(len(segments) - 1, 0, -1):
        tail = PurePosixPath(*[unquote(s) for s in segments[cut:] if s]) if segments[cut:] != [""] else None
        if tail is None or ".." in tail.parts:
            continue
        candidate = folder / tail
        if parts.path.endswith("/"):
            candidate = candidate / "index.html"
        if candidate.is_file():
            return f"{parts.scheme}://{parts.netloc}{'/'.join(segments[:cut])}/"
    return None


def map_flag(base: str, folder: Path) -> str:
    """The flag, ready to paste into a shell."""
    return "--map " + shlex.quote(f"{base}={folder}")


def local_hint(base: str, folder: Path) -> str:
    """What to tell someone whose local build could not be checked."""
    return (
        f"{folder} is a local credpress build whose URLs ({base}…) are not served from here; "
        f"check it with {map_flag(base, folder)}"
    )
