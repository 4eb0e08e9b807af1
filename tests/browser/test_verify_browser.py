"""In-browser verification (verify.js) on badge pages and the /verify/ page, in Chromium."""

from __future__ import annotations

import base64
import gzip
import json
import struct
import zlib
from datetime import datetime, timezone

import pytest
import rfc8785

from credpress.vc import cryptosuites as sign
from credpress.vc import keys, multibase

from .conftest import BASE_URL, REPO, Built, Served

DONE = "s => !['pending', 'idle'].includes(document.getElementById('verification').dataset.verification)"
# Awards in the example content, as (recipient, achievement).
GOOD = ("Amara Okafor", "Python Foundations")  # no expiry date
EXPIRING = ("Kwame Mensah", "Certificate in Applied Data Analysis")  # valid for five years
EXPIRED = ("Erin Expired", "Python Foundations")  # conftest.EXTRA_AWARDS


def verification(page) -> tuple[str, str]:
    """Wait for the result; return (data-verification, the section's text)."""
    page.wait_for_function(DONE, arg=None, timeout=5000)
    section = page.locator("#verification")
    return section.get_attribute("data-verification"), section.inner_text()


def open_badge(page, served: Served, award: tuple[str, str]) -> tuple[str, str]:
    page.goto(served.badge_page(award))
    return verification(page)


def long_date(served: Served, award: tuple[str, str], field: str) -> str:
    """A date of the award's credential as the page writes it: 21 August 2031."""
    moment = datetime.fromisoformat(json.loads(served.credential_file(award).read_text("utf-8"))[field])
    return f"{moment.day} {moment:%B %Y}"


def jcs_proof(document: dict) -> dict:
    return next(p for p in document["proof"] if p["cryptosuite"] == "eddsa-jcs-2022")


# --- badge pages ------------------------------------------------------------------------


def test_good_badge_page_verifies(page, served: Served) -> None:
    state, text = open_badge(page, served, EXPIRING)
    assert state == "verified", text
    for words in (
        "Verified",
        "Signed by Northwind Data Academy",
        "Key listed in the issuer's DID document",
        "Valid until " + long_date(served, EXPIRING, "validUntil"),
    ):
        assert words in text
    assert 0 < float(page.locator("#verification").get_attribute("data-verification-ms")) < 5000


def test_badge_without_expiry_says_so(page, served: Served) -> None:
    state, text = open_badge(page, served, GOOD)
    assert state == "verified", text
    assert "Does not expire" in text


def test_without_javascript_the_page_keeps_its_honest_text(browser, served: Served) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(served.badge_page(GOOD))
    section = page.locator("#verification")
    assert section.get_attribute("data-verification") == "pending"
    assert "Check it with any Open Badges 3.0 verifier" in section.inner_text()
    context.close()


def test_changed_recipient_name_in_the_json_fails(page, served: Served) -> None:
    def rename(document):
        for identifier in document["credentialSubject"]["identifier"]:
            if identifier["identityType"] == "name":
                identifier["identityHash"] = "Mallory Impostor"

    url = served.badge_page(GOOD)
    served.edit_json(served.credential_file(GOOD), rename)
    page.goto(url)
    state, text = verification(page)
    assert state == "failed", text
    assert "The signature does not match the credential" in text
    assert "changed since it was signed" in text


def test_changed_proof_value_fails(page, served: Served) -> None:
    def flip(document):
        proof = jcs_proof(document)
        signature = bytearray(multibase.decode_signature(proof["proofValue"]))
        signature[10] ^= 1
        proof["proofValue"] = "z" + multibase.b58encode(bytes(signature))

    served.edit_json(served.credential_file(GOOD), flip)
    state, text = open_badge(page, served, GOOD)
    assert state == "failed", text
    assert "The signature does not match the credential" in text


def test_other_key_in_did_document_fails(page, served: Served) -> None:
    def swap(did):
        did["verificationMethod"][0]["publicKeyMultibase"] = keys.generate().public_multibase

    served.edit_json(served.did_json, swap)
    state, text = open_badge(page, served, GOOD)
    assert state == "failed", text
    assert "The signature does not match the credential" in text


