"""Browser-test fixtures: one example site built per module, served on 127.0.0.1.

Each test that tampers with files gets its own copy of the built site and its
own server, so tests never see each other's damage and the site is built once.

Chromium is ``$CREDPRESS_CHROMIUM`` if set (CI on GitHub points it at the browser
``python -m playwright install chromium`` downloaded), else Debian's
``/usr/bin/chromium``. Without Playwright or that browser the tests skip, except
under ``CI=true``, where they fail: CI must never pass by skipping them.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from credpress.pipeline import BuildOptions, build
from credpress.vc import keys

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CREDPRESS_CHROMIUM") or "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
BASE_URL = "https://badges.northwind-academy.example/"

# Added to the example content: an award that has already expired.
EXTRA_AWARDS = """\
- achievement: python-foundations
  recipient:
    name: Erin Expired
    email: erin.expired@example.org
  awarded: 2025-01-10
  expires: 2025-07-01
"""


@dataclass
class Built:
    site: Path
    key: keys.SigningKey


@dataclass
class Served:
    root: Path  # this test's own copy of the site
    url: str  # http://127.0.0.1:PORT/

    def credential_file(self, award: tuple[str, str]) -> Path:
        """The credential JSON of the award (recipient, achievement name)."""
        for path in sorted((self.root / "credentials").glob("*.json")):
            document = json.loads(path.read_text("utf-8"))
            names = [
                i["identityHash"] for i in document["credentialSubject"]["identifier"] if i["identityType"] == "name"
            ]
            if (names[0], document["name"]) == award:
                return path
        raise LookupError(award)

    def badge_page(self, award: tuple[str, str]) -> str:
        return f"{self.url}credentials/{self.credential_file(award).stem}/"

    def edit_json(self, path: Path, change) -> dict[str, Any]:
        document = json.loads(path.read_text("utf-8"))
        change(document)
        path.write_text(json.dumps(document, indent=2, ensure_ascii=False), "utf-8")
        return document

    @property
    def did_json(self) -> Path:
        return self.root / "issuers" / "northwind-data-academy" / "did.json"


def serve(folder: Path) -> http.server.ThreadingHTTPServer:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -e '.[test]')"
    if not CHROMIUM.is_file():
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium, or set CREDPRESS_CHROMIUM)"
    return None


@pytest.fixture(scope="session", autouse=True)
def chromium_available() -> None:
    """Skip every browser test when Chromium is missing; fail them all under CI=true.

    Session-scoped, so it runs before the module fixtures that build a site.
    """
    reason = missing_browser()
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI=true: the browser tests must run, not skip", pytrace=False)
    pytest.skip(f"{reason} (under CI=true this fails)")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("browser-site")
    content = root / "content"
    shutil.copytree(REPO / "content", content)  # the repo's lock file stays untouched
    (content / "awards" / "zz-browser-tests.yaml").write_text(EXTRA_AWARDS, "utf-8")
    key = keys.generate()
    keys.write_key_file(root / "signing-key.pem", key)
    build(
        BuildOptions(
            content=content, out=root / "site", key_path=root / "signing-key.pem", environ={}, warn=lambda message: None
        )
    )
    return Built(root / "site", key)


@pytest.fixture
def served(built: Built, tmp_path: Path) -> Iterator[Served]:
    copy = tmp_path / "site"
    shutil.copytree(built.site, copy)
    server = serve(copy)
    yield Served(copy, f"http://127.0.0.1:{server.server_port}/")
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"uncaught errors in the page: {errors}"
