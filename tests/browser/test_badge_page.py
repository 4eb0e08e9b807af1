"""The badge page a learner shares and an employer opens, in Chromium: where the
actions sit, the copy-link button, dates as words, one printed page with a QR code
that leads back, no axe-core violations on any page type, and the file:// message.

Screenshots and PDFs go to pytest's tmp_path (kept for the last three runs), so a
failure can be looked at.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from .conftest import BASE_URL, REPO, Served

GOOD = ("Amara Okafor", "Certificate in Applied Data Analysis")  # expires in 2031
REVOKED = ("Dmitri Volkov", "Python Foundations")
EXPIRED = ("Erin Expired", "Python Foundations")  # conftest.EXTRA_AWARDS
DONE = "() => !['pending', 'idle'].includes(document.getElementById('verification').dataset.verification)"
AXE = REPO / "tests" / "interop" / "node_modules" / "axe-core" / "axe.min.js"
ACTIONS = {
    "Add to LinkedIn": "a",
    "Download credential (JSON)": "a",
    "Print": "button",
    "Copy link": "button",
}
LINKEDIN_BLUE = (0x0A, 0x66, 0xC2)


def tool(name: str) -> str:
    """A Debian tool these tests need (.ci/run installs it): fail, never skip, without it."""
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed (apt-get install poppler-utils zbar-tools)", pytrace=False)
    return found


def open_badge(page: Any, served: Served, award: tuple[str, str]) -> str:
    """Open the award's badge page, wait for its verification; return its public URL."""
    page.goto(served.badge_page(award))
    page.wait_for_function(DONE, timeout=10_000)
    return f"{BASE_URL}credentials/{served.credential_file(award).stem}/"


def box(page: Any, locator: Any) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not shown"
    return found


# --- the actions sit under the certificate --------------------------------------------


@pytest.mark.parametrize("width", [360, 1280])
def test_actions_sit_between_the_certificate_and_the_verification(
    page: Any, served: Served, width: int, tmp_path: Path
) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    open_badge(page, served, GOOD)
    shot = tmp_path / f"badge-{width}.png"
    page.screenshot(path=str(shot), full_page=True)
    certificate = box(page, page.locator(".certificate-frame"))
    verification = box(page, page.locator("#verification"))
    from PIL import Image

    with Image.open(shot) as image:
        pixels = image.convert("RGB")
        for name, role in ACTIONS.items():
            kind = "link" if role == "a" else "button"
            button = box(page, page.get_by_role(kind, name=name, exact=True))
            assert button["y"] >= certificate["y"] + certificate["height"], f"{name} is not under the certificate"
            assert button["y"] + button["height"] <= verification["y"], f"{name} is not above the verification panel"
            if width == 1280:
                assert button["y"] + button["height"] < 800, f"{name} is below the fold at 1280×800"
        # The screenshot shows the LinkedIn button where the layout says it is (nothing covers it).
        linkedin = box(page, page.get_by_role("link", name="Add to LinkedIn"))
        left = pixels.getpixel((int(linkedin["x"]) + 4, int(linkedin["y"] + linkedin["height"] / 2)))
        assert left == LINKEDIN_BLUE, left


def test_a_revoked_badge_offers_no_linkedin_button(page: Any, served: Served) -> None:
    open_badge(page, served, REVOKED)
    assert page.get_by_role("link", name="Add to LinkedIn").count() == 0
    assert page.locator(".revoked-stamp").is_visible()
    for name in ("Print", "Copy link"):
        assert page.get_by_role("button", name=name).is_visible()


def test_copy_link_puts_the_public_address_on_the_clipboard(browser: Any, served: Served) -> None:
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    url = open_badge(page, served, GOOD)
    page.get_by_role("button", name="Copy link").click()
    status = page.get_by_role("status")
    status.filter(has_text="Link copied").wait_for()
    assert page.evaluate("() => navigator.clipboard.readText()") == url
    context.close()


def test_copy_link_without_the_clipboard_api_selects_the_address(page: Any, served: Served) -> None:
    page.add_init_script("Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined })")
    url = open_badge(page, served, GOOD)
    page.get_by_role("button", name="Copy link").click()
    page.get_by_role("status").filter(has_text="Ctrl+C").wait_for()
    assert page.evaluate("() => window.getSelection().toString()") == url


# --- dates ----------------------------------------------------------------------------

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}(?:T|\b)")
WORD_DATE = re.compile(
    r"^\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}$"
)


@pytest.mark.parametrize("award", [GOOD, REVOKED, EXPIRED])
def test_dates_read_as_dates(page: Any, served: Served, award: tuple[str, str]) -> None:
    open_badge(page, served, award)
    text = page.locator("body").inner_text()
    assert not ISO_DATE.search(text), ISO_DATE.search(text)
    times = page.locator("time").all()
    assert len(times) >= 3  # awarded, valid from, and more
    for time in times:
        assert WORD_DATE.match(time.inner_text()), time.inner_text()
        assert re.match(r"\d{4}-\d{2}-\d{2}", time.get_attribute("datetime"))


def test_an_expired_certificate_says_expired(page: Any, served: Served) -> None:
    open_badge(page, served, EXPIRED)
    assert "is-expired" in page.locator("article.certificate").get_attribute("class")
    assert page.locator(".expired-stamp").is_visible()
    assert page.locator(".certificate .valid-until").inner_text().split() == ["EXPIRED", "1", "July", "2025"]


