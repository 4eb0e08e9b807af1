"""Published SVG files never run script when opened on their own (issue 9), in Chromium.

A badge SVG opened directly is a document on the site's origin. Two layers keep it
inert: the content check's allowlist (nothing that runs script is published), and the
``Content-Security-Policy`` the ``_headers`` file sends for ``*.svg``. A tiny server
applies the ``_headers`` rules the way Netlify and Cloudflare Pages do; every
published SVG is opened with and without them, and the old checker's bypass payloads,
copied into the site behind the checker's back, are opened with them. The side effect
watched for is the payloads' ``alert()`` (a dialog) or a console message.
"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from credpress.pipeline import BuildOptions, build
from credpress.vc import keys

from .conftest import REPO

pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")

SCRIPTED = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert("canary");console.log("PWNED")</script></svg>'
# Each payload the old byte-regex checker let through, or that a looser one would.
PAYLOADS = {
    "utf16.svg": ('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>').encode("utf-16"),
    "namespaced.svg": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><h:script xmlns:h="http://www.w3.org/2000/svg">alert(1)'
        b"</h:script></svg>"
    ),
    "onload.svg": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    "canary.svg": SCRIPTED.encode(),
}


def _header_rules(site: Path) -> list[tuple[re.Pattern[str], list[tuple[str, str]]]]:
    """The _headers file as (path pattern, headers): '*' matches any characters."""
    rules: list[tuple[re.Pattern[str], list[tuple[str, str]]]] = []
    for line in (site / "_headers").read_text("utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            rules.append((re.compile(".*".join(re.escape(p) for p in line.strip().split("*"))), []))
        else:
            name, _, value = line.strip().partition(":")
            rules[-1][1].append((name.strip(), value.strip()))
    return rules


@functools.cache
def _server_class(with_headers: bool) -> type[http.server.SimpleHTTPRequestHandler]:
    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def end_headers(self) -> None:
            if with_headers:
                path = urlsplit(self.path).path
                for pattern, headers in _header_rules(Path(self.directory)):
                    if pattern.fullmatch(path):
                        for name, value in headers:
                            self.send_header(name, value)
            super().end_headers()

    return Handler


def _serve(folder: Path, with_headers: bool) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(_server_class(with_headers), directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small fixture site with an SVG badge, plus the payloads copied in unchecked."""
    from test_content_hardening import RICH_SVG

    root = tmp_path_factory.mktemp("svg-site")
    content = root / "content"
    shutil.copytree(REPO / "tests" / "fixtures" / "small", content)
    (content / "images" / "art.svg").write_text(RICH_SVG, "utf-8")
    beta = content / "achievements" / "beta.yaml"
    beta.write_text(beta.read_text("utf-8").replace("images/badge-b.png", "images/art.svg"), "utf-8")
    key_path = root / "key.pem"
    keys.write_key_file(key_path, keys.generate())
    build(BuildOptions(content=content, out=root / "site", key_path=key_path, environ={}, warn=lambda m: None))
    return root / "site"


@pytest.fixture(scope="module")
def payload_folder(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("svg-payloads") / "site"
    shutil.copytree(site, folder)
    for name, data in PAYLOADS.items():
        (folder / "payloads").mkdir(exist_ok=True)
        (folder / "payloads" / name).write_bytes(data)
    return folder


@pytest.fixture
def served(request: pytest.FixtureRequest) -> Iterator[Any]:
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(folder: Path, with_headers: bool) -> str:
        servers.append(_serve(folder, with_headers))
        return f"http://127.0.0.1:{servers[-1].server_port}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _side_effects(browser: Any, url: str) -> list[str]:
    """Open *url* as a top-level document; every dialog and console message it caused."""
    context = browser.new_context()
    page = context.new_page()
    seen: list[str] = []
    page.on("dialog", lambda dialog: (seen.append(f"dialog {dialog.message}"), dialog.dismiss()))
    page.on("console", lambda message: seen.append(f"console {message.text}") if "PWNED" in message.text else None)
    response = page.goto(url)
    assert response is not None and response.ok, url
    page.wait_for_timeout(200)
    context.close()
    return seen


def test_the_detector_sees_script_in_an_svg_served_without_the_headers(browser, payload_folder, served):
    base = served(payload_folder, with_headers=False)
    assert _side_effects(browser, base + "payloads/canary.svg") == ["dialog canary", "console PWNED"]


@pytest.mark.parametrize("name", PAYLOADS)
def test_each_payload_runs_script_when_nothing_stops_it(browser, payload_folder, served, name):
    """So the two tests below prove something: each payload is live in Chromium."""
    base = served(payload_folder, with_headers=False)
    assert _side_effects(browser, base + f"payloads/{name}")


@pytest.mark.parametrize("with_headers", [False, True], ids=["content-check-alone", "with-headers"])
def test_no_published_svg_runs_script(browser, site, served, with_headers):
    # the content's SVG art, and every SVG the build draws (pathway diagrams, QR codes)
    published = sorted(site.rglob("*.svg"))
    names = [p.relative_to(site).as_posix() for p in published]
    assert "images/art.svg" in names and any(n.endswith("/qr.svg") for n in names)
    base = served(site, with_headers)
    for path in published:
        assert _side_effects(browser, base + path.relative_to(site).as_posix()) == []


@pytest.mark.parametrize("name", PAYLOADS)
def test_the_svg_csp_stops_the_payloads_the_checker_refuses(browser, payload_folder, served, name):
    base = served(payload_folder, with_headers=True)
    assert _side_effects(browser, base + f"payloads/{name}") == []
