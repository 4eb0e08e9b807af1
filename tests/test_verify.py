"""``credpress verify``: published vectors, a generated tamper matrix, key and
status scenarios, the resolver's network rules, and the command line.

Everything is offline: URLs are served from tmp folders through ``--map`` and the
network fetcher is replaced by one that fails the test if it is ever called.
"""

from __future__ import annotations

import base64
import copy
import gzip
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import EXAMPLE, REPO, SPECS
from jsonpaths import leaves, with_value

from credpress.cli import main
from credpress.content.lock import Lock, award_key
from credpress.pipeline import BuildOptions, build, check_content
from credpress.vc import bitstring as status_list
from credpress.vc import cryptosuites as sign
from credpress.vc import keys
from credpress.verify import CHECK_IDS, verify_credential
from credpress.verify.fetch import (
    FetchError,
    Resolver,
    _HttpsOnlyRedirects,
    network_url_problem,
    read_limited,
)
from credpress.verify.methods import resolve_method
from credpress.verify.run import find_targets, verify_targets

BASE = "https://badges.northwind-academy.example/"
DID = "did:web:badges.northwind-academy.example:issuers:northwind-data-academy"
VM = DID + "#key-1"
DID_PATH = Path("issuers/northwind-data-academy/did.json")
NOW = datetime(2027, 1, 15, tzinfo=timezone.utc)  # after every example award, before any expiry
VECTORS = SPECS / "test-vectors"
INTEROP = REPO / "tests" / "interop"


def no_network(url: str, timeout: float, max_bytes: int) -> bytes:
    raise AssertionError(f"the test tried to fetch {url} from the network")


@dataclass
class Site:
    root: Path
    out: Path
    key: keys.SigningKey

    def credentials(self) -> list[Path]:
        return sorted((self.out / "credentials").glob("*.json"))

    def load(self, path: Path) -> dict[str, Any]:
        return json.loads(path.read_text("utf-8"))

    def resolver(self, *extra: tuple[str, Path], offline: bool = True) -> Resolver:
        return Resolver([(BASE, self.out), *extra], offline=offline, http_get=no_network)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Site:
    """The example content, built once for this module with a fixed (generated) key."""
    root = tmp_path_factory.mktemp("verify-site")
    content = root / "content"
    shutil.copytree(EXAMPLE, content)
    key = keys.generate()
    keys.write_key_file(root / "key.pem", key)
    build(BuildOptions(content=content, out=root / "_site", key_path=root / "key.pem", environ={}, warn=lambda m: None))
    return Site(root, root / "_site", key)


@pytest.fixture(scope="module")
def rich(site: Site) -> dict[str, Any]:
    """The built credential with the most fields (evidence, narrative, hashed email, expiry)."""
    documents = [site.load(p) for p in site.credentials() if p.stem not in REVOKED]
    return max(documents, key=lambda d: (len(leaves(d)), d["id"]))


def verify(document: Any, resolver: Resolver, now: datetime = NOW, recipient: str | None = None):
    return verify_credential(document, resolver, now, recipient)


def failed_ids(result) -> set[str]:
    return {c.id for c in result.checks if c.failed}


def resign(document: dict[str, Any], key: keys.SigningKey, method: str = VM) -> dict[str, Any]:
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    return sign.sign_document(unsigned, key, method, document["validFrom"], sign.CREDENTIAL_SUITES)


def write_json(path: Path, document: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2), "utf-8")
    return path


# --- the built site and the published vectors ----------------------------------------


def recipient_name(document: dict[str, Any]) -> str:
    return document["credentialSubject"]["identifier"][-1]["identityHash"]


def revoked_ids(content: Path) -> set[str]:
    """Ids of the example's revoked credentials: awards with ``revoked:`` (Dmitri Volkov's)
    and stacked credentials revoked by cascade (recorded in the lock)."""
    model, _ = check_content(content)
    lock = Lock.read(content)
    ids = {lock.entries[award_key(a)]["id"] for a in model.awards if a.revoked}
    return ids | {e["id"] for e in lock.entries.values() if e.get("revoked")}


REVOKED = revoked_ids(EXAMPLE)


def good_credential(site: Site) -> Path:
    return next(p for p in site.credentials() if p.stem not in REVOKED)


def test_every_built_credential_verifies_but_the_revoked_one(site: Site):
    resolver = site.resolver()
    results = list(verify_targets(find_targets([str(site.out)]), resolver, NOW, workers=1))
    # The example's one learner record (CLR 2.0) is verified with every credential in it.
    records = [r for r in results if "/records/" in r.source]
    assert len(records) == 1 and records[0].status == "verified" and len(records[0].embedded) == 4
    results = [r for r in results if r not in records]
    assert len(results) == len(site.credentials()) > 20
    for result in results:
        assert [c.id for c in result.checks] == list(CHECK_IDS[:5])
        if Path(result.source).stem in REVOKED:
            assert result.status == "revoked" and failed_ids(result) == {"status"}
            assert re.fullmatch(
                r"revoked: bit \d+ is set in the revocation list https://\S+/status/revocation-1\.json",
                result.check("status").message,
            )
        else:
            assert result.status == "verified", result.to_json()
            assert result.check("status").message.startswith("not revocation-flagged (bit ")
    # The DID document and the status list were each read once for the whole site.
    assert resolver.fetches == 2


def test_whole_site_walk_skips_non_credentials(site: Site):
    found = list(verify_targets(find_targets([str(site.out)]), site.resolver(), NOW, workers=1))
    sources = {Path(r.source).parent.name for r in found}
    # did.json, achievements and profiles are not credentials; learner records (CLR 2.0) are
    assert sources == {"credentials", "records"}


def test_parallel_run_matches_sequential(site: Site):
    targets = find_targets([str(site.out / "credentials")]) * 13  # enough to use worker processes
    sequential = [r.to_json() for r in verify_targets(targets, site.resolver(), NOW, workers=1)]
    parallel = [r.to_json() for r in verify_targets(targets, site.resolver(), NOW, workers=2)]
    assert len(parallel) >= 400 and parallel == sequential


def test_workers_reuse_the_documents_fetched_before_forking(site: Site, tmp_path: Path):
    # The DID document and the status list are fetched once, in this process, for the
    # first credential; then they disappear. The forked workers must not need them again.
    shutil.copytree(site.out / "issuers", tmp_path / "issuers")
    resolver = site.resolver((BASE + "issuers/", tmp_path / "issuers"))
    good = [t for t in find_targets([str(site.out / "credentials")]) if t.path.stem not in REVOKED]
    results = verify_targets(good * 20, resolver, NOW, workers=2)
    assert next(results).status == "verified"
    shutil.rmtree(tmp_path / "issuers")
    rest = list(results)
    assert len(rest) >= 400 and all(r.status == "verified" for r in rest)


def load_vector(relative: str) -> dict[str, Any]:
    """A published test vector; they are part of the repository, so missing is a failure."""
    path = VECTORS / relative
    assert path.is_file(), f"published test vector missing: {path} (see tests/data/specs/MANIFEST.md)"
    return json.loads(path.read_text("utf-8"))