# --- print ----------------------------------------------------------------------------


@pytest.mark.parametrize("paper", ["A4", "Letter"])
@pytest.mark.parametrize("award", [GOOD, REVOKED, EXPIRED])
def test_printing_gives_one_page_with_a_qr_code_to_the_badge_page(
    page: Any, served: Served, award: tuple[str, str], paper: str, tmp_path: Path
) -> None:
    url = open_badge(page, served, award)
    pdf = tmp_path / f"badge-{paper}.pdf"
    page.pdf(path=str(pdf), format=paper)
    info = subprocess.run([tool("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M), info
    assert _portrait(info), info
    # Words as printed (pdftotext joins lines, and drops the hyphen where a URL wrapped).
    text = subprocess.run([tool("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    words = " ".join(text.split())
    recipient, achievement = award
    for expected in (recipient, achievement, "issued by Northwind Data Academy", "To earn this", "Verify at"):
        assert expected in words, expected
    for label in ("CRITERIA", "AWARDED"):  # text-transform: uppercase
        assert label in words, label
    for absent in ("Add to LinkedIn", "Copy link", "Verification", "Credential details", "Description"):
        assert absent not in words, absent
    assert ("Revoked by Northwind Data Academy on" in words) == (award == REVOKED)
    # What is on the printed page, read from the page in print media.
    page.emulate_media(media="print")
    assert page.locator(".page-url").inner_text() == url
    assert page.locator(".verify-at").inner_text() == f"Verify at {BASE_URL}verify/"
    assert page.locator(".certificate-logo").is_visible() and page.locator(".qr").is_visible()
    for hidden in (".site-header", ".actions", "#verification", ".details-panel", ".revoked-notice"):
        assert page.locator(hidden).count() == 0 or not page.locator(hidden).is_visible(), hidden
    for stamp, shown in ((".revoked-stamp", award == REVOKED), (".expired-stamp", award == EXPIRED)):
        assert page.locator(stamp).count() == 0 or page.locator(stamp).is_visible() == shown, stamp
        if shown:  # large: at least 40 pt (53 CSS px)
            assert page.locator(stamp).evaluate("el => parseFloat(getComputedStyle(el).fontSize)") >= 53
    png = tmp_path / "page"
    subprocess.run([tool("pdftoppm"), "-r", "150", "-png", "-singlefile", str(pdf), str(png)], check=True)
    decoded = subprocess.run(
        [tool("zbarimg"), "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", f"{png}.png"],
        capture_output=True,
        text=True,
    )
    assert decoded.stdout.split() == [url], decoded


def _portrait(info: str) -> bool:
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    return height > width


# --- accessibility --------------------------------------------------------------------

PAGES = {
    "home": lambda s: s.url,
    "issuer": lambda s: s.url + "issuers/northwind-data-academy/",
    "achievement": lambda s: s.url + "achievements/applied-data-analysis/",
    "badge": lambda s: s.badge_page(GOOD),
    "revoked badge": lambda s: s.badge_page(REVOKED),
    "expired badge": lambda s: s.badge_page(EXPIRED),
    "verify": lambda s: s.url + "verify/",
    "verify with a result": lambda s: s.url + "verify/",
}


@pytest.fixture(scope="module")
def axe_context(browser: Any) -> Any:
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run npm ci in tests/interop", pytrace=False)
    # The pages' CSP allows only the site's own scripts: let axe in.
    context = browser.new_context(bypass_csp=True)
    yield context
    context.close()


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("kind", list(PAGES))
def test_axe_finds_no_violations(axe_context: Any, served: Served, kind: str, width: int) -> None:
    page = axe_context.new_page()
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(PAGES[kind](served))
    if "badge" in kind:
        page.wait_for_function(DONE, timeout=10_000)
    if kind == "verify with a result":
        page.fill("#verify-text", served.credential_file(GOOD).read_text("utf-8"))
        page.get_by_role("button", name="Verify pasted JSON").click()
        page.wait_for_function(DONE, timeout=10_000)
        assert page.locator("#verification").get_attribute("data-verification") == "verified"
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async () => (await axe.run(document, { resultTypes: ["violations"] })).violations.map(
             (v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)"""
    )
    page.close()
    assert violations == []


# --- opened from disk -----------------------------------------------------------------


@pytest.mark.parametrize("where", ["badge", "verify"])
def test_a_page_opened_from_disk_says_how_to_serve_the_site(page: Any, served: Served, where: str) -> None:
    if where == "badge":
        folder = served.root / "credentials" / served.credential_file(GOOD).stem
    else:
        folder = served.root / "verify"
    page.goto((folder / "index.html").as_uri())
    section = page.locator("#verification")
    section.filter(has_text="Verification needs the site to be served").wait_for()
    assert section.get_attribute("data-verification") == "file"
    text = " ".join(section.inner_text().split())
    assert f'cd "{served.root}/" && python -m http.server 8000' in text
    assert "credpress serve" in text
    expected = "http://localhost:8000/" + folder.relative_to(served.root).as_posix() + "/"
    assert f"open {expected}." in text
