"""The verify page names who signed, and tells this site's credentials from anyone else's.

A credential signed by a fresh did:key, or by another did:web domain, that copies
this site's issuer name must not show as "Verified": the name is the signer's
own claim, the verified identity is the key's controller. Also: baked badges
with two credentials, and hostile sizes and nesting, in Chromium.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import zlib
from pathlib import Path

import pytest

from credpress.pipeline import BuildOptions, build
from credpress.vc import cryptosuites as sign
from credpress.vc import keys

from .conftest import BASE_URL, CHROMIUM, REPO, Built, Served

pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"Chromium not found at {CHROMIUM} (CI installs it)")

DONE = "s => !['pending', 'idle'].includes(document.getElementById('verification').dataset.verification)"
OTHER_URL = "https://other-academy.example/"
GOOD = ("Amara Okafor", "Python Foundations")
REVOKED = ("Dmitri Volkov", "Python Foundations")
OURS = "Northwind Data Academy (badges.northwind-academy.example)"
# Screenshots of the foreign verdict, for people to look at: set CREDPRESS_SHOTS=DIR to keep them.
SHOTS = os.environ.get("CREDPRESS_SHOTS")


@pytest.fixture(scope="module")
def other_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same content published by someone else: other-academy.example, another key.
    Its credentials are genuine, and call their issuer "Northwind Data Academy"."""
    root = tmp_path_factory.mktemp("other-academy")
    content = root / "content"
    shutil.copytree(REPO / "content", content)
    site_yaml = content / "site.yaml"
    site_yaml.write_text(site_yaml.read_text("utf-8").replace(BASE_URL, OTHER_URL), "utf-8")
    keys.write_key_file(root / "key.pem", keys.generate())
    build(
        BuildOptions(
            content=content, out=root / "site", key_path=root / "key.pem", environ={}, warn=lambda message: None
        )
    )
    return root / "site"


def credential_of(site: Path, award: tuple[str, str]) -> Path:
    for path in sorted((site / "credentials").glob("*.json")):
        document = json.loads(path.read_text("utf-8"))
        names = [i["identityHash"] for i in document["credentialSubject"]["identifier"] if i["identityType"] == "name"]
        if (names[0], document["name"]) == award:
            return path
    raise LookupError(award)


def serve_other_academy(page, served: Served, other_site: Path) -> list[str]:
    """Answer https://other-academy.example/… from its built folder; refuse any other host."""
    asked: list[str] = []

    def answer(route):
        url = route.request.url
        asked.append(url)
        target = other_site / url.removeprefix(OTHER_URL).split("?")[0] if url.startswith(OTHER_URL) else None
        if target and target.is_file() and target.resolve().is_relative_to(other_site.resolve()):
            route.fulfill(
                path=str(target), content_type="application/json", headers={"Access-Control-Allow-Origin": "*"}
            )
        else:
            route.abort()

    page.route(lambda url: not url.startswith(served.url), answer)
    return asked


def result(page) -> tuple[str, str]:
    page.wait_for_function(DONE, arg=None, timeout=10000)
    section = page.locator("#verification")
    return section.get_attribute("data-verification"), section.inner_text()


def paste(page, served: Served, text: str) -> tuple[str, str]:
    page.goto(served.url + "verify/")
    page.fill("#verify-text", text)
    page.get_by_role("button", name="Verify pasted JSON").click()
    return result(page)


def impostor_did_key(served: Served) -> str:
    """This site's credential, re-signed by a fresh did:key, with the issuer's name kept."""
    stranger = keys.generate()
    did = "did:key:" + stranger.public_multibase
    document = json.loads(served.credential_file(GOOD).read_text("utf-8"))
    unsigned = {k: v for k, v in document.items() if k not in ("proof", "credentialStatus")}
    unsigned["issuer"] = {**unsigned["issuer"], "id": did}
    return json.dumps(
        sign.sign_document(
            unsigned, stranger, f"{did}#{stranger.public_multibase}", document["validFrom"], sign.CREDENTIAL_SUITES
        )
    )


def headline_colour(page) -> str:
    return page.locator(".verification-mark").evaluate("e => getComputedStyle(e).backgroundColor")


# --- who signed ---------------------------------------------------------------------------


