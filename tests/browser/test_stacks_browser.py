"""A stacked credential's badge page verifies every component in the browser."""

from __future__ import annotations

import json

from credpress.vc import bitstring, cryptosuites

from .conftest import Served

DONE = "s => !['pending', 'idle'].includes(document.getElementById('verification').dataset.verification)"
# Sakura Watanabe's certificate was auto-awarded by the build (python, pandas, SQL).
STACKED = ("Sakura Watanabe", "Certificate in Applied Data Analysis")


def _open(page, served: Served) -> list[tuple[str, str]]:
    page.goto(served.badge_page(STACKED))
    page.wait_for_function(DONE, arg=None, timeout=10000)
    items = page.locator("[data-component-url]")
    return [(items.nth(i).get_attribute("data-verification"), items.nth(i).inner_text()) for i in range(items.count())]


def _revoke_bit(served: Served, key, index: int) -> None:
    """Set *index* in the issuer's status list and sign it again with the site's key."""
    path = served.root / "issuers" / "northwind-data-academy" / "status" / "revocation-1.json"
    old = json.loads(path.read_text("utf-8"))
    bits = bitstring.decode_list(old["credentialSubject"]["encodedList"])
    revoked = [i for i in range(len(bits) * 8) if bitstring.bit_is_set(bits, i)] + [index]
    document = bitstring.status_list_credential(
        old["credentialSubject"]["id"].split("#")[0], old["issuer"], old["validFrom"], revoked
    )
    method = old["proof"][0]["verificationMethod"]
    path.write_text(
        json.dumps(cryptosuites.sign_document(document, key, method, old["validFrom"], cryptosuites.CREDENTIAL_SUITES)),
        "utf-8",
    )


def test_every_component_is_verified_and_the_stack_with_them(page, served: Served) -> None:
    results = _open(page, served)
    assert [name.split("\n")[0].split(" awarded")[0] for _, name in results] == [
        "Python Foundations",
        "Data Wrangling with pandas",
        "SQL for Data Analysis",
    ]
    assert [state for state, _ in results] == ["verified"] * 3
    assert all("Verified" in text for _, text in results)
    assert page.locator("#verification").get_attribute("data-verification") == "verified"


def test_a_revoked_component_fails_the_stack(page, served: Served, built) -> None:
    stacked = json.loads(served.credential_file(STACKED).read_text("utf-8"))
    sql = next(e["id"] for e in stacked["evidence"] if e["name"] == "SQL for Data Analysis")
    component = json.loads((served.root / "credentials" / (sql.rsplit("/", 1)[1])).read_text("utf-8"))
    _revoke_bit(served, built.key, int(component["credentialStatus"]["statusListIndex"]))
    results = _open(page, served)
    assert [state for state, _ in results] == ["verified", "verified", "revoked"]
    section = page.locator("#verification")
    assert section.get_attribute("data-verification") == "failed"
    assert "Not valid: a credential in this stack did not verify" in section.inner_text()
