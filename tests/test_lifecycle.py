"""Lifecycle by commit: revocation (status list), --frozen, reissue, expiry, key rotation."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SMALL, fixed_key, make_build, seeded_random
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credpress.cli import main
from credpress.content.edit import EditError, revoke
from credpress.content.lock import Lock, award_key
from credpress.pipeline import check_content
from credpress.vc import bitstring as status
from credpress.vc import keys

LIST = "issuers/acme/status/revocation-1.json"


def _ids(content: Path) -> dict[str, dict]:
    return Lock.read(content).entries


def _award_ids(content: Path) -> dict[str, str]:
    """Recipient name + achievement -> credential id."""
    model, _ = check_content(content)
    entries = _ids(content)
    return {f"{a.recipient.name}/{a.achievement}": entries[award_key(a)]["id"] for a in model.awards}


def _set_bits(site: Path) -> set[int]:
    document = json.loads((site / LIST).read_text())
    bits = status.decode_list(document["credentialSubject"]["encodedList"])
    return {i for i in range(len(bits) * 8) if status.bit_is_set(bits, i)}


def test_status_list_encoding():
    encoded = status.encode_list([0, 9, 131071])
    bits = status.decode_list(encoded)
    assert len(bits) * 8 == status.LIST_BITS == 131072
    assert bits[0] == 0x80 and bits[1] == 0x40 and bits[-1] == 0x01
    assert encoded.startswith("u") and "=" not in encoded
    assert status.encode_list([]) == status.encode_list([])  # gzip timestamp fixed
    # The W3C example list decodes to 16 KiB of zeros, and so does ours.
    assert status.decode_list("uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA") == bytes(16384)
    with pytest.raises(ValueError):
        status.encode_list([131072])


def test_every_credential_has_a_status_entry(small_content, key_file, tmp_path):
    make_build(small_content, tmp_path / "site", key_file)
    entries = _ids(small_content)
    indexes = []
    for path in (tmp_path / "site" / "credentials").glob("*.json"):
        entry = json.loads(path.read_text())["credentialStatus"]
        index = next(e["status_index"] for e in entries.values() if e["id"] == path.stem)
        assert entry == {
            "id": f"https://example.test/badges/{LIST}#{index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(index),
            "statusListCredential": f"https://example.test/badges/{LIST}",
        }
        indexes.append(index)
    assert len(set(indexes)) == 5 == len(indexes)
    document = json.loads((tmp_path / "site" / LIST).read_text())
    assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert document["issuer"] == "did:web:example.test:badges:issuers:acme"
    assert [p["cryptosuite"] for p in document["proof"]] == ["eddsa-rdfc-2022", "eddsa-jcs-2022"]
    assert _set_bits(tmp_path / "site") == set()


def test_revoke_command_edits_yaml_and_only_that_bit_changes(small_content, key_file, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    make_build(small_content, tmp_path / "before", key_file)
    target = _award_ids(small_content)["Ada Lovelace/beta"]
    result = CliRunner().invoke(main, ["revoke", target, "--reason", "Plagiarised project", "--date", "2026-06-01"])
    assert result.exit_code == 0, result.output
    assert result.output == "Revoked at content/awards/cohort.yaml:6. Now build, commit and publish.\n"
    text = (small_content / "awards" / "cohort.yaml").read_text()
    assert (
        '      description: A report.\n  revoked:\n    date: 2026-06-01\n    reason: "Plagiarised project"\n- achievement: cert'
        in text
    )
    make_build(small_content, tmp_path / "after", key_file)
    index = _ids(small_content)[next(k for k, e in _ids(small_content).items() if e["id"] == target)]["status_index"]
    assert _set_bits(tmp_path / "after") == {index}
    for path in (tmp_path / "before" / "credentials").glob("*.json"):
        assert (tmp_path / "after" / "credentials" / path.name).read_bytes() == path.read_bytes()
    page = (tmp_path / "after" / "credentials" / target / "index.html").read_text()
    assert "This credential was revoked" in page and "Plagiarised project" in page and "Add to LinkedIn" not in page
    again = CliRunner().invoke(main, ["revoke", target, "--reason", "again"])
    assert again.exit_code == 1 and "already revoked on 2026-06-01" in again.output


def test_revoke_unknown_credential(small_content, key_file, tmp_path):
    make_build(small_content, tmp_path / "site", key_file)
    with pytest.raises(EditError, match="no award has credential id 00000000-0000-4000-8000-000000000000"):
        revoke(
            small_content,
            "https://example.test/badges/credentials/00000000-0000-4000-8000-000000000000.json",
            "x",
            date(2026, 6, 1),
        )


def test_frozen_refuses_a_lock_change(small_content, key_file, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    make_build(small_content, tmp_path / "site", key_file)
    assert CliRunner().invoke(main, ["build", "--frozen", "--key", str(key_file)]).exit_code == 0
    with (small_content / "awards" / "cohort.yaml").open("a") as handle:
        handle.write(
            "- achievement: alpha\n  recipient:\n    name: New\n    email: new@example.org\n  awarded: 2026-07-01\n"
        )
    lock = (small_content / "credpress.lock").read_bytes()
    result = CliRunner().invoke(main, ["build", "--frozen", "--key", str(key_file)])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        "content/awards/cohort.yaml:33: award is not in credpress.lock (built with --frozen); "
        "run `credpress build` without --frozen and commit content/credpress.lock"
    )
    assert (small_content / "credpress.lock").read_bytes() == lock


def test_reissue_keeps_id_and_awarded_date(small_content, key_file, tmp_path):
    make_build(small_content, tmp_path / "one", key_file)
    ids = _award_ids(small_content)
    path = small_content / "awards" / "cohort.yaml"
    path.write_text(
        path.read_text().replace(
            "name: Ada Lovelace\n    email: ada@example.org\n  awarded: 2026-03-01",
            "name: Ada King\n    email: ada@example.org\n  awarded: 2026-03-01\n  reissued: 2026-09-01",
            1,
        )
    )
    make_build(small_content, tmp_path / "two", key_file)
    assert _award_ids(small_content)["Ada King/alpha"] == ids["Ada Lovelace/alpha"]
    old = json.loads((tmp_path / "one" / "credentials" / f"{ids['Ada Lovelace/alpha']}.json").read_text())
    new = json.loads((tmp_path / "two" / "credentials" / f"{ids['Ada Lovelace/alpha']}.json").read_text())
    assert (old["validFrom"], new["validFrom"]) == ("2026-03-01T00:00:00Z", "2026-09-01T00:00:00Z")
    assert old["awardedDate"] == new["awardedDate"] == "2026-03-01T00:00:00Z"
    assert old["id"] == new["id"] and new["credentialSubject"]["identifier"][-1]["identityHash"] == "Ada King"


def test_expiry_from_achievement_and_award(small_content, key_file, tmp_path):
    make_build(small_content, tmp_path / "site", key_file)
    ids = _award_ids(small_content)
    read = lambda key: json.loads((tmp_path / "site" / "credentials" / f"{ids[key]}.json").read_text())  # noqa: E731
    assert read("Ada Lovelace/beta")["validUntil"] == "2028-04-01T00:00:00Z"  # expires_after: P2Y
    assert read("Grace Hopper/beta")["validUntil"] == "2027-01-01T00:00:00Z"  # expires: overrides
    assert "validUntil" not in read("Ada Lovelace/alpha")


def _rotate(content: Path, out: Path, current: Path) -> Path:
    result = CliRunner().invoke(
        main, ["keygen", "--rotate", "--out", str(out), "--content", str(content), "--key", str(current)]
    )
    assert result.exit_code == 0, result.output
    return out


def test_key_rotation_keeps_old_copies_valid(small_content, key_file, tmp_path):
    make_build(small_content, tmp_path / "one", key_file)
    new_key_file = _rotate(small_content, tmp_path / "keys" / "new.pem", key_file)
    new_key = keys.read_key_file(new_key_file)
    issuer_yaml = (small_content / "issuers" / "acme.yaml").read_text()
    assert issuer_yaml.endswith(
        f"keys:\n  - id: key-1\n    public_key: {fixed_key().public_multibase}\n    status: retired\n"
        f"  - id: key-2\n    public_key: {new_key.public_multibase}\n    status: active\n"
    )
    with pytest.raises(Exception, match="is not the active key"):
        make_build(small_content, tmp_path / "two", key_file)  # the old key is refused now
    make_build(small_content, tmp_path / "two", new_key_file)
    did = "did:web:example.test:badges:issuers:acme"
    document = json.loads((tmp_path / "two" / "issuers/acme/did.json").read_text())
    assert document["assertionMethod"] == [f"{did}#key-1", f"{did}#key-2"]
    credential = json.loads(next((tmp_path / "two" / "credentials").glob("*.json")).read_text())
    assert {p["verificationMethod"] for p in credential["proof"]} == {f"{did}#key-2"}
    # A second rotation retires key-2 and adds key-3.
    third = _rotate(small_content, tmp_path / "keys" / "third.pem", new_key_file)
    text = (small_content / "issuers" / "acme.yaml").read_text()
    assert (
        text.count("status: retired") == 2
        and f"- id: key-3\n    public_key: {keys.read_key_file(third).public_multibase}" in text
    )


def test_revoked_key_leaves_assertion_method(small_content, key_file, tmp_path):
    new_key_file = _rotate(small_content, tmp_path / "keys" / "new.pem", key_file)
    path = small_content / "issuers" / "acme.yaml"
    path.write_text(path.read_text().replace("    status: retired\n", "    status: revoked\n    revoked: 2026-11-30\n"))
    make_build(small_content, tmp_path / "site", new_key_file)
    did = "did:web:example.test:badges:issuers:acme"
    document = json.loads((tmp_path / "site" / "issuers/acme/did.json").read_text())
    assert document["assertionMethod"] == [f"{did}#key-2"]
    assert document["verificationMethod"][0] == {
        "id": f"{did}#key-1",
        "type": "Multikey",
        "controller": did,
        "publicKeyMultibase": fixed_key().public_multibase,
        "revoked": "2026-11-30T00:00:00Z",
    }


def test_revoked_key_needs_a_date(small_content, key_file, tmp_path):
    path = small_content / "issuers" / "acme.yaml"
    path.write_text(
        path.read_text()
        + f"keys:\n  - id: old\n    public_key: {keys.generate().public_multibase}\n    status: revoked\n"
        f"  - id: new\n    public_key: {fixed_key().public_multibase}\n    status: active\n"
    )
    from credpress.errors import ContentError

    with pytest.raises(ContentError) as caught:
        check_content(small_content)
    assert [str(p) for p in caught.value.problems] == [
        "content/issuers/acme.yaml:7: keys[0].revoked: a revoked key needs the date it was revoked "
        "(revoked: YYYY-MM-DD), and only a revoked key has one"
    ]


# --- Property test: ids and indexes survive anything git can do ------------------------

OPERATIONS = st.lists(
    st.sampled_from(["add", "revoke", "rename", "reorder", "split", "fresh-checkout"]), min_size=1, max_size=6
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(OPERATIONS, st.integers(0, 10_000))
def test_ids_and_indexes_never_change_or_collide(tmp_path_factory, operations, seed):
    import random

    rng = random.Random(seed)
    root = tmp_path_factory.mktemp("prop")
    content = root / "content"
    shutil.copytree(SMALL, content)
    key_path = root / "key.pem"
    keys.write_key_file(key_path, fixed_key())
    make_build(content, root / "site", key_path, random_bytes=seeded_random(seed))
    seen: dict[str, dict] = dict(_ids(content))
    revoked: set[str] = set()
    added = 0
    for op in operations:
        files = sorted((content / "awards").rglob("*.yaml"))
        if op == "add":
            added += 1
            target = rng.choice(files)
            target.write_text(
                target.read_text() + f"- achievement: alpha\n  recipient:\n    name: P{added}\n"
                f"    email: p{added}-{seed}@example.org\n  awarded: 2026-06-{added:02d}\n"
            )
        elif op == "revoke":
            # a stacked credential is revoked by cascade, never by hand (credpress revoke refuses)
            candidates = sorted({e["id"] for e in _ids(content).values() if "stack" not in e} - revoked)
            choice = rng.choice(candidates)
            revoke(content, choice, "property test", date(2026, 11, 1))
            revoked.add(choice)
        elif op == "rename":
            target = rng.choice(files)
            target.rename(target.with_name(f"renamed-{rng.randrange(10**6)}.yaml"))
        elif op in ("reorder", "split"):
            target = rng.choice(files)
            text = target.read_text()
            assert text.startswith("- ")
            items = [chunk if i == 0 else "- " + chunk for i, chunk in enumerate(text.split("\n- "))]
            rng.shuffle(items)
            if op == "split" and len(items) > 1:
                cut = rng.randrange(1, len(items))
                target.write_text("\n".join(items[:cut]).rstrip() + "\n")
                (target.parent / f"part-{rng.randrange(10**6)}.yaml").write_text("\n".join(items[cut:]).rstrip() + "\n")
            else:
                target.write_text("\n".join(items).rstrip() + "\n")
        else:  # a fresh checkout elsewhere: same files, new folder
            fresh = root / f"checkout-{rng.randrange(10**6)}" / "content"
            shutil.copytree(content, fresh)
            content = fresh
        make_build(content, root / "site", key_path, random_bytes=seeded_random(seed + added))
        entries = _ids(content)
        assigned = ("id", "salt", "status_index")
        for key, entry in seen.items():  # nothing already assigned ever changes (a cascade only adds "revoked")
            assert {k: entries[key][k] for k in assigned} == {k: entry[k] for k in assigned}
        assert len({e["id"] for e in entries.values()}) == len(entries)
        assert len({e["status_index"] for e in entries.values()}) == len(entries)
        seen = dict(entries)
        # the bits set: exactly the credentials revoked by hand and the stacks revoked by their cascade
        revoked_indexes = {e["status_index"] for e in entries.values() if e["id"] in revoked or e.get("revoked")}
        assert _set_bits(root / "site") == revoked_indexes


def test_credential_signed_with_a_revoked_key_fails_with_the_reason(small_content, key_file, tmp_path):
    from datetime import datetime, timezone

    from credpress.verify import verify_credential
    from credpress.verify.fetch import Resolver

    make_build(small_content, tmp_path / "old", key_file)
    old_copy = json.loads(next((tmp_path / "old" / "credentials").glob("*.json")).read_text())
    new_key_file = _rotate(small_content, tmp_path / "keys" / "new.pem", key_file)
    site = tmp_path / "site"
    make_build(small_content, site, new_key_file)
    resolver = Resolver([("https://example.test/badges/", site)], offline=True)
    now = datetime(2026, 12, 1, tzinfo=timezone.utc)
    assert verify_credential(old_copy, resolver, now).status == "verified"  # retired: still fine
    path = small_content / "issuers" / "acme.yaml"
    path.write_text(path.read_text().replace("    status: retired\n", "    status: revoked\n    revoked: 2026-11-30\n"))
    make_build(small_content, site, new_key_file)
    result = verify_credential(old_copy, Resolver([("https://example.test/badges/", site)], offline=True), now)
    assert result.status == "failed"
    message = result.check("issuer-key").message
    assert (
        "did:web:example.test:badges:issuers:acme#key-1 was revoked by its controller on 2026-11-30T00:00:00Z"
        in message
    )
