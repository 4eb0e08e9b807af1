"""Differential test: the Python verifier and the browser's verify.js give the same verdict.

One corpus of good and bad credentials, built from the example site (and a second
site under another domain, signed with another key), goes through both
``credpress verify`` (``verify_target``: loading the file, then every check) and
``credpress/static/verify.js`` (run under Node 20 by ``verify_js_harness.mjs``,
with a fetch that serves the built folders, like ``--map … --offline``). Each
case has an expected verdict (verified / revoked / expired / failed) and both
verifiers must give it. verify.js has one more state, ``foreign``: every check
passed but the signer is not an issuer of this site; it counts as "verified" for
the comparison, and the cases say where it is expected.

Known difference, not in the corpus: verify.js checks the eddsa-jcs-2022
signature only (eddsa-rdfc-2022 needs a JSON-LD processor); it checks that the
other proofs are well formed and by the issuer's keys, not their signatures.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import struct
import subprocess
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from time import perf_counter
from typing import Any

import pytest
import rfc8785
from conftest import EXAMPLE, REPO, make_build

from credpress.vc import cryptosuites as sign
from credpress.vc import keys, multibase
from credpress.verify.fetch import Resolver
from credpress.verify.run import Target, verify_target

NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js 20+ is needed to run verify.js")

BASE = "https://badges.northwind-academy.example/"
OTHER = "https://other-academy.example/"
SLUG = "northwind-data-academy"
DID = "did:web:badges.northwind-academy.example:issuers:" + SLUG
OTHER_DID = "did:web:other-academy.example:issuers:" + SLUG
VM = DID + "#key-1"
NOW = datetime(2027, 1, 15, tzinfo=timezone.utc)  # after every example award, before any expiry
VERIFY_JS = REPO / "credpress" / "static" / "verify.js"
HARNESS = REPO / "tests" / "verify_js_harness.mjs"
JCS = "eddsa-jcs-2022"

SITE_KEY = keys.from_seed(bytes(range(32)), "site key")  # conftest.fixed_key()
OTHER_KEY = keys.from_seed(bytes(range(32, 64)), "other academy key")
STRANGER_KEY = keys.from_seed(bytes(range(64, 96)), "stranger key")

GOOD = ("Amara Okafor", "Python Foundations")  # no expiry date
EXPIRING = ("Kwame Mensah", "Certificate in Applied Data Analysis")  # valid for five years
REVOKED = ("Dmitri Volkov", "Python Foundations")  # revoked in the example content


def no_network(url: str, timeout: float, max_bytes: int) -> bytes:
    raise AssertionError(f"the test tried to fetch {url} from the network")


def build_site(root: Path, base_url: str, key: keys.SigningKey) -> Path:
    content = root / "content"
    shutil.copytree(EXAMPLE, content)
    site_yaml = content / "site.yaml"
    site_yaml.write_text(re.sub(r"(?m)^base_url: .*$", f"base_url: {base_url}", site_yaml.read_text("utf-8")), "utf-8")
    keys.write_key_file(root / "key.pem", key)
    make_build(content, root / "_site", root / "key.pem")
    return root / "_site"


@dataclass
class Sites:
    ours: Path  # the example site, badges.northwind-academy.example
    other: Path  # the same content under other-academy.example, another key: an impostor copying the name

    def credential(self, award: tuple[str, str], site: Path | None = None) -> dict[str, Any]:
        for path in sorted(((site or self.ours) / "credentials").glob("*.json")):
            document = json.loads(path.read_text("utf-8"))
            names = [
                i["identityHash"] for i in document["credentialSubject"]["identifier"] if i["identityType"] == "name"
            ]
            if (names[0], document["name"]) == award:
                return document
        raise LookupError(award)

    def site_issuers(self) -> list[dict[str, str]]:
        """What the built verify page embeds for verify-ui.js."""
        page = (self.ours / "verify" / "index.html").read_text("utf-8")
        found = re.search(r'<script type="application/json" id="site-issuers">(.*?)</script>', page, re.S)
        assert found, "the verify page embeds no list of this site's issuers"
        return json.loads(found.group(1))


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> Sites:
    return Sites(
        build_site(tmp_path_factory.mktemp("ours"), BASE, SITE_KEY),
        build_site(tmp_path_factory.mktemp("other"), OTHER, OTHER_KEY),
    )


# --- building the corpus ----------------------------------------------------------------


def jcs_proof(document: dict[str, Any]) -> dict[str, Any]:
    return next(p for p in document["proof"] if p["cryptosuite"] == JCS)


def rdfc_proof(document: dict[str, Any]) -> dict[str, Any]:
    return next(p for p in document["proof"] if p["cryptosuite"] == "eddsa-rdfc-2022")


def resign(
    document: dict[str, Any], key: keys.SigningKey = SITE_KEY, method: str = VM, **changes: Any
) -> dict[str, Any]:
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    unsigned.update(changes)
    unsigned = {k: v for k, v in unsigned.items() if v is not None}
    return sign.sign_document(unsigned, key, method, document["validFrom"], sign.CREDENTIAL_SUITES)


def proof_without_context(document: dict[str, Any], key: keys.SigningKey = SITE_KEY) -> dict[str, Any]:
    """An eddsa-jcs-2022 proof made as vc-di-eddsa allows when Create Proof step 2 is
    skipped: no @context in the proof, so none in the proof configuration. Computed
    here from the spec, not with credpress.sign."""
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": JCS,
        "created": document["validFrom"],
        "verificationMethod": VM,
        "proofPurpose": "assertionMethod",
    }
    data = hashlib.sha256(rfc8785.dumps(options)).digest() + hashlib.sha256(rfc8785.dumps(unsigned)).digest()
    return {**options, "proofValue": "z" + multibase.b58encode(key.sign(data))}


def with_jcs(document: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """*document* with its jcs proof changed (a key set to None is removed)."""
    proof = {**jcs_proof(document), **changes}
    proof = {k: v for k, v in proof.items() if v is not None}
    return {**document, "proof": [proof if p["cryptosuite"] == JCS else p for p in document["proof"]]}


def with_rdfc(document: dict[str, Any], **changes: Any) -> dict[str, Any]:
    proof = {**rdfc_proof(document), **changes}
    return {**document, "proof": [p if p["cryptosuite"] == JCS else proof for p in document["proof"]]}


def flipped(proof_value: str) -> str:
    signature = bytearray(multibase.decode_signature(proof_value))
    signature[7] ^= 0x10
    return "z" + multibase.b58encode(bytes(signature))


def renamed(document: dict[str, Any], name: str) -> dict[str, Any]:
    document = json.loads(json.dumps(document))
    for identifier in document["credentialSubject"]["identifier"]:
        if identifier["identityType"] == "name":
            identifier["identityHash"] = name
    return document


def nested(depth: int) -> str:
    return "[" * depth + "1" + "]" * depth


def text_with(document: dict[str, Any], field_json: str) -> str:
    """*document* as JSON text with one more top-level field, given as raw JSON text."""
    text = json.dumps(document, indent=2)
    return text[:-1].rstrip() + f',\n  "extra": {field_json}\n}}'


@dataclass
class Case:
    name: str
    text: str
    expected: str  # verified | revoked | expired | failed, from both verifiers
    js_state: str | None = None  # verify.js's own state, when it is not *expected* (e.g. foreign)
    js_says: str = ""  # words its result must contain


def corpus(sites: Sites) -> list[Case]:
    good = sites.credential(GOOD)
    expiring = sites.credential(EXPIRING)
    revoked = sites.credential(REVOKED)
    other_good = sites.credential(GOOD, sites.other)
    other_revoked = sites.credential(REVOKED, sites.other)
    context = good["@context"]
    stranger = "did:key:" + STRANGER_KEY.public_multibase
    stranger_vm = f"{stranger}#{STRANGER_KEY.public_multibase}"
    jcs_only = {**good, "proof": [jcs_proof(good)]}
    cases = [
        # genuine
        Case(
            "good",
            json.dumps(good, indent=2),
            "verified",
            js_says="Northwind Data Academy (badges.northwind-academy.example)",
        ),
        Case("good, with an expiry date", json.dumps(expiring), "verified"),
        Case("good, only the jcs proof (as an object)", json.dumps({**good, "proof": jcs_proof(good)}), "verified"),
        Case("good, only the jcs proof", json.dumps(jcs_only), "verified"),
        Case(
            "jcs proof made without @context (vc-di-eddsa allows it)",
            json.dumps({**good, "proof": [proof_without_context(good)]}),
            "verified",
        ),
        Case("revoked", json.dumps(revoked), "revoked"),
        Case(
            "expired (re-signed with a validUntil in the past)",
            json.dumps(resign(good, validUntil="2026-12-01T00:00:00Z")),
            "expired",
            js_says="Expired on 1 December 2026",
        ),
        Case(
            "not yet valid (re-signed with a validFrom in the future)",
            json.dumps(resign(good, validFrom="2027-06-01T00:00:00Z")),
            "failed",
        ),
        # the proof's @context
        Case("jcs proof with its @context removed", json.dumps(with_jcs(good, **{"@context": None})), "failed"),
        Case("jcs proof @context shortened", json.dumps(with_jcs(good, **{"@context": context[:1]})), "failed"),
        Case(
            "jcs proof @context lengthened",
            json.dumps(with_jcs(good, **{"@context": [*context, "https://www.w3.org/ns/credentials/examples/v2"]})),
            "failed",
        ),
        Case("jcs proof @context reordered", json.dumps(with_jcs(good, **{"@context": context[::-1]})), "failed"),
        Case("jcs proof @context a single string", json.dumps(with_jcs(good, **{"@context": context[0]})), "failed"),
        Case(
            "jcs proof @context null", json.dumps({**good, "proof": [{**jcs_proof(good), "@context": None}]}), "failed"
        ),
        Case("jcs proof @context empty", json.dumps(with_jcs(good, **{"@context": []})), "failed"),
        Case(
            "context-less jcs proof given an @context afterwards",
            json.dumps({**good, "proof": [{**proof_without_context(good), "@context": context}]}),
            "failed",
        ),
        # tampered content
        Case("recipient name changed", json.dumps(renamed(good, "Mallory Impostor")), "failed"),
        Case("achievement name changed", json.dumps({**good, "name": "Doctorate in Everything"}), "failed"),
        Case("validFrom changed", json.dumps({**good, "validFrom": "2026-01-01T00:00:00Z"}), "failed"),
        Case("issuer name changed", json.dumps({**good, "issuer": {**good["issuer"], "name": "Evil Corp"}}), "failed"),
        Case("field added", json.dumps({**good, "extra": "unsigned"}), "failed"),
        Case(
            "credentialStatus removed", json.dumps({k: v for k, v in good.items() if k != "credentialStatus"}), "failed"
        ),
        Case(
            "revoked credential pointed at another status index",
            json.dumps({**revoked, "credentialStatus": good["credentialStatus"]}),
            "failed",
        ),
        Case("document @context reordered", json.dumps({**good, "@context": context[::-1]}), "failed"),
        Case(
            "document @context with an entry repeated after signing",
            json.dumps({**good, "@context": [*context, context[-1]]}),
            "failed",
        ),
        Case(
            "document @context with a known context appended after signing",
            json.dumps({**good, "@context": [*context, "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"]}),
            "failed",
        ),
        Case(
            "expired credential with validUntil removed",
            json.dumps({k: v for k, v in resign(good, validUntil="2026-12-01T00:00:00Z").items() if k != "validUntil"}),
            "failed",
        ),
        # keys and proof values
        Case("signed by another key under the issuer's key id", json.dumps(resign(good, key=STRANGER_KEY)), "failed"),
        Case(
            "jcs proofValue with one bit flipped",
            json.dumps(with_jcs(good, proofValue=flipped(jcs_proof(good)["proofValue"]))),
            "failed",
        ),
        Case("jcs proofValue not base58", json.dumps(with_jcs(good, proofValue="z0OIl" + "1" * 80)), "failed"),
        Case(
            "jcs proofValue without the z prefix",
            json.dumps(with_jcs(good, proofValue=jcs_proof(good)["proofValue"][1:])),
            "failed",
        ),
        Case("jcs proofValue too short", json.dumps(with_jcs(good, proofValue="z" + "2" * 40)), "failed"),
        Case("huge jcs proofValue", json.dumps(with_jcs(good, proofValue="z" + "2" * 200_000)), "failed"),
        Case("huge rdfc proofValue", json.dumps(with_rdfc(good, proofValue="z" + "2" * 200_000)), "failed"),
        Case("rdfc proofValue a number", json.dumps(with_rdfc(good, proofValue=42)), "failed"),
        Case(
            "verificationMethod of another issuer",
            json.dumps(with_jcs(good, verificationMethod=OTHER_DID + "#key-1")),
            "failed",
        ),
        Case(
            "rdfc proof by another issuer's key",
            json.dumps(with_rdfc(good, verificationMethod=OTHER_DID + "#key-1")),
            "failed",
        ),
        Case("key id not in the DID document", json.dumps(resign(good, method=DID + "#key-9")), "failed"),
        Case("proofPurpose authentication", json.dumps(with_jcs(good, proofPurpose="authentication")), "failed"),
        Case(
            "rdfc proof with proofPurpose authentication",
            json.dumps(with_rdfc(good, proofPurpose="authentication")),
            "failed",
        ),
        Case(
            "a proof of an unknown cryptosuite alongside",
            json.dumps({**good, "proof": [*good["proof"], {**rdfc_proof(good), "cryptosuite": "eddsa-2022"}]}),
            "failed",
        ),
        # proof sets
        Case("the same jcs proof twice", json.dumps({**good, "proof": [*good["proof"], jcs_proof(good)]}), "failed"),
        Case(
            "two different jcs proofs by one key",
            json.dumps({**good, "proof": [*good["proof"], proof_without_context(good)]}),
            "failed",
        ),
        Case("a proof chain (previousProof)", json.dumps(with_jcs(good, previousProof="urn:uuid:1")), "failed"),
        Case("a proof that is not an object", json.dumps({**good, "proof": [*good["proof"], "proof"]}), "failed"),
        Case("no proof", json.dumps({k: v for k, v in good.items() if k != "proof"}), "failed"),
        # other signers: genuine signatures, but not by this site
        Case(
            "impostor: fresh did:key, the issuer's name copied",
            json.dumps(
                resign(
                    good,
                    key=STRANGER_KEY,
                    method=stranger_vm,
                    issuer={**good["issuer"], "id": stranger},
                    credentialStatus=None,
                )
            ),
            "verified",
            js_state="foreign",
            js_says="an unknown key",
        ),
        Case(
            "impostor did:key still pointing at this site's status list",
            json.dumps(resign(good, key=STRANGER_KEY, method=stranger_vm, issuer={**good["issuer"], "id": stranger})),
            "failed",
        ),
        Case(
            "impostor: other-academy.example, the issuer's name copied",
            json.dumps(other_good),
            "verified",
            js_state="foreign",
            js_says="Genuine signature by other-academy.example, which is not an issuer of this site",
        ),
        Case(
            "other-academy.example, revoked there",
            json.dumps(other_revoked),
            "revoked",
            js_says="other-academy.example has withdrawn this credential",
        ),
        Case(
            "other-academy.example's credential claiming this site's DID",
            json.dumps({**other_good, "issuer": {**other_good["issuer"], "id": DID}}),
            "failed",
        ),
        Case(
            "other-academy.example re-signed as this site's DID with its own key",
            json.dumps(resign(good, key=OTHER_KEY)),
            "failed",
        ),
        # hostile shapes
        Case("deeply nested extra field", text_with(good, nested(100_000)), "failed"),
        Case("moderately nested extra field", text_with(good, nested(150)), "failed"),
        Case("2.5 MB extra field", text_with(good, json.dumps("x" * 2_500_000)), "failed"),
        Case("not JSON", '{"@context": [', "failed"),
        Case("a JSON array", "[]", "failed"),
        Case("a JSON string", '"credential"', "failed"),
        Case("issuer without an id", json.dumps({**good, "issuer": {"name": "Northwind Data Academy"}}), "failed"),
    ]
    return cases


# --- running both verifiers -------------------------------------------------------------


def python_verdicts(sites: Sites, cases: list[Case], folder: Path) -> dict[str, tuple[str, float]]:
    resolver = Resolver([(BASE, sites.ours), (OTHER, sites.other)], offline=True, http_get=no_network)
    verdicts = {}
    for number, case in enumerate(cases):
        path = folder / f"case-{number}.json"
        path.write_text(case.text, "utf-8")
        started = perf_counter()
        result = verify_target(Target(str(path), path=path), resolver, NOW, None)
        verdicts[case.name] = (result.status, perf_counter() - started)
    return verdicts


def run_verify_js(request: dict[str, Any]) -> dict[str, Any]:
    request = {"verifyJs": str(VERIFY_JS), "now": NOW.isoformat().replace("+00:00", "Z"), **request}
    done = subprocess.run([NODE, str(HARNESS)], input=json.dumps(request), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def js_results(sites: Sites, cases: list[Case]) -> dict[str, dict[str, Any]]:
    answer = run_verify_js(
        {
            "maps": [[BASE, str(sites.ours)], [OTHER, str(sites.other)]],
            "siteIssuers": sites.site_issuers(),
            "cases": [{"name": c.name, "text": c.text} for c in cases],
        }
    )
    assert all(url.startswith((BASE, OTHER)) for url in answer["fetched"])
    return {r["name"]: r for r in answer["results"]}


def test_both_verifiers_agree_on_the_corpus(sites: Sites, tmp_path: Path):
    cases = corpus(sites)
    assert len(cases) >= 25 and len({c.name for c in cases}) == len(cases)
    python = python_verdicts(sites, cases, tmp_path)
    js = js_results(sites, cases)
    differences = []
    for case in cases:
        py_verdict, seconds = python[case.name]
        result = js[case.name]
        js_verdict = "verified" if result["state"] == "foreign" else result["state"]
        text = " ".join(
            [result["headline"], result["summary"], *(c["label"] + " " + (c["detail"] or "") for c in result["checks"])]
        )
        if not (
            py_verdict == js_verdict == case.expected
            and result["state"] == (case.js_state or case.expected)
            and case.js_says in text
        ):
            differences.append(
                f"{case.name}: expected {case.expected}, Python {py_verdict}, "
                f"verify.js {result['state']} ({result['headline']}: {result['summary']})"
            )
        # Bounded before decoding: no case takes long (base58 decoding is quadratic).
        assert seconds < 2 and result["ms"] < 2000, (case.name, seconds, result["ms"])
    assert not differences, "\n".join(differences)


def test_site_issuers_are_embedded_in_the_verify_page(sites: Sites):
    assert sites.site_issuers() == [{"did": DID, "name": "Northwind Data Academy"}]


def test_verify_js_checks_each_credential_against_the_list_it_names(example_site_in_lists: Path):
    """The example with its lock spread over status lists 1 to 3 (conftest): verify.js fetches the
    list each credential names and reads the bit there, as credpress verify does."""
    from test_verify import REVOKED as REVOKED_IDS

    site = example_site_in_lists
    paths = sorted((site / "credentials").glob("*.json")) + sorted((site / "records").glob("*.json"))
    answer = run_verify_js(
        {
            "maps": [[BASE, str(site)]],
            "siteIssuers": Sites(site, site).site_issuers(),
            "cases": [{"name": p.stem, "text": p.read_text("utf-8")} for p in paths],
        }
    )
    states = {r["name"]: r["state"] for r in answer["results"]}
    assert {name for name, state in states.items() if state != "verified"} == REVOKED_IDS
    assert {states[name] for name in REVOKED_IDS} == {"revoked"}
    lists = {url.rsplit("/", 1)[1] for url in answer["fetched"] if "/status/" in url}
    assert lists == {"revocation-1.json", "revocation-2.json", "revocation-3.json"}


def baked_png(*chunks: tuple[bytes, bytes]) -> bytes:
    """The example badge image with text chunks (type, credential) after its header."""
    png = (REPO / "content" / "images" / "python-foundations.png").read_bytes()
    end_of_ihdr = 8 + 12 + struct.unpack(">I", png[8:12])[0]
    baked = b""
    for chunk_type, credential in chunks:
        # iTXt: keyword \0 | compression flag, method | language \0 | translated keyword \0 | text
        data = b"openbadgecredential\x00" + (b"\x00\x00\x00\x00" if chunk_type == b"iTXt" else b"") + credential
        baked += struct.pack(">I", len(data)) + chunk_type + data + struct.pack(">I", zlib.crc32(chunk_type + data))
    return png[:end_of_ihdr] + baked + png[end_of_ihdr:]


def test_baked_png_with_two_credentials_is_refused(sites: Sites):
    good = (b"iTXt", json.dumps(sites.credential(GOOD)).encode())
    other = (b"iTXt", json.dumps(sites.credential(EXPIRING)).encode())
    files = {
        "one": baked_png(good),
        "two": baked_png(good, other),
        "same twice": baked_png(good, good),
        "second in tEXt": baked_png(good, (b"tEXt", other[1])),
    }
    answer = run_verify_js(
        {
            "maps": [[BASE, str(sites.ours)]],
            "siteIssuers": sites.site_issuers(),
            "cases": [{"name": n, "fileBase64": base64.b64encode(b).decode()} for n, b in files.items()],
        }
    )
    results = {r["name"]: r for r in answer["results"]}
    assert results["one"]["state"] == "verified", results["one"]
    for name in ("two", "same twice", "second in tEXt"):
        assert results[name]["state"] == "failed", results[name]
        assert results[name]["checks"][0]["label"] == "This PNG holds more than one credential"
