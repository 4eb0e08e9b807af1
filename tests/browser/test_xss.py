"""Hostile content (issue 5): XSS payloads in every text field stay inert text, in Chromium.

A site is built once from content whose every free-text field carries script
injection payloads. Every generated page is then opened in headless Chromium
and checked three ways:

* nothing ran: ``window.__pwned`` stays unset (every payload sets it), no dialog
  opened, no request went to the ``src=x`` of an injected image; pages are loaded
  with the CSP *bypassed*, so this proves the escaping itself, not the CSP;
* nothing was injected: the DOM holds no script but the site's own, no ``on*``
  attribute, no ``javascript:`` or ``data:text/html`` link;
* the payloads show as literal text, and badge pages still verify (the payloads
  are signed content) with the verification UI rendering names as text.

Separately, with the CSP enforced: every page carries a strict CSP meta tag and
the site's own code triggers no violation on it.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import yaml

from credpress.errors import ContentError
from credpress.pipeline import BuildOptions, build, check_content
from credpress.vc import keys

from .conftest import REPO, serve

SMALL = REPO / "tests" / "fixtures" / "small"
SEED = bytes(range(32))  # the fixed test key of tests/conftest.py
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)  # browser clock: every award valid

# --- Payloads --------------------------------------------------------------------------------
# Each sets window.__pwned if it ever runs. Short enough for 50-character fields (tags).

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=1">'
SVG = "<svg onload=window.__pwned=1>"
QUOTE_BREAK = '"><script>window.__pwned=1</script>'  # out of a double-quoted attribute
SCRIPT_BREAK = "</script><script>window.__pwned=1</script>"  # out of the JSON-LD <script>
COMMENT_BREAK = "<!--<script>"  # script-data double-escaped state inside the JSON-LD <script>
SINGLE_ATTR = "' onmouseover='window.__pwned=1"  # out of a single-quoted attribute
DOUBLE_ATTR = '" onmouseover="window.__pwned=1'
TEMPLATE = "{{7*7}} {% raw %} ${7*7} #{7*7}"  # Jinja, JS template literal, Ruby-style
ENTITIES = "&lt;img src=x onerror=window.__pwned=1&gt;"  # must not be decoded twice
DATA_LINK = '<a href="data:text/html,<script>window.__pwned=1</script>">d</a>'
UNICODE = "line\u2028separator\u2029paragraph"  # JS line terminators, legal in JSON strings

# Two mixes of the above, each under the 200-character limit of names and titles.
MIX_A = f"{SCRIPT_BREAK} {IMG} {SINGLE_ATTR} {TEMPLATE} {UNICODE}"
MIX_B = f"{QUOTE_BREAK} {SVG} {DOUBLE_ATTR} {ENTITIES} {COMMENT_BREAK}"

# Markdown fields get everything above plus links and images that try to smuggle a scheme.
MARKDOWN = "\n\n".join(
    [
        SCRIPT,
        IMG,
        SVG,
        QUOTE_BREAK,
        SCRIPT_BREAK,
        COMMENT_BREAK,
        SINGLE_ATTR,
        DOUBLE_ATTR,
        TEMPLATE,
        ENTITIES,
        DATA_LINK,
        UNICODE,
        "[js](javascript:window.__pwned=1)",
        "[js-case](JaVaScRiPt:window.__pwned=1)",
        "[js-entity](javascript&#58;window.__pwned=1)",
        "[js-ref][ref]\n\n[ref]: javascript:window.__pwned=1",
        "[data](data:text/html;base64,PHNjcmlwdD53aW5kb3cuX19wd25lZD0xPC9zY3JpcHQ+)",
        "[vb](vbscript:window.__pwned=1)",
        '![img](x" onerror="window.__pwned=1)',
        '[title](https://ok.example/ "t\\" onmouseover=\\"window.__pwned=1")',
        "<javascript:window.__pwned=1>",
        "`<script>window.__pwned=1</script>` in code",
        "    <script>window.__pwned=1</script> (indented code)",
        "**bold survives**",
    ]
)


def label(name: str, mix: str) -> str:
    return f"{name} {mix}"


SITE_TITLE = label("Site", MIX_A)
ISSUER_NAME = label("Issuer", MIX_B)
# URLs may hold ' ( ) ; = (RFC 3986 sub-delims) but not a raw " < > or space: those are refused
# (see REFUSED), and arrive here percent-encoded.
ISSUER_URL = "https://acme.example/%22%3E%3Cscript%3Ewindow.__pwned=1%3C/script%3E?q='onmouseover='window.__pwned=1'"
ISSUER_EMAIL = "x'onmouseover='window.__pwned=1'@acme.example"  # ' and = are legal in an address
ALPHA_NAME, BETA_NAME, CERT_NAME = label("Alpha", MIX_A), label("Beta", MIX_B), label("Cert", MIX_A)
TAGS = [SCRIPT, IMG, SVG, SINGLE_ATTR, SCRIPT_BREAK, "{{7*7}}", UNICODE]
ALIGNMENT = {
    "name": label("Aligned", MIX_B),
    "url": "https://framework.example/beta?x='onfocus='window.__pwned=1'&y=%22%3E%3Csvg%20onload=window.__pwned=1%3E",
    "framework": label("Framework", MIX_A),
    "code": QUOTE_BREAK + SVG,
}
ADA, GRACE, ZOE = label("Ada", MIX_A), label("Grace", MIX_B), label("Zoe", MIX_A)
EVIDENCE = {
    "name": label("Evidence", MIX_B),
    "description": MARKDOWN,
    "url": "https://evidence.example/ada/%22%3E%3Cscript%3Ewindow.__pwned=1%3C/script%3E?a='onmouseover='window.__pwned=1",
}
REVOKED_REASON = label("Reason", MIX_B) + " " + SCRIPT_BREAK
SALT = SCRIPT_BREAK  # published in the credential (and so in the JSON-LD <script>)

CONTENT: dict[str, Any] = {
    "site.yaml": {"base_url": "https://example.test/badges/", "title": SITE_TITLE, "language": "en"},
    "issuers/acme.yaml": {
        "name": ISSUER_NAME,
        "url": ISSUER_URL,
        "email": ISSUER_EMAIL,
        "description": MARKDOWN,
        "image": "images/badge-a.png",
    },
    "achievements/alpha.yaml": {
        "issuer": "acme",
        "name": ALPHA_NAME,
        "description": MARKDOWN,
        "criteria": MARKDOWN,
        "image": "images/badge-a.png",
        "type": "MicroCredential",
        "tags": TAGS,
        "credits": 1,
    },
    "achievements/beta.yaml": {
        "issuer": "acme",
        "name": BETA_NAME,
        "description": MARKDOWN,
        "criteria": MARKDOWN,
        "image": "images/badge-b.png",
        "type": "MicroCredential",
        "alignment": [ALIGNMENT],
        "expires_after": "P2Y",
    },
    "achievements/cert.yaml": {
        "issuer": "acme",
        "name": CERT_NAME,
        "description": MARKDOWN,
        "criteria": MARKDOWN,
        "image": "images/badge-cert.png",
        "type": "Certificate",
        "requires": ["alpha", "beta"],
    },
    "awards/cohort.yaml": [
        {"achievement": "alpha", "recipient": {"name": ADA, "email": "ada@example.org"}, "awarded": date(2026, 3, 1)},
        {
            "achievement": "beta",
            "recipient": {"name": ADA, "email": "ada@example.org"},
            "awarded": date(2026, 4, 1),
            "evidence": [EVIDENCE, {"name": label("Bare evidence", MIX_A)}],
        },
        {
            "achievement": "cert",
            "recipient": {"name": ADA, "email": "ada@example.org"},
            "awarded": date(2026, 4, 2),
            "narrative": MARKDOWN,
        },
        {
            "achievement": "alpha",
            "recipient": {"name": ZOE, "did": "did:example:zoe"},
            "awarded": date(2026, 3, 5),
            "revoked": {"date": date(2026, 6, 1), "reason": REVOKED_REASON},
        },
        {
            "achievement": "beta",
            "recipient": {"name": GRACE, "salt": SALT, "email_hash": "sha256$" + "1d0c5738" * 8},
            "awarded": date(2026, 5, 1),
        },
    ],
}

# Payloads validation refuses, with a clean content error (so they never reach a page).
REFUSED = {
    "NUL in a name": ("achievements/alpha.yaml", "name", "Alpha\x00<script>", "contains control characters"),
    "ESC in a tag": ("achievements/alpha.yaml", "tags", ["\x1b[31m<script>"], "contains control characters"),
    "NEL in the site title": ("site.yaml", "title", "a\x85b", "contains control characters"),
    "newline in a name": ("issuers/acme.yaml", "name", "Acme\n<script>", "contains control characters"),
    "right-to-left override": ("issuers/acme.yaml", "name", "Acme\u202e<script>", "invisible"),
    "zero-width space": ("achievements/alpha.yaml", "name", "java\u200bscript:", "invisible"),
    "javascript: issuer url": ("issuers/acme.yaml", "url", "javascript:window.__pwned=1", "must be an http(s) URL"),
    "data: issuer url": (
        "issuers/acme.yaml",
        "url",
        "data:text/html,<script>window.__pwned=1</script>",
        "must be an http(s) URL",
    ),
    "javascript:// url": (
        "issuers/acme.yaml",
        "url",
        "javascript://acme.example/%0awindow.__pwned=1",
        "must be an http(s) URL",
    ),
    "markup in an email": ("issuers/acme.yaml", "email", '"><script>@acme.example', "not an email address"),
    "markup in the language": ("site.yaml", "language", 'en"><script>', "not a BCP 47 language tag"),
    "http base_url": ("site.yaml", "base_url", "http://example.test/<script>/", "must be an https URL"),
    "markup in an issuer url": (
        "issuers/acme.yaml",
        "url",
        'https://acme.example/"><script>window.__pwned=1</script>',
        "contains '\"' in its path, which is not allowed in a URL",
    ),
    "space in an issuer url": (
        "issuers/acme.yaml",
        "url",
        "https://acme.example/?q=' onmouseover='x",
        "contains a space",
    ),
}


def write_content(folder: Path, content: dict[str, Any]) -> None:
    """The small fixture (for its images) with every YAML file replaced by *content*."""
    shutil.copytree(SMALL, folder)
    for rel, data in content.items():
        text = yaml.safe_dump(data, allow_unicode=False, sort_keys=False, width=1_000_000)  # all escaped
        assert yaml.safe_load(text) == data, f"{rel} does not round-trip through YAML"
        (folder / rel).write_text(text, "utf-8")


# --- The hostile site, built once -------------------------------------------------------------

# Every page the build makes, by a stable name: page id -> (recipient, achievement) for badge pages.
BADGES = {
    "badge-ada-alpha": (ADA, ALPHA_NAME),
    "badge-ada-beta": (ADA, BETA_NAME),
    "badge-ada-cert": (ADA, CERT_NAME),
    "badge-zoe-alpha-revoked": (ZOE, ALPHA_NAME),
    "badge-grace-beta": (GRACE, BETA_NAME),
}
PAGES = ["home", "issuer", "achievement-alpha", "achievement-beta", "achievement-cert", *BADGES, "verify", "dashboard"]


@dataclass
class HostileSite:
    root: Path
    url: str
    paths: dict[str, str]  # page id -> path under the site root ("" is the home page)
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)  # badge page id -> its credential

    def page_url(self, page_id: str) -> str:
        return self.url + self.paths[page_id]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileSite]:
    root = tmp_path_factory.mktemp("hostile-site")
    write_content(root / "content", CONTENT)
    # Validation keeps every payload exactly as written (nothing stripped, nothing rewritten).
    model, warnings = check_content(root / "content", strict=True)
    assert warnings == []
    assert model.site.title == SITE_TITLE and model.issuers["acme"].name == ISSUER_NAME
    assert model.issuers["acme"].url == ISSUER_URL and model.issuers["acme"].email == ISSUER_EMAIL
    assert [a.recipient.name for a in model.awards] == [ADA, ADA, ADA, ZOE, GRACE]
    assert model.awards[3].revoked.reason == REVOKED_REASON and model.awards[2].narrative == MARKDOWN
    assert list(model.achievements["alpha"].tags) == TAGS

    keys.write_key_file(root / "signing-key.pem", keys.from_seed(SEED, "test key"))
    result = build(
        BuildOptions(
            content=root / "content",
            out=root / "site",
            key_path=root / "signing-key.pem",
            environ={},
            warn=lambda message: None,
            strict=True,
        )
    )
    assert result.credentials == 5  # the build succeeded with every payload in place

    site = root / "site"
    paths = {
        "home": "",
        "issuer": "issuers/acme/",
        "verify": "verify/",
        "dashboard": "dashboard/",
        **{f"achievement-{slug}": f"achievements/{slug}/" for slug in ("alpha", "beta", "cert")},
    }
    by_award = {award: page_id for page_id, award in BADGES.items()}
    documents = {}
    for path in sorted((site / "credentials").glob("*.json")):
        document = json.loads(path.read_text("utf-8"))
        name = next(
            i["identityHash"] for i in document["credentialSubject"]["identifier"] if i["identityType"] == "name"
        )
        page_id = by_award[(name, document["name"])]
        paths[page_id] = f"credentials/{path.stem}/"
        documents[page_id] = document
    server = serve(site)
    yield HostileSite(site, f"http://127.0.0.1:{server.server_port}/", paths, documents)
    server.shutdown()
    server.server_close()


# --- What a page must (not) contain -----------------------------------------------------------

DONE = "() => !['pending', 'idle'].includes(document.getElementById('verification')?.dataset.verification)"

# Everything injected code could leave in the DOM, found in one pass.
INSPECT = r"""() => {
  const origin = location.origin;
  const sameOrigin = (url) => { try { return new URL(url, location.href).origin === origin; } catch { return false; } };
  const ownScript = (s) => s.src
    ? sameOrigin(s.src) && new URL(s.src).pathname.includes("/assets/") && !s.textContent.trim()
    : s.type === "application/json" && s.id === "site-issuers";
  // Content images, the pathway diagram the build draws for a stack (escaped text only),
  // and the badge page's QR code.
  const ownImage = (i) => sameOrigin(i.src) && (new URL(i.src).pathname.includes("/images/")
    || /\/achievements\/[a-z0-9-]+\/pathway\.svg$/.test(new URL(i.src).pathname)
    || /\/credentials\/[0-9a-f-]{36}\/qr\.svg$/.test(new URL(i.src).pathname));
  const URL_ATTRS = ["href", "src", "action", "formaction", "xlink:href", "poster", "data", "srcset", "srcdoc"];
  const findings = {scripts: [], handlers: [], urls: [], elements: []};
  for (const s of document.querySelectorAll("script")) if (!ownScript(s)) findings.scripts.push(s.outerHTML.slice(0, 120));
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith("on")) findings.handlers.push(`<${el.localName} ${name}="${attr.value.slice(0, 60)}">`);
      if (URL_ATTRS.includes(name)) {
        const value = attr.value.replace(/[\u0000-\u0020]/g, "").toLowerCase();
        const favicon = el.localName === "link" && el.rel === "icon" && attr.value === "data:,";
        if (/^(javascript|vbscript|data):/.test(value) && !favicon) findings.urls.push(`<${el.localName} ${name}="${attr.value.slice(0, 60)}">`);
      }
    }
    const tag = el.localName;
    // The dashboard draws its chart inline: an <svg> there may hold drawing elements only.
    const DRAWING = ["g", "rect", "line", "text", "title", "desc", "tspan"];
    const ownChart = tag === "svg" && el.closest(".dashboard-chart")
      && [...el.querySelectorAll("*")].every((child) => DRAWING.includes(child.localName));
    if (["svg", "math", "iframe", "frame", "object", "embed", "base", "form", "template", "style"].includes(tag)
        && !(tag === "form" && el.id === "verify-form") && !ownChart) findings.elements.push(tag);
    if (tag === "img" && !ownImage(el)) findings.elements.push(`img ${el.getAttribute("src")}`);
    if (tag === "meta" && (el.httpEquiv || "").toLowerCase() === "refresh") findings.elements.push("meta refresh");
    if (tag === "a" && el.hasAttribute("href") && !["http:", "https:", "mailto:"].includes(el.protocol))
      findings.urls.push(`<a href="${el.getAttribute("href").slice(0, 60)}">`);
  }
  return findings;
}"""

# Fire the events injected handlers would wait for, on every element (synthetic events run inline handlers).
POKE = """() => {
  for (const el of document.querySelectorAll("body *"))
    for (const type of ["mouseover", "mouseenter", "pointerover", "focus", "focusin", "animationstart"])
      el.dispatchEvent(new Event(type, {bubbles: true}));
}"""


@dataclass
class Watch:
    """What a page did that it should not: dialogs, console noise about the payload, stray requests."""

    site: str
    dialogs: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    stray: list[str] = field(default_factory=list)  # requests off the site, or to an injected src=x
    failed: list[str] = field(default_factory=list)  # responses >= 400 (e.g. a missing favicon)

    def attach(self, page: Any) -> None:
        page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        page.on("console", lambda message: self.console.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("request", lambda request: self._request(request.url))
        page.on(
            "response",
            lambda response: response.status >= 400 and self.failed.append(f"{response.status} {response.url}"),
        )

    def _request(self, url: str) -> None:
        if not url.startswith(self.site) or re.search(r"/x([?#]|$)", url):
            self.stray.append(url)


@pytest.fixture(scope="module")
def contexts(browser: Any) -> Iterator[dict[bool, Any]]:
    """One browser context per mode: CSP bypassed (to test the escaping alone) and CSP enforced."""
    made = {}
    for bypass in (True, False):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=bypass)
        context.add_init_script("""
          window.__csp = [];
          document.addEventListener("securitypolicyviolation",
            (e) => window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`));
        """)
        context.clock.set_fixed_time(NOW)
        made[bypass] = context
    yield made
    for context in made.values():
        context.close()


@contextmanager
def visit(
    contexts: dict[bool, Any], hostile: HostileSite, page_id: str, *, bypass_csp: bool
) -> Iterator[tuple[Any, Watch]]:
    """A fresh tab on the page, loaded (and on badge pages, verified); closed afterwards."""
    page = contexts[bypass_csp].new_page()
    page.set_default_timeout(5_000)  # a broken page fails fast
    watch = Watch(hostile.url)
    watch.attach(page)
    try:
        page.goto(hostile.page_url(page_id))
        page.wait_for_load_state("load")
        if page_id in BADGES:
            page.wait_for_function(DONE, timeout=10_000)
        yield page, watch
    finally:
        page.close()


def hover_links(page: Any) -> None:
    """Move the real mouse over every link and button; click the links the sanitizer disarmed (no href)."""
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": 1280, "height": height})  # everything in view: no scrolling per link
    targets = page.evaluate("""() => [...document.querySelectorAll("a, button")]
      .filter((el) => el.dataset.action !== "print" && el.getClientRects().length)
      .map((el) => { const r = el.getClientRects()[0];
                     return [r.x + r.width / 2, r.y + r.height / 2, el.localName === "a" && !el.hasAttribute("href")]; })""")
    assert targets, "no links to hover"
    for x, y, disarmed in targets:
        page.mouse.move(x, y)
        if disarmed:
            page.mouse.click(x, y)
    page.wait_for_timeout(50)


def text_of(page: Any, selector: str = "body") -> str:
    return page.eval_on_selector(selector, "el => el.textContent")


def expected_texts(page_id: str) -> list[str]:
    """Payload-laden values the page shows, each of which must appear literally, as text."""
    markdown_literals = ["<script>window.__pwned=1</script> in code", IMG, SCRIPT_BREAK, DATA_LINK, "bold survives"]
    by_page = {
        "home": [ISSUER_NAME, ALPHA_NAME, BETA_NAME, CERT_NAME],
        "issuer": [ISSUER_NAME, ISSUER_URL, ISSUER_EMAIL, ALPHA_NAME, BETA_NAME, CERT_NAME, *markdown_literals],
        "achievement-alpha": [ALPHA_NAME, ISSUER_NAME, *TAGS, *markdown_literals],
        "achievement-beta": [BETA_NAME, ISSUER_NAME, ALIGNMENT["name"], ALIGNMENT["framework"], ALIGNMENT["code"]],
        "achievement-cert": [CERT_NAME, ALPHA_NAME, BETA_NAME],
        "badge-ada-alpha": [ADA, ALPHA_NAME, ISSUER_NAME],
        "badge-ada-beta": [ADA, BETA_NAME, EVIDENCE["name"], "Bare evidence " + MIX_A, *markdown_literals],
        "badge-ada-cert": [ADA, CERT_NAME, ALPHA_NAME, BETA_NAME, *markdown_literals],
        "badge-zoe-alpha-revoked": [ZOE, ALPHA_NAME, REVOKED_REASON],
        "badge-grace-beta": [GRACE, BETA_NAME],
        "verify": [],
        "dashboard": [ALPHA_NAME, BETA_NAME, CERT_NAME],  # counts per achievement, by name; no learner
    }
    return [SITE_TITLE, "{{7*7}} {% raw %} ${7*7}", *by_page[page_id]]


# --- The tests --------------------------------------------------------------------------------

NOTHING = {"scripts": [], "handlers": [], "urls": [], "elements": []}


def test_every_generated_page_is_checked(hostile: HostileSite) -> None:
    built = {p.parent.relative_to(hostile.root).as_posix() for p in hostile.root.rglob("index.html")}
    assert {path.rstrip("/") or "." for path in hostile.paths.values()} == built
    assert sorted(hostile.paths) == sorted(PAGES)


@pytest.mark.parametrize("page_id", PAGES)
def test_page_is_inert(contexts: dict[bool, Any], hostile: HostileSite, page_id: str) -> None:
    # CSP bypassed: the escaping alone must hold (the CSP is only the second line of defence).
    with visit(contexts, hostile, page_id, bypass_csp=True) as (page, watch):
        assert page.evaluate(INSPECT) == NOTHING  # after verify-ui.js has rendered its result

        # Poke everything, hover every link and button, click the links the sanitizer disarmed.
        page.evaluate(POKE)
        hover_links(page)
        assert page.evaluate("window.__pwned") is None
        assert page.url == hostile.page_url(page_id)  # nothing navigated away
        assert watch.dialogs == [] and watch.errors == [] and watch.stray == [] and watch.failed == []
        assert not [m for m in watch.console if "pwned" in m]

        # The payloads are there, as text, and templates did not evaluate them.
        shown = text_of(page)
        assert [text for text in expected_texts(page_id) if text not in shown] == []
        assert SITE_TITLE in page.title() and "49" not in page.title()  # {{7*7}} and ${7*7}

        if page_id in BADGES:
            check_badge_page(page, hostile, page_id)
        elif page_id == "issuer":  # URL payloads stayed inside their attributes
            assert page.get_by_role("link", name=ISSUER_URL, exact=True).get_attribute("href") == ISSUER_URL
            email = page.get_by_role("link", name=ISSUER_EMAIL, exact=True)
            assert email.get_attribute("href") == "mailto:" + ISSUER_EMAIL
        elif page_id == "achievement-beta":
            link = page.get_by_role("link", name=ALIGNMENT["name"], exact=True)
            assert link.get_attribute("href") == ALIGNMENT["url"]
            assert page.locator("meta[property='og:title']").get_attribute("content") == BETA_NAME


def check_badge_page(page: Any, hostile: HostileSite, page_id: str) -> None:
    """The signed payloads still verify, and the page shows exactly what was signed, as text."""
    section = page.locator("#verification")
    expected = "revoked" if page_id.endswith("-revoked") else "verified"
    assert section.get_attribute("data-verification") == expected, section.inner_text()
    assert f"Signed by {ISSUER_NAME}" in text_of(page, "#verification")  # verify-ui.js: the name as text

    recipient, achievement = BADGES[page_id]
    assert text_of(page, ".recipient") == recipient
    assert text_of(page, ".achievement-name") == achievement
    assert page.locator(".issued-by a").first.text_content() == ISSUER_NAME
    # No second copy of the credential in the page: verify-ui.js checks the linked file itself.
    assert page.locator("script#credential-json").count() == 0
    href = page.locator('link[rel="alternate"][type="application/ld+json"]').get_attribute("href")
    assert json.loads(page.request.get(urljoin(page.url, href)).text()) == hostile.documents[page_id]
    if page_id == "badge-ada-beta":
        link = page.get_by_role("link", name=EVIDENCE["name"], exact=True)
        assert link.get_attribute("href") == EVIDENCE["url"]
    if page_id == "badge-zoe-alpha-revoked":
        assert REVOKED_REASON in text_of(page, ".revoked-notice")


def test_verify_page_renders_a_hostile_credential_as_text(contexts: dict[bool, Any], hostile: HostileSite) -> None:
    with visit(contexts, hostile, "verify", bypass_csp=True) as (page, watch):
        page.fill("#verify-text", json.dumps(hostile.documents["badge-grace-beta"], ensure_ascii=False))
        page.get_by_role("button", name="Verify pasted JSON").click()
        page.wait_for_function(DONE, timeout=10_000)
        section = page.locator("#verification")
        assert section.get_attribute("data-verification") == "verified", section.inner_text()
        claims = dict(
            zip(
                page.locator(".verification-claims dt").all_text_contents(),
                page.locator(".verification-claims dd").all_text_contents(),
            )
        )
        # This site's issuer: its name (from the page's own list, JSON in a data block) and its domain.
        assert claims["Awarded to"] == GRACE and claims["Achievement"] == BETA_NAME
        assert claims["Issuer"] == f"{ISSUER_NAME} (example.test)"
        assert f"Signed by {ISSUER_NAME} (example.test)" in text_of(page, "#verification")
        assert [i["name"] for i in json.loads(text_of(page, "script#site-issuers"))] == [ISSUER_NAME]
        assert page.evaluate(INSPECT) == NOTHING
        page.evaluate(POKE)
        assert page.evaluate("window.__pwned") is None
        assert watch.dialogs == [] and watch.errors == [] and watch.stray == []


@pytest.mark.parametrize("page_id", PAGES)
def test_strict_csp_and_no_violations(contexts: dict[bool, Any], hostile: HostileSite, page_id: str) -> None:
    with visit(contexts, hostile, page_id, bypass_csp=False) as (page, watch):
        metas = page.locator("meta[http-equiv='Content-Security-Policy']")
        assert metas.count() == 1
        policy = metas.get_attribute("content")
        directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}
        assert directives["script-src"] == ["'self'"] and directives["default-src"] == ["'self'"]
        assert directives["object-src"] == ["'none'"] and directives["base-uri"] == ["'none'"]
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        if page_id in BADGES:  # the site's own scripts ran under the policy
            assert page.locator("#verification").get_attribute("data-verification") in ("verified", "revoked")
        # Nothing on the page, not even the site's own code, trips its own policy.
        assert page.evaluate("window.__csp") == []
        assert not [m for m in watch.console if "Content Security Policy" in m]
        assert page.evaluate("window.__pwned") is None
        assert watch.errors == [] and watch.failed == []


def test_the_checks_catch_a_real_injection(contexts: dict[bool, Any]) -> None:
    """The detectors above are not blind: unescaped payloads trip every one of them."""
    page = contexts[True].new_page()
    try:
        page.set_content(
            f"<p>{IMG}</p><p>{SCRIPT}</p><a href='javascript:window.__pwned=2'>x</a>"
            f"<span {SINGLE_ATTR[2:]}'>hover</span>"
        )
        findings = page.evaluate(INSPECT)
        assert findings["scripts"] and findings["handlers"] and findings["urls"] and findings["elements"]
        assert page.evaluate("window.__pwned") == 1
    finally:
        page.close()


@pytest.mark.parametrize("case", list(REFUSED))
def test_refused_payloads_get_a_clean_error(tmp_path: Path, case: str) -> None:
    rel, key, value, message = REFUSED[case]
    write_content(tmp_path / "content", {**CONTENT, rel: {**CONTENT[rel], key: value}})
    with pytest.raises(ContentError) as refused:
        check_content(tmp_path / "content")
    assert [p for p in refused.value.problems if p.field.startswith(key) and message in p.message], (
        refused.value.problems
    )
