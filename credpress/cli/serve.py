"""``credpress serve``: build, serve on 127.0.0.1 at base_url's path, rebuild on every change."""

from __future__ import annotations

from pathlib import Path

import click

from .report import err, exit_on_errors


@click.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port (0: any free one).")
@click.option(
    "--content", type=click.Path(path_type=Path), default=Path("content"), show_default=True, help="Content folder."
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path(".credpress/preview"),
    show_default=True,
    help="Output folder of the preview (not _site/, so a preview is never deployed by mistake).",
)
@click.option(
    "--key",
    "key_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Signing key file (else $CREDPRESS_SIGNING_KEY, else the development key).",
)
def serve(port: int, content: Path, out: Path, key_path: Path | None) -> None:
    """Preview the site on 127.0.0.1, rebuilt on every change.

    Watches the content folder and site_templates/.
    """
    import threading

    from ..pipeline import BuildOptions
    from ..site.preview_server import Preview, make_server, watch

    options = BuildOptions(content=content, out=out, key_path=key_path, warn=err)
    preview = Preview(options, err)
    with exit_on_errors():
        server = make_server(preview, port)
    # Watching begins before the first build, so no change made after it is missed.
    stop, ready = threading.Event(), threading.Event()
    folders = [content, Path(content).absolute().parent / "site_templates"]
    watcher = threading.Thread(target=watch, args=(preview, folders, stop, ready), daemon=True)
    watcher.start()
    ready.wait(timeout=30)
    state = preview.rebuild()
    url = f"http://127.0.0.1:{server.server_address[1]}{state.base_path}"
    click.echo(f"Serving {url} (Ctrl-C to stop); rebuilding when {content}/ or site_templates/ change", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        err("Stopped.")
    finally:
        stop.set()
        server.server_close()
