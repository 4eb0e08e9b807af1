#!/usr/bin/env python3
"""In-browser verification time on badge pages (verify.js, headless Chromium).

    python bench/browser_verify.py [N]        (default: every credential, at most 30)

Builds the example site (a copy of content/, a throwaway key), serves it on
127.0.0.1 and opens N badge pages. For each it prints what verify.js measured
with performance.now() (``data-verification-ms``: from the start of the check
to the result, both downloads included), how much of that was the two
downloads (Resource Timing), and the time of the same check run again once
the page has loaded. Target (issue 3): under 50 ms after load.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

from screenshots import CHROMIUM_ARGS  # noqa: E402
from screenshots import serve as _serve  # noqa: E402

from credpress.pipeline import BuildOptions, build  # noqa: E402
from credpress.vc import keys  # noqa: E402

DONE = "() => document.getElementById('verification').dataset.verification !== 'pending'"
# Once loaded: run the whole check again (fresh DID document fetch included).
AGAIN = """async () => {
  const section = document.getElementById('verification');
  const { verifyCredentialUrl } = await import(new URL('assets/verify.js', new URL(section.dataset.root || './', location.href)).href);
  const options = { baseUrl: section.dataset.baseUrl, siteRoot: new URL(section.dataset.root || './', location.href).href };
  const result = await verifyCredentialUrl(new URL(section.dataset.credentialUrl, location.href).href, options);
  return [result.state, result.ms];
}"""
DOWNLOADS = """() => performance.getEntriesByType('resource')
  .filter(e => /\\.json$/.test(e.name)).reduce((sum, e) => sum + e.duration, 0)"""


def serve(folder: Path):
    server = _serve(folder)
    server.handle_error = lambda request, address: None  # the browser hanging up on favicon.ico is not news
    return server


def main() -> None:
    wanted = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(REPO / "content", root / "content")
        keys.write_key_file(root / "key.pem", keys.generate())
        build(
            BuildOptions(
                content=root / "content",
                out=root / "site",
                key_path=root / "key.pem",
                environ={},
                warn=lambda message: None,
            )
        )
        site = root / "site"
        pages = sorted(p.parent.relative_to(site).as_posix() + "/" for p in site.glob("credentials/*/index.html"))
        pages = pages[:wanted]
        server = serve(site)
        base = f"http://127.0.0.1:{server.server_port}/"
        on_load, again, downloads = [], [], []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(base)  # warm up the browser and the server once
            print(f"{'page':50} {'result':9} {'on load':>9} {'downloads':>10} {'again':>8}")
            for path in pages:
                page.goto(base + path)
                page.wait_for_function(DONE, timeout=10_000)
                section = page.locator("#verification")
                state = section.get_attribute("data-verification")
                ms = float(section.get_attribute("data-verification-ms"))
                fetched = page.evaluate(DOWNLOADS)
                state_again, ms_again = page.evaluate(AGAIN)
                # revoked: an award withdrawn in the example content (still a full check)
                assert state == state_again and state in ("verified", "revoked"), (path, state, state_again)
                on_load.append(ms)
                downloads.append(fetched)
                again.append(ms_again)
                print(f"{path:50} {state:9} {ms:7.1f} ms {fetched:7.1f} ms {ms_again:5.1f} ms")
            browser.close()
        server.shutdown()
    print(
        f"\n{len(pages)} pages, median (mean): on load {statistics.median(on_load):.1f} ms "
        f"({statistics.mean(on_load):.1f}), of which downloads {statistics.median(downloads):.1f} ms; "
        f"again after load {statistics.median(again):.1f} ms ({statistics.mean(again):.1f})"
    )


if __name__ == "__main__":
    main()
