"""The learner record page (CLR 2.0) in Chromium: each embedded credential's own result."""

from __future__ import annotations

import json

from .conftest import Served

DONE = "s => !['pending', 'idle'].includes(document.getElementById('verification').dataset.verification)"


def record_page(served: Served) -> tuple[str, str]:
    [path] = sorted((served.root / "records").glob("*.json"))
    return path.stem, f"{served.url}records/{path.stem}/"


def item_states(page) -> dict[str, set[str]]:
    """Credential id -> the verdicts its list items show (a credential may be listed twice)."""
    found: dict[str, set[str]] = {}
    for item in page.locator("[data-embedded-id]").all():
        found.setdefault(item.get_attribute("data-embedded-id"), set()).add(item.get_attribute("data-verification"))
    return found


def test_record_page_shows_each_embedded_credentials_result(page, served: Served) -> None:
    _, url = record_page(served)
    page.goto(url)
    page.wait_for_function(DONE, arg=None, timeout=10000)
    assert page.locator("#verification").get_attribute("data-verification") == "verified"
    states = item_states(page)
    assert len(states) == 4 and all(s == {"verified"} for s in states.values()), states
    assert page.locator(".record-check").first.inner_text().endswith("Verified")
    assert "4 credentials inside: 4 verified" in page.locator("#verification").inner_text()
    # Grouped by pathway: the certificate, then its components.
    headings = page.locator(".pathway h2").all_inner_texts()
    assert headings[0] == "Certificate in Applied Data Analysis"  # then the stack it counts toward
    assert "Professional Certificate in" in " ".join(headings[1:])


def test_tampered_embedded_credential_fails_on_the_record_page(page, served: Served) -> None:
    record_id, url = record_page(served)
    path = served.root / "records" / f"{record_id}.json"
    document = json.loads(path.read_text("utf-8"))
    victim = document["credentialSubject"]["verifiableCredential"][1]
    victim["credentialSubject"]["achievement"]["name"] += " (with honours)"
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False), "utf-8")
    page.goto(url)
    page.wait_for_function(DONE, arg=None, timeout=10000)
    assert page.locator("#verification").get_attribute("data-verification") == "failed"
    states = item_states(page)
    assert states.pop(victim["id"]) == {"failed"}
    assert len(states) == 3 and all(s == {"verified"} for s in states.values()), states


def test_badge_page_of_an_opted_in_learner_links_to_the_record(page, served: Served) -> None:
    record_id, _ = record_page(served)
    page.goto(served.badge_page(("Amara Okafor", "Python Foundations")))
    link = page.get_by_role("link", name="View Amara Okafor's learning record")
    link.click()
    page.wait_for_url(f"**/records/{record_id}/")
    page.goto(served.badge_page(("Kwame Mensah", "Python Foundations")))
    assert page.get_by_text("learning record").count() == 0