def test_key_missing_from_assertion_method_fails(page, served: Served) -> None:
    served.edit_json(served.did_json, lambda did: did.update(assertionMethod=[]))
    state, text = open_badge(page, served, GOOD)
    assert state == "failed", text
    assert "The signing key is not allowed to issue credentials" in text
    assert "assertionMethod" in text


def test_non_ed25519_multikey_is_refused(page, served: Served) -> None:
    p256 = "z" + multibase.b58encode(b"\x80\x24" + bytes(range(33)))  # a P-256 Multikey: zDn…

    served.edit_json(served.did_json, lambda did: did["verificationMethod"][0].update(publicKeyMultibase=p256))
    state, text = open_badge(page, served, GOOD)
    assert state == "failed", text
    assert "not an Ed25519 Multikey" in text


def test_wrong_did_document_id_fails(page, served: Served) -> None:
    served.edit_json(served.did_json, lambda did: did.update(id="did:web:evil.example"))
    state, text = open_badge(page, served, GOOD)
    assert state == "failed", text
    assert "The issuer's DID document is not the issuer's" in text


def test_name_on_the_page_must_be_the_signed_name(page, served: Served) -> None:
    html = served.root / "credentials" / served.credential_file(GOOD).stem / "index.html"
    html.write_text(html.read_text("utf-8").replace(f">{GOOD[0]}</h1>", ">Mallory Impostor</h1>"), "utf-8")
    state, text = open_badge(page, served, GOOD)
    assert state == "failed", text
    assert "The name on this page is not the signed name" in text


def test_another_valid_credential_in_place_of_this_one_fails(page, served: Served) -> None:
    url, path = served.badge_page(GOOD), served.credential_file(GOOD)
    path.write_bytes(served.credential_file(EXPIRING).read_bytes())  # genuine, but someone else's
    page.goto(url)
    state, text = verification(page)
    assert state == "failed", text
    assert "This is not the credential shown on this page" in text


def test_expired_credential(page, served: Served) -> None:
    page.clock.set_fixed_time(datetime(2026, 12, 1, tzinfo=timezone.utc))
    state, text = open_badge(page, served, EXPIRED)
    assert state == "expired", text
    assert "Expired on 1 July 2025" in text
    assert "Signed by Northwind Data Academy" in text  # genuine, but out of date


def test_not_yet_valid_credential_fails(page, served: Served) -> None:
    page.clock.set_fixed_time(datetime(2025, 6, 1, tzinfo=timezone.utc))  # before every award
    state, text = open_badge(page, served, EXPIRING)
    assert state == "failed", text
    assert "Not valid until " + long_date(served, EXPIRING, "validFrom") in text


def test_browser_without_ed25519_is_unsupported(page, served: Served) -> None:
    page.add_init_script("""{
      const importKey = crypto.subtle.importKey.bind(crypto.subtle);
      crypto.subtle.importKey = (format, key, algorithm, ...rest) => algorithm?.name === 'Ed25519'
        ? Promise.reject(new DOMException('Unrecognized algorithm name', 'NotSupportedError'))
        : importKey(format, key, algorithm, ...rest);
    }""")
    state, text = open_badge(page, served, GOOD)
    assert state == "unsupported", text
    assert "can't check Ed25519 signatures" in text
    assert page.get_by_role("link", name="Open the verify page").is_visible()


# --- status lists (built here until the build publishes them) -----------------------------


def resign_with_status_entry(built: Built, served: Served, index: int, list_url: str) -> tuple[str, str]:
    """Re-sign GOOD's credential file with a revocation entry at bit *index* of the list at
    *list_url*; returns its issuer and the verification method that signed it."""
    path = served.credential_file(GOOD)
    document = json.loads(path.read_text("utf-8"))
    method = jcs_proof(document)["verificationMethod"]
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    unsigned["credentialStatus"] = {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }
    signed = sign.sign_document(unsigned, built.key, method, document["validFrom"], sign.CREDENTIAL_SUITES)
    path.write_text(json.dumps(signed, indent=2), "utf-8")
    return document["issuer"]["id"], method