def test_genuine_credential_is_green_and_names_its_domain(page, served: Served) -> None:
    state, text = paste(page, served, served.credential_file(GOOD).read_text("utf-8"))
    assert state == "verified", text
    assert f"This credential was issued by {OURS} and has not been changed." in text
    assert f"Signed by {OURS}" in text and "An issuer of this site" in text
    assert headline_colour(page) == "rgb(19, 122, 58)"  # --ok


def test_impostor_did_key_copying_the_name_is_not_verified(page, served: Served) -> None:
    state, text = paste(page, served, impostor_did_key(served))
    assert state == "foreign", text
    headline = page.locator(".verification-headline").inner_text()
    assert "Verified" not in headline and "Signed by an unknown key, not by this site" in headline
    assert "Genuine signature by an unknown key (did:key)" in text
    assert "Not an issuer of this site" in text and OURS in text  # the real issuers, for comparison
    assert '"Northwind Data Academy"' in text  # quoted: the signer's claim
    assert "issued by Northwind Data Academy" not in text and "Signed by Northwind" not in text
    assert headline_colour(page) == "rgb(138, 90, 0)"  # --warn, not --ok
    claims = page.locator(".verification-claims").inner_text()
    assert "signed by someone else" in claims.lower() and "as it calls itself, not checked" in claims


@pytest.mark.parametrize("how", ["pasted", "by address"])
def test_other_domain_copying_the_name_is_foreign(
    page, served: Served, other_site: Path, how: str, tmp_path: Path
) -> None:
    asked = serve_other_academy(page, served, other_site)
    path = credential_of(other_site, GOOD)
    if how == "pasted":
        state, text = paste(page, served, path.read_text("utf-8"))
    else:
        page.goto(served.url + "verify/")
        page.fill("#verify-url", OTHER_URL + path.relative_to(other_site).as_posix())
        page.get_by_role("button", name="Check address").click()
        state, text = result(page)
    assert state == "foreign", text
    assert "Signed by other-academy.example, not by this site" in text
    assert "Genuine signature by other-academy.example, which is not an issuer of this site." in text
    assert "Signed by Northwind" not in text and "issued by Northwind" not in text
    assert "Not revoked" in text  # every other check ran, against other-academy.example's own files
    assert all(url.startswith(OTHER_URL) for url in asked)
    assert OTHER_URL + "issuers/northwind-data-academy/did.json" in asked
    if how == "pasted":
        shoot(page, "verify-foreign-other-domain", tmp_path)


def test_other_domain_revoked_names_the_domain(page, served: Served, other_site: Path) -> None:
    serve_other_academy(page, served, other_site)
    state, text = paste(page, served, credential_of(other_site, REVOKED).read_text("utf-8"))
    assert state == "revoked", text
    assert "other-academy.example has withdrawn this credential." in text
    assert "Northwind Data Academy has withdrawn" not in text


def test_verify_page_without_its_issuer_list_trusts_no_one(page, served: Served) -> None:
    # A custom verify.html that drops the list fails closed: nothing is "this site's".
    page_html = served.root / "verify" / "index.html"
    html = page_html.read_text("utf-8")
    start = html.index('<script type="application/json" id="site-issuers">')
    page_html.write_text(html[:start] + html[html.index("</script>", start) + len("</script>") :], "utf-8")
    state, text = paste(page, served, served.credential_file(GOOD).read_text("utf-8"))
    assert state == "foreign", text


def test_badge_page_refuses_a_credential_by_another_issuer(page, served: Served) -> None:
    # Same id and name as the page, but signed by a did:key: not this page's credential.
    path = served.credential_file(GOOD)
    url = served.badge_page(GOOD)
    path.write_text(impostor_did_key(served), "utf-8")
    page.goto(url)
    state, text = result(page)
    assert state == "failed", text
    assert "This credential is not from this page's issuer" in text


def shoot(page, name: str, folder: Path) -> None:
    folder = Path(SHOTS) if SHOTS else folder
    folder.mkdir(parents=True, exist_ok=True)
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.locator("#verification").scroll_into_view_if_needed()
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
        page.locator("#verification").screenshot(path=str(folder / f"{name}-{width}-result.png"))