@pytest.mark.parametrize("name", ["eddsa-rdfc-2022/signedDataInt.json", "eddsa-jcs-2022/signedJCS.json"])
def test_w3c_vectors_proof_verifies(name: str):
    document = load_vector(f"vc-di-eddsa/{name}")
    result = verify(document, Resolver(offline=True, http_get=no_network))
    # A did:key proof, resolved locally. The W3C examples are not Open Badges, and
    # their issuer is not the key's controller: those checks fail, as they should.
    assert result.check("proof").result == "passed", result.to_json()
    assert "datamodel" in failed_ids(result) and "issuer-key" in failed_ids(result)
    tampered = {**document, "name": "Forged"}
    assert "proof" in failed_ids(verify(tampered, Resolver(offline=True, http_get=no_network)))


def ob_vector_controller(folder: Path) -> tuple[str, Path]:
    """Serve a CID controller document for the 1EdTech vector's https key (CID §3.3, OB 3.0 §8.5).

    Its verificationMethod is https://example.edu/issuers/565049#z6Mk…: we dereference
    the URL rather than take the key from the fragment (the 1EdTech shortcut), which
    would let anyone claim any https issuer.
    """
    vector = load_vector("ob-v3p0-eddsa-rdfc-2022/signed.json")
    method = vector["proof"]["verificationMethod"]
    controller, fragment = method.split("#")
    write_json(
        folder / "issuers" / "565049",
        {
            "@context": ["https://www.w3.org/ns/cid/v1"],
            "id": controller,
            "verificationMethod": [
                {"id": method, "type": "Multikey", "controller": controller, "publicKeyMultibase": fragment}
            ],
            "assertionMethod": [method],
        },
    )
    return "https://example.edu/", folder


def test_1edtech_vector_verifies_with_controller_document(tmp_path: Path):
    vector = load_vector("ob-v3p0-eddsa-rdfc-2022/signed.json")
    resolver = Resolver([ob_vector_controller(tmp_path)], offline=True, http_get=no_network)
    result = verify(vector, resolver)
    assert result.status == "verified", result.to_json()


def test_1edtech_vector_fragment_key_alone_is_not_trusted():
    vector = load_vector("ob-v3p0-eddsa-rdfc-2022/signed.json")
    result = verify(vector, Resolver(offline=True, http_get=no_network))
    assert failed_ids(result) == {"proof", "issuer-key"}
    assert "offline: refusing to fetch https://example.edu/issuers/565049" in result.check("issuer-key").message