def status_list_document(list_url: str, issuer: str, encoded_list: str) -> dict:
    """An unsigned BitstringStatusListCredential (revocation) at *list_url*."""
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded_list,
        },
    }


def with_status(
    built: Built,
    served: Served,
    *,
    revoked: bool,
    list_suites=sign.CREDENTIAL_SUITES,
    tamper_list: bool = False,
    list_issuer: str | None = None,
) -> None:
    """Re-sign GOOD's credential with a credentialStatus entry and publish its status list."""
    index, list_url = 4242, BASE_URL + "status/test-list.json"
    issuer, method = resign_with_status_entry(built, served, index, list_url)

    def encoded(bits: bytearray) -> str:
        return "u" + base64.urlsafe_b64encode(gzip.compress(bytes(bits))).decode().rstrip("=")

    bits = bytearray(131072 // 8)
    if revoked:
        bits[index >> 3] |= 0x80 >> (index & 7)
    status_list = status_list_document(list_url, list_issuer or issuer, encoded(bits))
    signed = sign.sign_document(status_list, built.key, method, "2026-01-01T00:00:00Z", list_suites)
    if tamper_list:  # revoke it after signing
        bits[index >> 3] |= 0x80 >> (index & 7)
        signed["credentialSubject"]["encodedList"] = encoded(bits)
    (served.root / "status").mkdir()
    (served.root / "status" / "test-list.json").write_text(json.dumps(signed, indent=2), "utf-8")


def test_award_revoked_in_the_content_shows_revoked(page, served: Served) -> None:
    state, text = open_badge(page, served, ("Dmitri Volkov", "Python Foundations"))  # `revoked:` in the example
    assert state == "revoked", text
    assert "Revoked by the issuer" in text and "Signed by Northwind Data Academy" in text


def test_status_not_revoked(page, built: Built, served: Served) -> None:
    with_status(built, served, revoked=False)
    state, text = open_badge(page, served, GOOD)
    assert state == "verified", text
    assert "Not revoked" in text


def test_status_revoked(page, built: Built, served: Served) -> None:
    with_status(built, served, revoked=True)
    state, text = open_badge(page, served, GOOD)
    assert state == "revoked", text
    assert "Revoked by the issuer" in text


def test_status_list_with_only_an_rdfc_proof_is_not_trusted(page, built: Built, served: Served) -> None:
    with_status(built, served, revoked=False, list_suites=(sign.SUITES["eddsa-rdfc-2022"],))
    state, text = open_badge(page, served, GOOD)
    assert state == "unsupported", text
    assert "Whether it is revoked can't be checked in the browser" in text


def test_tampered_status_list_fails(page, built: Built, served: Served) -> None:
    with_status(built, served, revoked=False, tamper_list=True)
    state, text = open_badge(page, served, GOOD)
    assert state == "failed", text
    assert "The signature does not match the status list" in text


def test_status_list_from_another_issuer_fails(page, built: Built, served: Served) -> None:
    with_status(built, served, revoked=False, list_issuer="did:web:other.example")
    state, text = open_badge(page, served, GOOD)
    assert state == "failed", text
    assert "The status list is not the issuer's" in text


# --- the verify page ----------------------------------------------------------------------


def paste(page, served: Served, text: str) -> tuple[str, str]:
    page.goto(served.url + "verify/")
    assert page.locator("#verification").get_attribute("data-verification") == "idle"
    page.fill("#verify-text", text)
    page.get_by_role("button", name="Verify pasted JSON").click()
    return verification(page)


def test_verify_page_pasted_good_credential(page, served: Served) -> None:
    state, text = paste(page, served, served.credential_file(GOOD).read_text("utf-8"))
    assert state == "verified", text
    assert "Signed by Northwind Data Academy" in text
    assert GOOD[0] in text and GOOD[1] in text  # what the credential says


def test_verify_page_pasted_tampered_credential(page, served: Served) -> None:
    tampered = served.credential_file(GOOD).read_text("utf-8").replace(GOOD[0], "Mallory Impostor")
    state, text = paste(page, served, tampered)
    assert state == "failed", text
    assert "The signature does not match the credential" in text


def test_verify_page_rdfc_only_credential_is_unsupported(page, served: Served) -> None:
    document = json.loads(served.credential_file(GOOD).read_text("utf-8"))
    document["proof"] = [p for p in document["proof"] if p["cryptosuite"] == "eddsa-rdfc-2022"]
    state, text = paste(page, served, json.dumps(document))
    assert state == "unsupported", text
    assert "can't be checked in the browser" in text and "credpress verify" in text


def test_verify_page_pasted_garbage(page, served: Served) -> None:
    state, text = paste(page, served, "not json {")
    assert state == "failed", text
    assert "This is not valid JSON" in text


@pytest.mark.parametrize("address", ["credential", "badge page"])
def test_verify_page_by_address(page, served: Served, address: str) -> None:
    json_path = served.credential_file(GOOD)
    # The published https URL of the credential: under base_url, so it is read from this site.
    url = BASE_URL + json_path.relative_to(served.root).as_posix()
    if address == "badge page":
        url = served.badge_page(GOOD)
    page.goto(served.url + "verify/")
    page.fill("#verify-url", url)
    page.get_by_role("button", name="Check address").click()
    state, text = verification(page)
    assert state == "verified", text


def baked_png(credential: bytes) -> bytes:
    png = (REPO / "content" / "images" / "python-foundations.png").read_bytes()
    data = b"openbadgecredential\x00\x00\x00\x00\x00" + credential
    chunk = struct.pack(">I", len(data)) + b"iTXt" + data + struct.pack(">I", zlib.crc32(b"iTXt" + data))
    end_of_ihdr = 8 + 12 + struct.unpack(">I", png[8:12])[0]
    return png[:end_of_ihdr] + chunk + png[end_of_ihdr:]


def baked_svg(credential: bytes) -> bytes:
    return (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0" '
        b'width="10" height="10"><openbadges:credential><![CDATA['
        + credential
        + b']]></openbadges:credential><rect width="10" height="10"/></svg>'
    )


@pytest.mark.parametrize("kind", ["json", "png", "svg"])
def test_verify_page_file(page, served: Served, kind: str) -> None:
    credential = served.credential_file(GOOD).read_bytes()
    files = {
        "json": ("credential.json", "application/json", credential),
        "png": ("badge.png", "image/png", baked_png(credential)),
        "svg": ("badge.svg", "image/svg+xml", baked_svg(credential)),
    }
    name, mime, data = files[kind]
    page.goto(served.url + "verify/")
    page.set_input_files("#verify-file", files=[{"name": name, "mimeType": mime, "buffer": data}])
    state, text = verification(page)
    assert state == "verified", text


def test_verify_page_png_without_credential(page, served: Served) -> None:
    page.goto(served.url + "verify/")
    png = (REPO / "content" / "images" / "python-foundations.png").read_bytes()
    page.set_input_files("#verify-file", files=[{"name": "plain.png", "mimeType": "image/png", "buffer": png}])
    state, text = verification(page)
    assert state == "failed", text
    assert "This PNG holds no credential" in text


def test_verify_page_allows_other_issuers_in_its_csp(page, served: Served) -> None:
    page.goto(served.url + "verify/")
    csp = page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content")
    assert "connect-src 'self' https:" in csp
    assert page.get_by_role("link", name="Verify").first.is_visible()


# --- the library itself ------------------------------------------------------------------

JCS_CASES = [
    {
        "numbers": [
            0,
            -0.0,
            1,
            -1,
            0.1,
            1e21,
            1e-7,
            1e-6,
            123456789012345680000.0,
            5e-324,
            1.7976931348623157e308,
            333333333.3333333,
            6.0,
            2.5e-5,
            9007199254740991,
        ]
    },
    {"strings": ["", '\u0000\u001f\b\t\n\f\r"\\/', "\u007f\u0080", "é€𝄞😀", "\u2028\u2029", "</script>"]},
    {"\U0001f600": 1, "\ufb33": 2, "\u20ac": 3, "\r": 4, "1": 5, "10": 6, "2": 7, "a": 8, "A": 9, "": 10},
    {"nested": [{"b": [True, False, None]}, [], {}], "z": {"y": {"x": "w"}}},
]


@pytest.mark.parametrize("value", JCS_CASES)
def test_jcs_matches_rfc8785(page, served: Served, value) -> None:
    page.goto(served.url + "verify/")
    got = page.evaluate("async text => (await import('../assets/verify.js')).jcs(JSON.parse(text))", json.dumps(value))
    assert got.encode("utf-8") == rfc8785.dumps(value)


def test_jcs_refuses_lone_surrogates(page, served: Served) -> None:
    page.goto(served.url + "verify/")
    error = page.evaluate("""async () => {
      const { jcs } = await import('../assets/verify.js');
      try { jcs({ a: '\\ud800' }); return null; } catch (e) { return e.message; }
    }""")
    assert "unpaired surrogate" in error


def test_base58_and_multikey(page, served: Served) -> None:
    public = keys.generate().public_multibase
    raw = multibase.decode_public_key(public)
    page.goto(served.url + "verify/")
    got = page.evaluate(
        """async ([good, zeros]) => {
      const m = await import('../assets/verify.js');
      let refused = null;
      try { m.decodeMultikey('z' + 'Dn' + good.slice(3)); } catch (e) { refused = e.message; }
      return { key: Array.from(m.decodeMultikey(good)), zeros: Array.from(m.base58Decode(zeros)), refused };
    }""",
        [public, "1112"],
    )
    assert bytes(got["key"]) == raw
    assert got["zeros"] == [0, 0, 0, 1]
    assert "not an Ed25519 Multikey" in got["refused"]


# --- other issuers (verify page) ------------------------------------------------------------


def signed_elsewhere(built: Built, served: Served, issuer: str, method: str) -> str:
    """GOOD's credential, re-issued by another issuer (signed with the test key)."""
    document = json.loads(served.credential_file(GOOD).read_text("utf-8"))
    unsigned = {k: v for k, v in document.items() if k not in ("proof", "credentialStatus")}
    unsigned["issuer"] = {**unsigned["issuer"], "id": issuer, "name": "Elsewhere College"}
    return json.dumps(sign.sign_document(unsigned, built.key, method, document["validFrom"], sign.CREDENTIAL_SUITES))


def test_verify_page_did_key_issuer(page, built: Built, served: Served) -> None:
    # A genuine signature, but by a key that names no one: never the green verdict.
    did = "did:key:" + built.key.public_multibase
    state, text = paste(page, served, signed_elsewhere(built, served, did, f"{did}#{built.key.public_multibase}"))
    assert state == "foreign", text
    assert "Signed by an unknown key" in text and "Key is the issuer's own did:key" in text
    assert "Signed by Elsewhere College" not in text and '"Elsewhere College"' in text  # quoted as its claim


def test_verify_page_fetches_other_hosts_did_documents_over_https(page, built: Built, served: Served) -> None:
    did = "did:web:college.example:badges"
    did_document = {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [
            {"id": f"{did}#k", "type": "Multikey", "controller": did, "publicKeyMultibase": built.key.public_multibase}
        ],
        "assertionMethod": [f"{did}#k"],
    }
    asked = []

    def offline(route):  # never the real internet: answer for college.example, refuse the rest
        asked.append(route.request.url)
        if route.request.url == "https://college.example/badges/did.json":
            route.fulfill(json=did_document, headers={"Access-Control-Allow-Origin": "*"})
        else:
            route.abort()

    page.route(lambda url: not url.startswith(served.url), offline)
    state, text = paste(page, served, signed_elsewhere(built, served, did, f"{did}#k"))
    assert state == "foreign", text  # genuine, by college.example: not an issuer of this site
    assert "Genuine signature by college.example, which is not an issuer of this site" in text
    assert asked == ["https://college.example/badges/did.json"]