def test_screenshots_of_the_foreign_verdict(page, served: Served, tmp_path: Path) -> None:
    state, _ = paste(page, served, impostor_did_key(served))
    assert state == "foreign"
    shoot(page, "verify-foreign-did-key", tmp_path)
    # At 360 px the verdict fits: nothing scrolls sideways.
    page.set_viewport_size({"width": 360, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


# --- baked badges with two credentials ----------------------------------------------------


def baked_png(*credentials: bytes) -> bytes:
    png = (REPO / "content" / "images" / "python-foundations.png").read_bytes()
    end_of_ihdr = 8 + 12 + struct.unpack(">I", png[8:12])[0]
    chunks = b""
    for credential in credentials:
        data = b"openbadgecredential\x00\x00\x00\x00\x00" + credential
        chunks += struct.pack(">I", len(data)) + b"iTXt" + data + struct.pack(">I", zlib.crc32(b"iTXt" + data))
    return png[:end_of_ihdr] + chunks + png[end_of_ihdr:]


def baked_svg(*credentials: bytes) -> bytes:
    elements = b"".join(b"<openbadges:credential><![CDATA[" + c + b"]]></openbadges:credential>" for c in credentials)
    return (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0" '
        b'width="10" height="10">' + elements + b'<rect width="10" height="10"/></svg>'
    )


def drop(page, served: Served, name: str, mime: str, data: bytes) -> tuple[str, str]:
    page.goto(served.url + "verify/")
    page.set_input_files("#verify-file", files=[{"name": name, "mimeType": mime, "buffer": data}])
    return result(page)


@pytest.mark.parametrize("kind", ["png", "svg"])
def test_badge_with_two_credentials_is_refused(page, served: Served, kind: str) -> None:
    first = served.credential_file(GOOD).read_bytes()
    second = served.credential_file(("Kwame Mensah", "Certificate in Applied Data Analysis")).read_bytes()
    if kind == "png":
        state, text = drop(page, served, "badge.png", "image/png", baked_png(first, second))
        assert "This PNG holds more than one credential" in text
    else:
        state, text = drop(page, served, "badge.svg", "image/svg+xml", baked_svg(first, second))
        assert "This SVG holds more than one credential" in text
    assert state == "failed", text
    assert "none of them is checked" in text
    assert "Amara Okafor" not in text  # neither credential's claims are shown


# --- sizes and nesting ----------------------------------------------------------------------


def test_huge_proof_value_is_refused_at_once(page, served: Served) -> None:
    document = json.loads(served.credential_file(GOOD).read_text("utf-8"))
    for proof in document["proof"]:
        proof["proofValue"] = "z" + "2" * 300_000
    state, text = paste(page, served, json.dumps(document))
    assert state == "failed", text
    assert "The signature on the credential is malformed" in text
    assert float(page.locator("#verification").get_attribute("data-verification-ms")) < 1000


def test_deeply_nested_json_is_refused_without_error(page, served: Served) -> None:
    text = served.credential_file(GOOD).read_text("utf-8").rstrip()[:-1] + ',"x":' + "[" * 200_000 + "]" * 200_000 + "}"
    state, shown = paste(page, served, text)
    assert state == "failed", shown
    assert "This JSON is nested too deeply to be a credential" in shown


def test_oversized_file_is_refused_before_reading(page, served: Served) -> None:
    state, text = drop(page, served, "huge.json", "application/json", b" " * 9_000_000)
    assert state == "failed", text
    assert "This file is too large to be a credential or a badge" in text


def test_status_list_that_inflates_too_far_is_refused(page, built: Built, served: Served) -> None:
    # A status list whose GZIP inflates past 16 MiB: refused, not decompressed to the end.
    import base64
    import gzip

    from .test_verify_browser import resign_with_status_entry, status_list_document

    index, list_url = 7, BASE_URL + "status/bomb.json"
    issuer, method = resign_with_status_entry(built, served, index, list_url)
    bomb = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(20 * 1024 * 1024))).decode().rstrip("=")
    status_list = status_list_document(list_url, issuer, bomb)
    (served.root / "status").mkdir()
    (served.root / "status" / "bomb.json").write_text(
        json.dumps(sign.sign_document(status_list, built.key, method, "2026-01-01T00:00:00Z", sign.CREDENTIAL_SUITES)),
        "utf-8",
    )
    page.goto(served.badge_page(GOOD))
    state, text = result(page)
    assert state == "failed", text
    assert "The status list is malformed" in text