# --- the generated tamper matrix ----------------------------------------------------

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def mutate(value: Any) -> Any:
    """A different value of the same kind (still well-formed where it can be)."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value + 1
    assert isinstance(value, str), value
    if _DATE.match(value):
        moved = datetime.fromisoformat(value) + timedelta(days=1)
        return moved.strftime("%Y-%m-%dT%H:%M:%SZ")
    if value.startswith("z") and len(value) > 80:  # a proofValue: flip one base58 digit
        middle = len(value) // 2
        return value[:middle] + _B58[(_B58.index(value[middle]) + 1) % 58] + value[middle + 1 :]
    return value + "x"


def expected_failures(path: tuple[Any, ...]) -> set[str]:
    """The checks that must fail when the leaf at *path* changes."""
    expected = {"proof"}  # every leaf is signed, proof fields included
    if path[0] == "@context":
        expected.add("datamodel")  # an unknown context URL
    if path == ("issuer", "id") or path[-1] == "verificationMethod":
        expected.add("issuer-key")
    return expected


def test_tamper_matrix_covers_every_kind_of_field(rich: dict[str, Any]):
    paths = {".".join(map(str, p)) for p, _ in leaves(rich)}
    for wanted in [
        "name",
        "validFrom",
        "validUntil",
        "issuer.id",
        "issuer.name",
        "credentialSubject.achievement.name",
        "credentialSubject.achievement.criteria.narrative",
        "credentialSubject.identifier.0.identityHash",
        "credentialSubject.identifier.0.salt",
        "evidence.0.name",
        "proof.0.proofValue",
        "proof.0.verificationMethod",
        "proof.1.@context.0",
        "@context.1",
        "credentialStatus.statusListIndex",
        "credentialStatus.statusListCredential",
    ]:
        assert wanted in paths


@pytest.mark.parametrize("variant", ["both proofs", "rdfc proof only"])
def test_tamper_matrix(site: Site, rich: dict[str, Any], variant: str):
    document = rich if variant == "both proofs" else {**rich, "proof": [rich["proof"][0]]}
    resolver = site.resolver()
    assert verify(document, resolver).status == "verified"
    fields = leaves(document)
    assert len(fields) > 60
    for path, value in fields:
        changed = mutate(value)
        assert changed != value
        result = verify(with_value(document, path, changed), resolver)
        where = ".".join(map(str, path))
        assert result.status == "failed", f"{where}: {result.to_json()}"
        missing = expected_failures(path) - failed_ids(result)
        assert not missing, f"{where} = {changed!r}: {missing} did not fail: {result.to_json()}"


def test_removing_any_signed_field_fails(site: Site, rich: dict[str, Any]):
    resolver = site.resolver()
    for key in [k for k in rich if k != "proof"]:
        result = verify({k: v for k, v in rich.items() if k != key}, resolver)
        assert result.status == "failed" and "proof" in failed_ids(result), key


def test_adding_an_unsigned_field_fails(site: Site, rich: dict[str, Any]):
    result = verify({**rich, "awardedBy": "someone else"}, site.resolver())
    assert "proof" in failed_ids(result)


def did_override(tmp_path: Path, site: Site, change) -> tuple[str, Path]:
    """Serve the issuers folder with a changed did.json (a more specific --map wins)."""
    shutil.copytree(site.out / "issuers", tmp_path / "issuers", dirs_exist_ok=True)
    did_doc = json.loads((site.out / DID_PATH).read_text("utf-8"))
    change(did_doc)
    write_json(tmp_path / DID_PATH, did_doc)
    return BASE + "issuers/", tmp_path / "issuers"


def test_swapped_key_in_did_document(site: Site, rich, tmp_path: Path):
    other = keys.generate().public_multibase
    mapping = did_override(tmp_path, site, lambda d: d["verificationMethod"][0].update(publicKeyMultibase=other))
    result = verify(rich, site.resolver(mapping))
    assert failed_ids(result) == {"proof", "status"}  # the status list is signed with the same key
    assert "signature does not match" in result.check("proof").message
    assert "its proof check failed" in result.check("status").message


def test_key_removed_from_assertion_method(site: Site, rich, tmp_path: Path):
    mapping = did_override(tmp_path, site, lambda d: d.update(assertionMethod=[]))
    result = verify(rich, site.resolver(mapping))
    assert failed_ids(result) == {"issuer-key", "status"}  # and the status list's key likewise
    assert f"{VM} is not listed under assertionMethod" in result.check("issuer-key").message


def test_relative_or_embedded_assertion_method_does_not_count(site: Site, rich, tmp_path: Path):
    for listed in (["#key-1"], [{"id": VM, "type": "Multikey", "controller": DID}]):
        mapping = did_override(tmp_path, site, lambda d, listed=listed: d.update(assertionMethod=listed))
        assert failed_ids(verify(rich, site.resolver(mapping))) == {"issuer-key", "status"}


def test_did_document_with_another_id(site: Site, rich, tmp_path: Path):
    mapping = did_override(tmp_path, site, lambda d: d.update(id="did:web:elsewhere.example"))
    result = verify(rich, site.resolver(mapping))
    assert "issuer-key" in failed_ids(result)
    assert "has id 'did:web:elsewhere.example'" in result.check("issuer-key").message


def test_key_that_is_not_a_multikey(site: Site, rich, tmp_path: Path):
    mapping = did_override(tmp_path, site, lambda d: d["verificationMethod"][0].update(type="JsonWebKey2020"))
    assert failed_ids(verify(rich, site.resolver(mapping))) == {"issuer-key", "status"}


def test_proof_names_a_method_not_in_the_document(site: Site, rich):
    result = verify(resign(rich, site.key, DID + "#key-2"), site.resolver())
    assert failed_ids(result) == {"proof", "issuer-key"}
    assert f"{DID}#key-2 is not in the verificationMethod list" in result.check("issuer-key").message


def test_credential_signed_by_another_issuers_key(site: Site, rich, tmp_path: Path):
    # Mallory publishes her own, perfectly valid DID document and signs a credential
    # that claims Northwind as its issuer.
    mallory_did = "did:web:mallory.example:issuers:m"
    mallory = keys.generate()
    from credpress.content.model import PublicKey
    from credpress.vc.did import did_document

    write_json(
        tmp_path / "mallory" / "issuers" / "m" / "did.json",
        did_document(mallory_did, (PublicKey("key-1", mallory.public_multibase, "active"),)),
    )
    resolver = site.resolver(("https://mallory.example/", tmp_path / "mallory"))
    result = verify(resign(rich, mallory, mallory_did + "#key-1"), resolver)
    assert failed_ids(result) == {"issuer-key"}  # the signature is fine; the signer is not the issuer
    assert f"belongs to {mallory_did}, not to the issuer {DID}" in result.check("issuer-key").message
    # Signed by Mallory but naming Northwind's key: the signature fails.
    assert failed_ids(verify(resign(rich, mallory, VM), resolver)) == {"proof"}


def test_unknown_context(site: Site, rich):
    result = verify(
        {**rich, "@context": [*rich["@context"], "https://example.com/unknown-context/v1"]}, site.resolver()
    )
    assert {"datamodel", "proof"} <= failed_ids(result)
    assert "unknown JSON-LD context 'https://example.com/unknown-context/v1'" in result.check("datamodel").message


def test_inline_context_is_refused(site: Site, rich):
    result = verify({**rich, "@context": [*rich["@context"], {"extra": "https://example.com/extra"}]}, site.resolver())
    assert "datamodel" in failed_ids(result)


@pytest.mark.parametrize(
    "proofs, reason",
    [
        (lambda p: [p[0], p[0], p[1]], "the same proof appears twice"),
        (lambda p: [p[0], {**p[0], "created": "2030-01-01T00:00:00Z"}, p[1]], "conflicting proofs"),
        (lambda p: [], "the credential has no proof"),
        (lambda p: [{**p[0], "cryptosuite": "eddsa-2099"}], "unsupported cryptosuite 'eddsa-2099'"),
        (lambda p: [{**p[0], "previousProof": "urn:x"}], "proof chains"),
        (lambda p: ["not a proof"], "a proof is not a JSON object"),
    ],
)
def test_bad_proof_sets(site: Site, rich, proofs, reason):
    result = verify({**rich, "proof": proofs(rich["proof"])}, site.resolver())
    assert "proof" in failed_ids(result)
    assert reason in result.check("proof").message


def test_single_proof_object_is_read(site: Site, rich):
    result = verify({**rich, "proof": rich["proof"][0]}, site.resolver())
    assert result.status == "verified", result.to_json()


def test_hostile_documents_never_raise(site: Site):
    resolver = site.resolver()
    for document in (
        None,
        [],
        "text",
        42,
        {"proof": {"verificationMethod": 7}},
        {"@context": 5, "proof": [{}]},
        {"validFrom": 12, "credentialStatus": {"type": "BitstringStatusListEntry"}},
    ):
        result = verify(document, resolver, recipient="a@b.example")
        assert result.status == "failed"
        assert [c.id for c in result.checks] == list(CHECK_IDS)


# --- key resolution -----------------------------------------------------------------


def test_did_key_resolves_locally():
    key = keys.generate().public_multibase
    method = resolve_method(f"did:key:{key}#{key}", Resolver(offline=True, http_get=no_network))
    assert method.public_key == key and method.controller == f"did:key:{key}" and not method.problems
    wrong = resolve_method(f"did:key:{key}#other", Resolver(offline=True, http_get=no_network))
    assert wrong.error and wrong.public_key is None


@pytest.mark.parametrize(
    "method, reason",
    [
        ("did:web:127.0.0.1#key-1", "not a valid did:web DID"),
        ("did:example:123#key-1", "unsupported DID method"),
        ("http://example.org/issuer#key-1", "neither a DID URL nor an https URL"),
        ("did:web:example.org", "has no #fragment"),
    ],
)
def test_unresolvable_methods(method: str, reason: str):
    assert reason in resolve_method(method, Resolver(offline=True, http_get=no_network)).error


# --- status (Bitstring Status List) ------------------------------------------------


def encoded_list(set_bits: tuple[int, ...], size_bits: int = 131_072) -> str:
    raw = bytearray(size_bits // 8)
    for index in set_bits:
        raw[index // 8] |= 0x80 >> (index % 8)
    return "u" + base64.urlsafe_b64encode(gzip.compress(bytes(raw))).decode().rstrip("=")


def status_list_credential(
    key: keys.SigningKey,
    url: str,
    set_bits=(7,),
    purpose="revocation",
    issuer=DID,
    method=VM,
    size_bits: int = 131_072,
    **extra: Any,
) -> dict[str, Any]:
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "id": url + "#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encoded_list(set_bits, size_bits),
        },
        **extra,
    }
    return sign.sign_document(document, key, method, "2026-01-01T00:00:00Z", sign.CREDENTIAL_SUITES)


def with_status(
    document: dict[str, Any],
    key: keys.SigningKey,
    index: int,
    url: str = BASE + "status/1.json",
    purpose: str = "revocation",
) -> dict[str, Any]:
    status = {
        "id": f"{url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": url,
    }
    return resign({**document, "credentialStatus": status}, key)


@pytest.fixture
def status_site(site: Site, tmp_path: Path):
    def publish(document: dict[str, Any], name: str = "1.json") -> tuple[str, Path]:
        write_json(tmp_path / "status" / name, document)
        return BASE + "status/", tmp_path / "status"

    return publish


def test_status_list_decoding_limits():
    assert status_list.decode_list(encoded_list((0, 9, 131_071)))[:2] == b"\x80\x40"
    bomb = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(64 * 1024 * 1024))).decode().rstrip("=")
    with pytest.raises(ValueError, match="larger than"):
        status_list.decode_list(bomb)  # 64 KiB of gzip that would inflate to 64 MiB
    with pytest.raises(ValueError, match="not multibase"):
        status_list.decode_list("zabc")


def test_status_clear_andwith_value(site: Site, rich, status_site):
    resolver = site.resolver(status_site(status_list_credential(site.key, BASE + "status/1.json", set_bits=(7,))))
    clear = verify(with_status(rich, site.key, 3), resolver)
    assert clear.status == "verified", clear.to_json()
    assert "bit 3 of https://badges.northwind-academy.example/status/1.json is clear" in clear.check("status").message
    revoked = verify(with_status(rich, site.key, 7), resolver)
    assert revoked.status == "revoked" and failed_ids(revoked) == {"status"}
    assert revoked.check("status").code == "revoked"
    # did.json and the status list, each read once for both credentials.
    assert resolver.fetches == 2


def test_status_suspension_bit(site: Site, rich, status_site):
    resolver = site.resolver(
        status_site(status_list_credential(site.key, BASE + "status/1.json", purpose="suspension"))
    )
    result = verify(with_status(rich, site.key, 7, purpose="suspension"), resolver)
    assert result.status == "revoked" and result.check("status").code == "suspended"


def test_status_fails_closed_when_unreachable(site: Site, rich):
    credential = with_status(rich, site.key, 3)
    missing = verify(credential, site.resolver())  # mapped, but the site has no such file
    assert missing.status == "failed" and failed_ids(missing) == {"status"}
    assert missing.check("status").message.startswith(f"cannot check the status list {BASE}status/1.json: ")
    assert f"no file {site.out / 'status' / '1.json'} (from --map)" in missing.check("status").message
    # Only the DID documents are mapped: the list's URL is not served at all.
    did_only = Resolver([(BASE + "issuers/", site.out / "issuers")], offline=True, http_get=no_network)
    offline = verify(credential, did_only)
    assert failed_ids(offline) == {"status"}
    assert (
        f"offline: refusing to fetch {BASE}status/1.json (not under any --map prefix)"
        in offline.check("status").message
    )


@pytest.mark.parametrize(
    "make_list, reason",
    [
        (lambda key, url: status_list_credential(keys.generate(), url), "its proof check failed"),
        (lambda key, url: status_list_credential(key, url, purpose="suspension"), "is for 'suspension'"),
        (lambda key, url: status_list_credential(key, url, size_bits=8192), "fewer than 131072"),
        (
            lambda key, url: status_list_credential(key, url, validUntil="2026-06-01T00:00:00Z"),
            "its validity check failed: expired on 2026-06-01T00:00:00Z",
        ),
        (
            lambda key, url: {**status_list_credential(key, url), "type": ["VerifiableCredential"]},
            "not a BitstringStatusListCredential",
        ),
        (lambda key, url: _tamper_list(status_list_credential(key, url)), "its proof check failed"),
    ],
)
def test_bad_status_lists_fail(site: Site, rich, status_site, make_list, reason):
    url = BASE + "status/1.json"
    resolver = site.resolver(status_site(make_list(site.key, url)))
    result = verify(with_status(rich, site.key, 3), resolver)
    assert result.status == "failed" and "status" in failed_ids(result)
    assert reason in result.check("status").message, result.check("status").message


def _tamper_list(document: dict[str, Any]) -> dict[str, Any]:
    subject = {**document["credentialSubject"], "encodedList": encoded_list(())}
    return {**document, "credentialSubject": subject}


def test_status_list_of_another_issuer(site: Site, rich, status_site, tmp_path: Path):
    # Signed correctly by Mallory, for Mallory: valid, but not the credential's issuer's list.
    from credpress.content.model import PublicKey
    from credpress.vc.did import did_document

    mallory_did, mallory = "did:web:mallory.example", keys.generate()
    write_json(
        tmp_path / "mallory" / ".well-known" / "did.json",
        did_document(mallory_did, (PublicKey("key-1", mallory.public_multibase, "active"),)),
    )
    listing = status_list_credential(mallory, BASE + "status/1.json", issuer=mallory_did, method=mallory_did + "#key-1")
    resolver = site.resolver(status_site(listing), ("https://mallory.example/", tmp_path / "mallory"))
    result = verify(with_status(rich, site.key, 3), resolver)
    assert f"is issued by {mallory_did}, not by {DID}" in result.check("status").message


def test_unsupported_status_purpose_fails_closed(site: Site, rich, status_site):
    resolver = site.resolver(status_site(status_list_credential(site.key, BASE + "status/1.json", purpose="refresh")))
    result = verify(with_status(rich, site.key, 7, purpose="refresh"), resolver)
    assert result.status == "failed" and "statusPurpose 'refresh' is not supported" in result.check("status").message


def test_unsupported_status_type_fails_closed(site: Site, rich):
    # A full IRI: an undefined bare term would be a relative @type, refused when signing (safe mode)
    status = {"id": BASE + "revocations#1", "type": "https://purl.imsglobal.org/spec/vcrl/v1p0/1EdTechRevocationList"}
    result = verify(resign({**rich, "credentialStatus": status}, site.key), site.resolver())
    assert failed_ids(result) == {"status"}


# --- validity and recipient ---------------------------------------------------------


def test_validity_window(site: Site, rich):
    resolver = site.resolver()
    until = datetime.fromisoformat(rich["validUntil"])
    expired = verify(rich, resolver, now=until)
    assert expired.status == "expired" and expired.check("validity").code == "expired"
    assert verify(rich, resolver, now=until - timedelta(seconds=1)).status == "verified"
    early = verify(rich, resolver, now=datetime.fromisoformat(rich["validFrom"]) - timedelta(seconds=1))
    assert early.status == "failed" and early.check("validity").code == "not-yet-valid"


def test_legacy_validity_fields_are_read(site: Site):
    legacy = {"issuanceDate": "2020-01-01T00:00:00Z", "expirationDate": "2021-01-01T00:00:00Z"}
    result = verify(legacy, site.resolver())
    assert result.check("validity").code == "expired"
    assert "expired on 2021-01-01T00:00:00Z" in result.check("validity").message


def test_expired_and_revoked_is_revoked_but_broken_wins(site: Site, rich, status_site):
    resolver = site.resolver(status_site(status_list_credential(site.key, BASE + "status/1.json")))
    late = datetime.fromisoformat(rich["validUntil"]) + timedelta(days=1)
    assert verify(with_status(rich, site.key, 7), resolver, now=late).status == "revoked"
    assert verify({**rich, "name": "Forged"}, resolver, now=late).status == "failed"


def test_recipient_hashed_email(site: Site):
    # Amara's address is in the example content; every award to her carries its salted hash.
    email = "amara.okafor@example.org"
    document = next(
        d
        for d in map(site.load, site.credentials())
        if d["credentialSubject"]["identifier"][-1]["identityHash"] == "Amara Okafor"
    )
    resolver = site.resolver()
    for given in (email, "  Amara.Okafor@Example.ORG "):
        result = verify(document, resolver, recipient=given)
        assert result.status == "verified" and result.check("recipient").result == "passed", given
    wrong = verify(document, resolver, recipient="someone@example.org")
    assert wrong.status == "not-recipient" and failed_ids(wrong) == {"recipient"}


def test_recipient_published_hash_and_plain_identifiers(site: Site, rich):
    # Tomasz's award publishes only the hash the content gave (sha256(email + salt)).
    tomasz = next(
        d
        for d in map(site.load, site.credentials())
        if d["credentialSubject"]["identifier"][-1]["identityHash"] == "Tomasz Wiśniewski"
    )
    assert verify(tomasz, site.resolver(), recipient="tomasz.wisniewski@example.com").status == "verified"
    plain = {
        "type": "IdentityObject",
        "identityType": "emailAddress",
        "hashed": False,
        "identityHash": "Ann@Example.org",
    }
    document = copy.deepcopy(rich)
    document["credentialSubject"]["identifier"] = [plain]
    check = verify(document, site.resolver(), recipient="ann@example.org").check("recipient")
    assert check.result == "passed"
    upper = copy.deepcopy(rich)
    ident = upper["credentialSubject"]["identifier"][0]
    ident["identityHash"] = ident["identityHash"].upper().replace("SHA256$", "sha256$")
    email_of_rich = _email_for_salt(rich)
    assert verify(upper, site.resolver(), recipient=email_of_rich).check("recipient").result == "passed"


def _email_for_salt(document: dict[str, Any]) -> str:
    import hashlib

    identity = document["credentialSubject"]["identifier"][0]
    text = "\n".join(p.read_text("utf-8") for p in (EXAMPLE / "awards").glob("*.yaml"))
    for email in set(re.findall(r"email: (\S+@\S+)", text)):
        if "sha256$" + hashlib.sha256((email + identity["salt"]).encode()).hexdigest() == identity["identityHash"]:
            return email
    raise AssertionError("the rich credential's email is not in the example content")


def test_recipient_without_email_identifier(site: Site):
    did_subject = next(d for d in map(site.load, site.credentials()) if "id" in d["credentialSubject"])
    result = verify(did_subject, site.resolver(), recipient="a@example.org")
    assert result.check("recipient").message == "the credential has no emailAddress identifier"


# --- the resolver's rules ----------------------------------------------------------


@pytest.mark.parametrize(
    "url, reason",
    [
        ("http://example.org/did.json", "only https"),
        ("https://127.0.0.1/did.json", "IP address"),
        ("https://[::1]/did.json", "IP address"),
        ("https://localhost/did.json", "localhost"),
        ("https://user:pw@example.org/did.json", "user name or password"),
        ("ftp://example.org/x", "only https"),
    ],
)
def test_network_policy(url: str, reason: str):
    assert reason in network_url_problem(url)
    resolver = Resolver(http_get=no_network)
    with pytest.raises(FetchError, match=reason):
        resolver.fetch_json(url)


def test_network_fetch_is_cached_and_parsed():
    calls = []

    def fake_get(url: str, timeout: float, max_bytes: int) -> bytes:
        calls.append((url, timeout, max_bytes))
        return b'{"id": "x"}'

    resolver = Resolver(http_get=fake_get)
    assert resolver.fetch_json("https://example.org/a#frag") == {"id": "x"}
    assert resolver.fetch_json("https://example.org/a") == {"id": "x"}
    assert calls == [("https://example.org/a", 10.0, 2_000_000)]


def test_failures_are_cached_too():
    calls = []

    def failing(url: str, timeout: float, max_bytes: int) -> bytes:
        calls.append(url)
        raise FetchError("down")

    resolver = Resolver(http_get=failing)
    for _ in range(3):
        with pytest.raises(FetchError):
            resolver.fetch_json("https://example.org/a")
    assert len(calls) == 1


def test_offline_refuses_unmapped_urls(tmp_path: Path):
    resolver = Resolver([("https://a.example/", tmp_path)], offline=True, http_get=no_network)
    with pytest.raises(FetchError, match=r"offline: refusing to fetch https://b.example/x \(not under any --map"):
        resolver.fetch_json("https://b.example/x")


def test_mapped_files_stay_inside_their_folder(tmp_path: Path):
    (tmp_path / "site").mkdir()
    write_json(tmp_path / "secret.json", {"secret": True})
    write_json(tmp_path / "site" / "a b.json", {"ok": True})
    resolver = Resolver([("https://a.example", tmp_path / "site")], offline=True, http_get=no_network)
    assert resolver.fetch_json("https://a.example/a%20b.json?v=1") == {"ok": True}
    for url in ("https://a.example/../secret.json", "https://a.example/%2e%2e/secret.json", "https://a.example/"):
        with pytest.raises(FetchError):
            resolver.fetch_json(url)
    # "https://a.example" means the folder, not every host that starts with a.example
    with pytest.raises(FetchError, match="offline"):
        resolver.fetch_json("https://a.examplex/a%20b.json")


def test_size_limit_and_bad_json(tmp_path: Path):
    write_json(tmp_path / "big.json", {"x": "y" * 500})
    (tmp_path / "bad.json").write_text("{not json", "utf-8")
    resolver = Resolver([("https://a.example/", tmp_path)], offline=True, max_bytes=100, http_get=no_network)
    with pytest.raises(FetchError, match="larger than 100 bytes"):
        resolver.fetch_json("https://a.example/big.json")
    with pytest.raises(FetchError, match="not a JSON document"):
        resolver.fetch_json("https://a.example/bad.json")


class FakeResponse:
    def __init__(self, chunks: list[bytes], length: str | None = None, delay: float = 0.0):
        self.chunks, self.headers, self.delay = list(chunks), {"Content-Length": length} if length else {}, delay

    def read(self, size: int) -> bytes:
        import time

        time.sleep(self.delay)
        return self.chunks.pop(0)[:size] if self.chunks else b""


def test_network_reads_are_bounded():
    url = "https://example.org/did.json"
    assert read_limited(FakeResponse([b'{"a":', b" 1}"]), url, 10, 100) == b'{"a": 1}'
    with pytest.raises(FetchError, match="larger than 100 bytes"):
        read_limited(FakeResponse([b"x" * 60, b"x" * 60]), url, 10, 100)  # no Content-Length: counted
    with pytest.raises(FetchError, match="larger than 100 bytes"):
        read_limited(FakeResponse([b"{}"], length="5000"), url, 10, 100)
    with pytest.raises(FetchError, match="took longer than 0.05 s"):
        read_limited(FakeResponse([b"x"] * 50, delay=0.01), url, 0.05, 100)  # a server that drips


def test_redirects_only_to_https_names():
    class Request:
        full_url = "https://example.org/did.json"

    handler = _HttpsOnlyRedirects()
    for target in ("http://example.org/did.json", "https://10.0.0.1/did.json"):
        with pytest.raises(FetchError, match="redirect from https://example.org/did.json refused"):
            handler.redirect_request(Request(), None, 302, "Found", {}, target)


# --- SSRF: addresses in every spelling, resolved names, redirects ------------------

NUMERIC_HOSTS = [
    "127.1",
    "2130706433",
    "0x7f000001",
    "0177.0.0.1",
    "0",
    "0x7f.1",
    "127.0.0.1.",
    "[::ffff:127.0.0.1]",
    "[::1]",
    "10.0.0.1",
    "169.254.169.254",
    "0251.0376.0251.0376",
    "1.2.3.4.5",
    "a.0x10",
]


@pytest.fixture
def no_sockets(monkeypatch):
    """Fails the test if anything resolves a name or opens a connection."""
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError(f"the test tried to open a socket or resolve a name: {args}")

    for name in ("create_connection", "getaddrinfo", "gethostbyname"):
        monkeypatch.setattr(socket, name, refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


def fake_dns(monkeypatch, table: dict[str, list[str]]) -> list[tuple[str, int]]:
    """getaddrinfo from *table*; the returned list records every connection attempt."""
    import socket

    from credpress.verify import fetch

    connections: list[tuple[str, int]] = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in table:
            raise socket.gaierror(f"no such host {host}")
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in table[host]
        ]

    def open_tls(address, port, host, timeout, context):
        connections.append((address, port))
        raise AssertionError(f"connected to {address} for {host}")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(fetch, "open_tls", open_tls)
    return connections


@pytest.mark.parametrize("host", NUMERIC_HOSTS)
def test_numeric_hosts_refused_before_any_socket(host: str, no_sockets):
    url = f"https://{host}/did.json"
    assert "IP address" in network_url_problem(url)
    with pytest.raises(FetchError, match="IP address"):
        Resolver().fetch_json(url)  # the real network fetcher


def _status_at(url: str) -> dict:
    """A credential of the test issuer whose revocation status list is at *url*."""
    return {
        "issuer": DID,
        "credentialStatus": {
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "3",
            "statusListCredential": url,
        },
    }


@pytest.mark.parametrize("host", ["127.1", "2130706433", "0x7f000001", "0177.0.0.1", "0"])
def test_numeric_did_web_and_status_list_hosts_refused(host: str, no_sockets):
    method = resolve_method(f"did:web:{host}#key-1", Resolver())
    assert method.public_key is None and "is not a valid did:web DID" in method.error
    url = f"https://{host}/status/1.json"
    status = verify(_status_at(url), Resolver()).check("status")
    assert status.failed and f"cannot check the status list {url}: URL with an IP address refused" in status.message


@pytest.mark.parametrize(
    "addresses",
    [
        ["127.0.0.1"],
        ["93.184.216.34", "10.1.2.3"],
        ["::1"],
        ["::ffff:7f00:1"],
        ["100.64.0.1"],
        ["169.254.169.254"],
        ["0.0.0.0"],
        ["224.0.0.1"],
        ["64:ff9b::a00:1"],
        ["2002:c0a8:101::1"],
        ["fe80::1"],
        ["240.0.0.1"],
    ],
)
def test_names_resolving_to_internal_addresses_are_refused(monkeypatch, addresses: list[str]):
    connections = fake_dns(monkeypatch, {"internal.example": addresses})
    with pytest.raises(FetchError, match="internal.example resolves to .*, refused: "):
        Resolver().fetch_json("https://internal.example/did.json")
    assert connections == []


def test_did_web_and_status_list_names_resolving_inside_are_refused(monkeypatch):
    connections = fake_dns(monkeypatch, {"evil.example": ["127.0.0.1"]})
    method = resolve_method("did:web:evil.example#key-1", Resolver())
    assert "evil.example resolves to 127.0.0.1, refused: 127.0.0.1 is a loopback address" in method.error
    url = "https://evil.example/status/1.json"
    status = verify(_status_at(url), Resolver()).check("status")
    assert status.failed and "evil.example resolves to 127.0.0.1, refused" in status.message
    assert connections == []


class FakeSocket:
    """Plays one canned HTTP response to whoever connects."""

    def __init__(self, response: bytes):
        self.response, self.sent = response, b""

    def sendall(self, data: bytes) -> None:
        self.sent += data

    def makefile(self, mode: str):
        import io

        return io.BytesIO(self.response)

    def close(self) -> None:
        pass


def test_connection_goes_to_the_checked_address_and_redirects_are_checked_again(monkeypatch):
    from credpress.verify import fetch

    fake_dns(monkeypatch, {"good.example": ["93.184.216.34"], "evil.example": ["10.0.0.7"]})
    opened: list[tuple[str, int, str]] = []
    sockets: list[FakeSocket] = []

    def open_tls(address, port, host, timeout, context):
        opened.append((address, port, host))
        sockets.append(
            FakeSocket(b"HTTP/1.1 302 Found\r\nLocation: https://evil.example/did.json\r\nContent-Length: 0\r\n\r\n")
        )
        return sockets[-1]

    monkeypatch.setattr(fetch, "open_tls", open_tls)
    with pytest.raises(FetchError, match="evil.example resolves to 10.0.0.7, refused: 10.0.0.7 is a private address"):
        Resolver().fetch_json("https://good.example/did.json")
    # one connection, to the address that was checked, with the name for TLS and Host
    assert opened == [("93.184.216.34", 443, "good.example")]
    assert b"\r\nHost: good.example\r\n" in sockets[0].sent


def test_tls_is_verified_against_the_host_name_not_the_address(monkeypatch):
    import socket

    from credpress.verify import fetch

    calls: list[Any] = []

    class Context:
        verify_mode, check_hostname, post_handshake_auth = 2, True, None  # ssl.CERT_REQUIRED

        def wrap_socket(self, sock, server_hostname):
            calls.append(("tls", server_hostname))
            return sock

    monkeypatch.setattr(socket, "create_connection", lambda address, timeout: calls.append(("tcp", address)) or "sock")
    connection = fetch._PinnedHTTPSConnection("good.example", addresses=["93.184.216.34"], context=Context())
    connection.connect()
    assert calls == [("tcp", ("93.184.216.34", 443)), ("tls", "good.example")]


# --- documents: depth, size and I-JSON ---------------------------------------------


def test_deep_json_in_a_folder_fails_alone(site: Site, tmp_path: Path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    good = [p for p in site.credentials() if p.stem not in REVOKED][:2]
    for path in good:
        shutil.copy(path, folder / path.name)
    (folder / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (folder / "deep-object.json").write_text('{"a":' * 65 + "1" + "}" * 65)
    results = {Path(r.source).name: r for r in verify_targets(find_targets([str(folder)]), site.resolver(), NOW)}
    assert {name: r.status for name, r in results.items()} == {
        "deep.json": "failed",
        "deep-object.json": "failed",
        **{p.name: "verified" for p in good},
    }
    assert results["deep.json"].checks[0].message == "cannot load the credential: nested deeper than 64 levels"
    # 64 levels is allowed (and then simply not a credential)
    write_json(folder / "ok-depth.json", json.loads('{"a":' * 63 + "[1]" + "}" * 63))
    assert "ok-depth.json" not in {
        Path(r.source).name for r in verify_targets(find_targets([str(folder)]), site.resolver(), NOW)
    }


def test_deep_fetched_documents_are_refused(tmp_path: Path):
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    resolver = Resolver([("https://a.example/", tmp_path)], offline=True, http_get=no_network)
    with pytest.raises(FetchError, match="nested deeper than 64 levels"):
        resolver.fetch_json("https://a.example/deep.json")
    deep = lambda url, timeout, max_bytes: b'{"a":' * 10_000 + b"1" + b"}" * 10_000  # noqa: E731
    with pytest.raises(FetchError, match="nested deeper than 64 levels"):
        Resolver(http_get=deep).fetch_json("https://b.example/did.json")


def test_depth_scan_ignores_brackets_in_strings():
    from credpress.verify.jsondoc import load_json, nesting_depth

    assert nesting_depth('{"a": "[[[[{{{{\\"[[[", "b": [1, {"c": "]]]"}]}') == 3
    assert load_json('{"name": "' + "[" * 1000 + '"}') == {"name": "[" * 1000}


def test_oversized_credential_file_fails_alone(tmp_path: Path):
    from credpress.verify import fetch

    (tmp_path / "big.json").write_bytes(b'{"a": "' + b"x" * fetch.MAX_BYTES + b'"}')
    results = list(verify_targets(find_targets([str(tmp_path)]), Resolver(offline=True), NOW))
    assert results[0].checks[0].message == f"cannot load the credential: larger than {fetch.MAX_BYTES} bytes"


@pytest.mark.parametrize(
    "text, reason",
    [
        ('{"id": "a", "id": "b"}', "duplicate member name 'id' (not I-JSON, RFC 7493 §2.3)"),
        ('{"a": {"b": 1, "c": 2, "b": 1}}', "duplicate member name 'b'"),
        ('{"a": NaN}', "NaN is not a JSON value"),
        ('{"a": -Infinity}', "-Infinity is not a JSON value"),
    ],
)
def test_documents_must_be_i_json(tmp_path: Path, text: str, reason: str):
    (tmp_path / "doc.json").write_text(text, "utf-8")
    (tmp_path / "latin1.json").write_bytes('{"a": "é"}'.encode("latin-1"))
    resolver = Resolver([("https://a.example/", tmp_path)], offline=True, http_get=no_network)
    with pytest.raises(FetchError, match=re.escape(reason)):
        resolver.fetch_json("https://a.example/doc.json")
    with pytest.raises(FetchError, match=re.escape("not UTF-8, RFC 7493 §2.1")):
        resolver.fetch_json("https://a.example/latin1.json")
    result = next(verify_targets(find_targets([str(tmp_path / "doc.json")]), resolver, NOW))
    assert result.status == "failed" and reason in result.checks[0].message


def test_credential_with_duplicate_members_fails(site: Site, tmp_path: Path):
    # Signed as it parses in Python (the last "name" wins); another parser keeps the first.
    path = good_credential(site)
    text = path.read_text("utf-8")
    forged = tmp_path / "forged.json"
    forged.write_text(text.replace('"name":', '"name":"Forged","name":', 1), "utf-8")
    assert json.loads(forged.read_text("utf-8")) == json.loads(text)  # Python alone would not see it
    result = run(str(forged), *site_args(site))
    assert result.exit_code == 1 and "duplicate member name 'name'" in result.stdout


def test_did_document_and_status_list_with_duplicate_members_fail(site: Site, rich, tmp_path: Path):
    did_text = (site.out / DID_PATH).read_text("utf-8")
    write_json(tmp_path / "did" / DID_PATH, {})
    (tmp_path / "did" / DID_PATH).write_text(did_text.replace('"id":', '"id":"did:web:x","id":', 1), "utf-8")
    resolver = site.resolver((BASE + "issuers/", tmp_path / "did" / "issuers"))
    result = verify(rich, resolver)
    assert "issuer-key" in failed_ids(result) and "duplicate member name 'id'" in result.check("issuer-key").message
    status = rich["credentialStatus"]["statusListCredential"]
    relative = status[len(BASE) :]
    list_text = (site.out / relative).read_text("utf-8")
    write_json(tmp_path / "list" / relative, {})
    (tmp_path / "list" / relative).write_text(list_text.replace('"id":', '"id":"x","id":', 1), "utf-8")
    resolver = site.resolver((BASE + relative.split("/")[0] + "/", tmp_path / "list" / relative.split("/")[0]))
    result = verify(rich, resolver)
    assert "duplicate member name 'id'" in result.check("status").message


# --- the command line --------------------------------------------------------------


def run(*args: str):
    return CliRunner().invoke(main, ["verify", *args])


def site_args(site: Site) -> list[str]:
    return ["--map", f"{BASE}={site.out}", "--offline", "--now", NOW.isoformat()]


def test_cli_verifies_the_site(site: Site):
    result = run(str(site.out), *site_args(site))
    assert result.exit_code == 3, result.output  # genuine, but some credentials of the example are revoked
    count = len(site.credentials()) + 1  # and the example's learner record, with its 4 credentials
    revoked = len(REVOKED)  # a hand revocation, and a component with its stack revoked by cascade
    top = "\n".join(line for line in result.stdout.splitlines() if not line.startswith(" ")) + "\n"
    assert top.count(": VERIFIED\n") == count - revoked and top.count(": REVOKED\n") == revoked == 3
    assert (
        result.stdout.count("verifiableCredential[") == 4
        and "  ✓ embedded: 4 embedded credentials: 4 verified\n" in result.stdout
    )
    assert f"  ✓ proof: eddsa-rdfc-2022 and eddsa-jcs-2022 signatures valid ({VM})\n" in result.stdout
    assert f"  ✓ issuer-key: {VM} is an assertionMethod key of the issuer {DID}\n" in result.stdout
    assert "  ✗ status: revoked: bit " in result.stdout
    assert result.stdout.endswith(
        f"{count} credentials: {count - revoked} genuine, {revoked} revoked, 0 expired, 0 failed\n"
    )
    verified = [str(p) for p in site.credentials() if p.stem not in REVOKED]
    assert run(*verified, *site_args(site)).exit_code == 0


def test_cli_credential_without_status(site: Site, tmp_path: Path, rich):
    path = write_json(
        tmp_path / "no-status.json", resign({k: v for k, v in rich.items() if k != "credentialStatus"}, site.key)
    )
    result = run(str(path), *site_args(site))
    assert result.exit_code == 0 and "  – status: no status: the credential has no credentialStatus\n" in result.stdout


def test_cli_json_shape(site: Site, tmp_path: Path, rich):
    forged = write_json(tmp_path / "forged.json", {**rich, "name": "Forged"})
    good = good_credential(site)
    result = run(str(good), str(forged), "--json", *site_args(site))
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["verified"] is False and report["now"] == NOW.isoformat()
    assert report["exit_status"] == 1
    assert report["summary"] == {"total": 2, "verified": 1, "failed": 1, "not-recipient": 0, "revoked": 0, "expired": 0}
    first, second = report["credentials"]
    assert first["source"] == str(good) and first["status"] == "verified" and first["id"].startswith(BASE)
    assert [c["id"] for c in first["checks"]] == list(CHECK_IDS[:5])
    assert set(first["checks"][0]) == {"id", "result", "message"}
    proof = next(c for c in second["checks"] if c["id"] == "proof")
    assert proof["result"] == "failed" and "signature does not match" in proof["message"]


def test_cli_exit_codes(site: Site, tmp_path: Path):
    assert run(str(good_credential(site)), *site_args(site)).exit_code == 0
    assert run(str(write_json(tmp_path / "x.json", {"not": "a credential"})), *site_args(site)).exit_code == 1
    for bad in (
        ["--no-such-option", "x"],
        [str(tmp_path / "missing.json")],
        [],
        [str(site.out), "--map", "nonsense"],
        [str(site.out), "--map", f"{BASE}={tmp_path / 'nope'}"],
        [str(site.out), "--now", "yesterday"],
    ):
        result = run(*bad)
        assert result.exit_code == 2, (bad, result.output)


def test_cli_folder_without_credentials(tmp_path: Path):
    write_json(tmp_path / "did.json", {"id": "did:web:x"})
    result = run(str(tmp_path), "--offline")
    assert result.exit_code == 1 and "error: no credentials found in" in result.stderr


def test_cli_broken_json_in_a_folder_is_reported(tmp_path: Path):
    (tmp_path / "truncated.json").write_text('{"@context": [', "utf-8")
    result = run(str(tmp_path), "--offline")
    assert result.exit_code == 1
    assert "✗ load: cannot load the credential: not valid JSON" in result.stdout


def test_cli_recipient(site: Site):
    amara = next(
        p
        for p in site.credentials()
        if site.load(p)["credentialSubject"]["identifier"][-1]["identityHash"] == "Amara Okafor"
    )
    ok = run(str(amara), "--recipient", "Amara.Okafor@example.org", *site_args(site))
    assert ok.exit_code == 0 and "✓ recipient: amara.okafor@example.org matches" in ok.stdout
    wrong = run(str(amara), "--recipient", "mallory@example.org", *site_args(site))
    assert wrong.exit_code == 1 and f"{amara}: NOT-RECIPIENT\n" in wrong.stdout
    assert "✗ recipient: mallory@example.org does not match the credential's emailAddress identifier" in wrong.stdout


def test_cli_offline_unmapped_url_fails_closed(site: Site):
    credential = good_credential(site)
    result = run(str(credential), "--offline")
    assert result.exit_code == 1
    expected = f"cannot resolve {DID}: offline: refusing to fetch {BASE}{DID_PATH} (not under any --map prefix)"
    assert f"✗ issuer-key: {expected}" in result.stdout
    url = f"{BASE}credentials/{credential.name}"
    unmapped = run(url, "--offline")
    assert (
        unmapped.exit_code == 1
        and f"✗ load: cannot load the credential: offline: refusing to fetch {url}" in unmapped.stdout
    )
    mapped = run(url, *site_args(site))
    assert mapped.exit_code == 0 and f"{url}: VERIFIED" in mapped.stdout


def test_cli_now_after_valid_until_is_expired(site: Site, rich):
    path = site.out / "credentials" / rich["id"].rsplit("/", 1)[1]
    args = ["--map", f"{BASE}={site.out}", "--offline"]
    result = run(str(path), *args, "--now", "2040-01-01T00:00:00Z")
    assert result.exit_code == 3
    assert f"{path}: EXPIRED" in result.stdout and f"✗ validity: expired on {rich['validUntil']}" in result.stdout
    assert json.loads(run(str(path), *args, "--now", "2040-01-01", "--json").stdout)["summary"]["expired"] == 1


def test_cli_help():
    result = CliRunner().invoke(main, ["verify", "--help"])
    assert result.exit_code == 0 and "--map URL_PREFIX=DIR" in result.output and "--recipient EMAIL" in result.output


# --- credentials signed by other software ------------------------------------------

interop = pytest.mark.skipif(
    not (INTEROP / "node_modules" / "@digitalbazaar" / "vc").is_dir() or shutil.which("node") is None,
    reason="Node interop harness not installed (cd tests/interop && npm ci)",
)


@interop
def test_credential_signed_by_digital_bazaar_verifies(site: Site, rich, tmp_path: Path):
    from credpress.vc import multibase

    seed = multibase.decode_secret_key(site.key.secret_multibase()).hex()
    unsigned = {k: v for k, v in rich.items() if k != "proof"}
    done = subprocess.run(
        ["node", "sign-db.mjs", "--seed", seed, "--vm", VM],
        cwd=INTEROP,
        input=json.dumps(unsigned),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    signed = json.loads(done.stdout)
    assert signed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"  # one proof object, as vc.issue() makes it
    path = write_json(tmp_path / "db.json", signed)
    result = run(str(path), *site_args(site), "--json")
    assert result.exit_code == 0, result.stdout
    assert json.loads(result.stdout)["credentials"][0]["status"] == "verified"
    tampered = write_json(tmp_path / "db-tampered.json", {**signed, "name": "Forged"})
    assert run(str(tampered), *site_args(site)).exit_code == 1


@interop
def test_digital_bazaar_fixture_site_with_status_list(tmp_path: Path):
    # make-fixture-site.mjs (the interop harness) signs credentials and a
    # revocation list with vc.issue; bit 7 (revoked.json) is set, bit 3 is clear.
    done = subprocess.run(
        ["node", "make-fixture-site.mjs", str(tmp_path)], cwd=INTEROP, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    result = run(str(tmp_path / "credentials"), "--map", f"https://example.test/={tmp_path}", "--offline", "--json")
    statuses = {Path(c["source"]).name: c["status"] for c in json.loads(result.stdout)["credentials"]}
    assert statuses == {"x.json": "verified", "active.json": "verified", "revoked.json": "revoked"}


# --- who signed: the verified domain beside the claimed name ------------------------------


@pytest.mark.parametrize(
    ("issuer", "expected"),
    [
        ("did:web:badges.northwind-academy.example:issuers:northwind-data-academy", "badges.northwind-academy.example"),
        ("did:web:Example.ORG%3A8443:badges", "example.org:8443"),
        ("did:web:example.org", "example.org"),
        ("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "unknown key (did:key)"),
        ("https://example.edu/issuers/565049", "example.edu"),
        ("urn:uuid:5f1c3d8e-0000-4000-8000-000000000000", None),
        (None, None),
    ],
)
def test_verified_issuer(issuer, expected):
    from credpress.verify.methods import verified_issuer

    assert verified_issuer(issuer) == expected


def test_cli_prints_the_verified_domain_beside_the_claimed_name(site: Site, tmp_path: Path, rich):
    good = good_credential(site)
    result = run(str(good), *site_args(site))
    assert result.exit_code == 0
    document = site.load(good)
    learner, achievement = recipient_name(document), document["credentialSubject"]["achievement"]["name"]
    assert (
        f"{good}: VERIFIED\n  Genuine: {learner} was awarded “{achievement}” by Northwind Data Academy "
        "(badges.northwind-academy.example).\n"
    ) in result.stdout
    forged = write_json(tmp_path / "forged.json", {**rich, "name": "Forged"})
    result = run(str(forged), *site_args(site))
    assert (
        "  Not verified (proof failed): it claims "
        f"{recipient_name(rich)} was awarded “{rich['credentialSubject']['achievement']['name']}” "
        "by “Northwind Data Academy”. Do not rely on it.\n"
    ) in result.stdout


def test_cli_json_issuer_domain(site: Site, tmp_path: Path, rich):
    # An impostor: a fresh did:key that copies the issuer's name. Its signature is
    # genuine, so it verifies; the domain says who it really is.
    stranger = keys.generate()
    did = "did:key:" + stranger.public_multibase
    unsigned = {k: v for k, v in rich.items() if k not in ("proof", "credentialStatus")}
    unsigned["issuer"] = {**rich["issuer"], "id": did}
    impostor = write_json(
        tmp_path / "impostor.json",
        sign.sign_document(
            unsigned, stranger, f"{did}#{stranger.public_multibase}", rich["validFrom"], sign.CREDENTIAL_SUITES
        ),
    )
    forged = write_json(tmp_path / "forged.json", {**rich, "name": "Forged"})
    result = run(str(good_credential(site)), str(impostor), str(forged), "--json", *site_args(site))
    reports = json.loads(result.stdout)["credentials"]
    assert [(r["status"], r["issuer_name"], r["issuer_domain"]) for r in reports] == [
        ("verified", "Northwind Data Academy", "badges.northwind-academy.example"),
        ("verified", "Northwind Data Academy", "unknown key (did:key)"),
        ("failed", "Northwind Data Academy", None),  # not signed as it claims: no domain is vouched for
    ]


def test_cli_deeply_nested_json_is_a_verdict_not_a_crash(tmp_path: Path):
    (tmp_path / "deep.json").write_text('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}", "utf-8")
    result = run(str(tmp_path / "deep.json"), "--offline")
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)  # sys.exit(1), not a traceback
    assert "✗ load: cannot load the credential: nested deeper than 64 levels" in result.stdout


def test_multibase_values_are_bounded_before_decoding():
    from credpress.vc import multibase

    with pytest.raises(ValueError, match="longer than 128"):
        multibase.decode_signature("z" + "2" * 1_000_000)
    with pytest.raises(ValueError, match="longer than 128"):
        multibase.decode_public_key("z" + "2" * 1_000_000)
    key = keys.generate()  # real values are far below the bound
    assert len(multibase.decode_public_key(key.public_multibase)) == 32
    assert len(multibase.decode_signature("z" + multibase.b58encode(key.sign(b"x")))) == 64
