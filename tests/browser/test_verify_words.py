"""The verify page's headline says, in words, who was awarded what by whom.

Only for a verified credential of this site; foreign signers, revoked, expired and
failed credentials keep their own verdicts (tests/browser/test_verify_identity.py).
Set CREDPRESS_SHOTS=DIR to keep screenshots at 360 and 1280 px.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from credpress.vc import cryptosuites as sign

from .conftest import CHROMIUM, Built, Served

pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"Chromium not found at {CHROMIUM} (CI installs it)")

DONE = "s => !['pending', 'idle'].includes(document.getElementById('verification').dataset.verification)"
GOOD = ("Amara Okafor", "Python Foundations")
REVOKED = ("Dmitri Volkov", "Python Foundations")
OURS = "Northwind Data Academy (badges.northwind-academy.example)"
VM = "did:web:badges.northwind-academy.example:issuers:northwind-data-academy#key-1"
SHOTS = os.environ.get("CREDPRESS_SHOTS")


def paste(page, served: Served, text: str) -> tuple[str, str]:
    page.goto(served.url + "verify/")
    page.fill("#verify-text", text)
    page.get_by_role("button", name="Verify pasted JSON").click()
    page.wait_for_function(DONE, arg=None, timeout=10000)
    state = page.locator("#verification").get_attribute("data-verification")
    return state, page.locator(".verification-headline").inner_text()


def test_verified_headline_names_learner_achievement_and_issuer(page, served: Served) -> None:
    state, headline = paste(page, served, served.credential_file(GOOD).read_text("utf-8"))
    assert state == "verified"
    words = page.locator(".verification-headline > span:not(.verification-mark)").inner_text()
    assert words == f"Verified: Amara Okafor was awarded Python Foundations by {OURS}" and words in headline
    if SHOTS:
        for width in (360, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.locator("#verification").screenshot(path=str(Path(SHOTS) / f"verify-words-{width}.png"))


def test_learner_known_only_by_a_hashed_email(page, served: Served, built: Built) -> None:
    document = json.loads(served.credential_file(GOOD).read_text("utf-8"))
    subject = document["credentialSubject"]
    subject["identifier"] = [i for i in subject["identifier"] if i["identityType"] == "emailAddress"]
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    signed = sign.sign_document(unsigned, built.key, VM, document["validFrom"], sign.CREDENTIAL_SUITES)
    state, headline = paste(page, served, json.dumps(signed))
    assert state == "verified"
    assert "Verified: A learner identified by a hashed email was awarded Python Foundations by " + OURS in headline


def test_revoked_keeps_its_own_verdict(page, served: Served) -> None:
    state, headline = paste(page, served, served.credential_file(REVOKED).read_text("utf-8"))
    assert state == "revoked" and "Revoked" in headline and "was awarded" not in headline


def test_badge_page_headline_is_unchanged(page, served: Served) -> None:
    page.goto(served.badge_page(GOOD))
    page.wait_for_function(DONE, arg=None, timeout=10000)
    assert page.locator(".verification-headline").inner_text().strip().endswith("Verified")
