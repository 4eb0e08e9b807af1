#!/usr/bin/env python3
"""Serve a built site on 127.0.0.1 and screenshot pages in headless Chromium.

    python scripts/screenshots.py _site /tmp/shots [--width 1280] [PAGE ...]

PAGE is a path under the site (default: home, first issuer, achievement and
credential pages). Used to look at what we make as users see it.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import threading
from pathlib import Path

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def serve(folder: Path) -> http.server.ThreadingHTTPServer:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def default_pages(site: Path) -> list[str]:
    pages = [""]
    for pattern in ("issuers/*/index.html", "achievements/*/index.html", "credentials/*/index.html"):
        found = sorted(site.glob(pattern))
        if found:
            pages.append(found[0].parent.relative_to(site).as_posix() + "/")
    return pages


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("site", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("pages", nargs="*")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--print", dest="print_pdf", action="store_true", help="also save print PDFs")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    server = serve(args.site)
    base = f"http://127.0.0.1:{server.server_port}/"
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": args.width, "height": 900})
        for i, path in enumerate(args.pages or default_pages(args.site)):
            page.goto(base + path)
            page.wait_for_timeout(300)
            name = f"{i:02d}-{path.strip('/').replace('/', '_') or 'home'}-{args.width}"
            page.screenshot(path=str(args.out / f"{name}.png"), full_page=True)
            if args.print_pdf:
                page.pdf(path=str(args.out / f"{name}.pdf"))
            print(args.out / f"{name}.png")
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
