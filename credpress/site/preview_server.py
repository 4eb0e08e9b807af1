"""``credpress serve``: build, serve the output on 127.0.0.1 at base_url's path, rebuild on change.

The site is served at the same path as ``base_url`` (``https://org.github.io/badges/``
is ``http://127.0.0.1:8000/badges/``), so every relative link works as deployed,
and ``/`` redirects there. Badge pages verify themselves here too: verify.js reads
every URL under ``base_url`` (the DID document, the status list) from the site
root the page was served from, the same rule it follows on the real site, so no
hook is needed and nothing about verification differs.

While the last build failed, every path answers with a page listing its errors
(the previous output stays on disk untouched, as the writer guarantees); the
next good build replaces it. Only the loopback interface is bound.
"""

from __future__ import annotations

import html
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..content.load import load_content
from ..content.lock import LOCK_NAME
from ..errors import ContentError, CredpressError, OutputError
from ..pipeline import BuildOptions, build
from .pages_url import normalised

HOST = "127.0.0.1"


@dataclass(frozen=True)
class BuildState:
    """The outcome of the last build: the base path, and the error text if it failed."""

    base_path: str = "/"
    error: str | None = None


def base_path(content: Path) -> str | None:
    """The path of site.yaml's base_url (``/badges/``), or None if it cannot be read."""
    loaded = load_content(content)
    data = loaded.site.data if loaded.site else None
    url = data.get("base_url") if isinstance(data, dict) else None
    if not isinstance(url, str):
        return None
    return normalised(url)[2] + "/"


class Preview:
    """Builds into ``options.out`` and remembers the outcome for the server."""

    def __init__(self, options: BuildOptions, echo: Callable[[str], None]):
        self.options = options
        self.echo = echo
        self.state = BuildState()
        self._lock = threading.Lock()

    def rebuild(self) -> BuildState:
        """Build once; print the outcome; the server shows errors until the next good build."""
        with self._lock:
            path = base_path(self.options.content) or self.state.base_path
            try:
                result = build(self.options)
            except ContentError as exc:
                text = "\n".join([str(w) for w in exc.warnings] + [str(p) for p in exc.problems] + [str(exc)])
                self.state = BuildState(path, text)
            except CredpressError as exc:
                self.state = BuildState(path, f"error: {exc}")
            else:
                self.state = BuildState(path, None)
                notes = [f"warning: {w}" for w in result.warnings]
                self.echo("\n".join(notes + [f"Built {result.credentials} credentials into {result.out}/"]))
            if self.state.error:
                self.echo(self.state.error + "\nThe browser shows these errors until the next good build.")
            return self.state


def error_page(text: str) -> bytes:
    """The page served while the last build failed; it reloads itself every 2 seconds."""
    body = (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width, initial-scale=1">'
        '<meta http-equiv=refresh content="2"><title>Build failed · credpress serve</title>'
        "<style>body{font:16px/1.5 system-ui,sans-serif;margin:0;padding:1.5rem;background:#fff4f4;color:#1a1a1a}"
        "h1{color:#a00;font-size:1.4rem}pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#fff;"
        "border:1px solid #e0b4b4;padding:1rem;font-size:14px}</style></head><body>"
        "<h1>The last build failed</h1><p>Fix these and save: the preview rebuilds and this page reloads. "
        "The last good build is still on disk; it is served again after the next good build.</p>"
        f"<pre>{html.escape(text)}</pre></body></html>"
    )
    return body.encode("utf-8")


class _Handler(SimpleHTTPRequestHandler):
    preview: Preview

    def __init__(self, *args: Any, preview: Preview, **kwargs: Any):
        self.preview = preview
        super().__init__(*args, **kwargs)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        """Requests are not logged: the terminal is for build output."""

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")  # every reload shows the latest build
        super().end_headers()

    def _send(self, status: HTTPStatus, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _route(self) -> bool:
        """Answer what is not a file of the site; True when answered."""
        state = self.preview.state
        path = urlsplit(self.path).path
        if state.error is not None:
            self._send(HTTPStatus.INTERNAL_SERVER_ERROR, error_page(state.error), {"Content-Type": "text/html"})
        elif path in ("/", state.base_path.rstrip("/")) and path != state.base_path:
            self._send(HTTPStatus.FOUND, b"", {"Location": state.base_path})
        elif not path.startswith(state.base_path):
            message = f"Not part of the site: it is served at {state.base_path}\n".encode()
            self._send(HTTPStatus.NOT_FOUND, message, {"Content-Type": "text/plain; charset=utf-8"})
        else:
            return False
        return True

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        """No folder listings: a static host shows none either."""
        self.send_error(HTTPStatus.NOT_FOUND, "No index.html in this folder")

    def translate_path(self, path: str) -> str:
        """A URL under the base path is the file at the rest of it in the output folder."""
        rest = urlsplit(path).path[len(self.preview.state.base_path) - 1 :]
        return super().translate_path(rest)

    def do_GET(self) -> None:
        """A file of the site, a redirect to the base path, or the build's error page."""
        if not self._route():
            super().do_GET()

    def do_HEAD(self) -> None:
        """As GET, without the body."""
        if not self._route():
            super().do_HEAD()


class PreviewServer(ThreadingHTTPServer):
    """The HTTP server of one preview, on 127.0.0.1 only."""

    daemon_threads = True


def make_server(preview: Preview, port: int) -> PreviewServer:
    """A server for *preview* on 127.0.0.1:*port* (0: any free port); OutputError if taken."""
    out = str(Path(preview.options.out).absolute())
    handler = partial(_Handler, preview=preview, directory=out)
    try:
        return PreviewServer((HOST, port), handler)
    except OSError as exc:
        raise OutputError(f"cannot listen on {HOST}:{port}: {exc.strerror or exc} (choose another --port)") from None


def _not_the_lock(change: Any, path: str) -> bool:
    """Changes the build itself makes (the lock file, its temporary files) start no rebuild."""
    name = Path(path).name
    return name != LOCK_NAME and not name.startswith(f".{LOCK_NAME}.")


def watch(preview: Preview, folders: list[Path], stop: threading.Event, ready: threading.Event | None = None) -> None:
    """Rebuild whenever a file under *folders* changes, until *stop* is set. *ready* is set once
    the watching has begun (a change made after that is never missed)."""
    import watchfiles

    existing = [str(f) for f in folders if f.exists()]
    changes = watchfiles.watch(
        *existing,
        watch_filter=_not_the_lock,
        stop_event=stop,
        debounce=300,
        rust_timeout=200,
        yield_on_timeout=True,  # the first (empty) yield says the watcher is in place
    )
    for changed in changes:
        if ready is not None:
            ready.set()
        if not changed:
            continue
        preview.echo("Change detected: rebuilding …")
        preview.rebuild()
