"""Several status lists per issuer: lock indexes past list 1, the spill, publishing, verifying, lock tools.

A site spills into list 2 once 65,536 of its lock's indexes are in list 1. The
unit tests use that real threshold on a lock built in memory; the site tests
build the small fixture first (every credential in list 1), then lower the
threshold to 2 (monkeypatched) so the awards added next go to lists 2 and 3,
as they would after 65,536 awards.
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import make_build, seeded_random
from test_lock_rules import refused, tree

from credpress.cli import main
from credpress.content import status_index
from credpress.content.lock import Lock, award_key
from credpress.content.lock_merge import merge
from credpress.content.status_index import (
    MAX_LISTS,
    PER_LIST,
    IndexPool,
    describe,
    list_bit,
    list_number,
)
from credpress.errors import ContentError, LockError
from credpress.pipeline import check_content
from credpress.site.layout import Layout
from credpress.vc import bitstring
from credpress.vc.bitstring import LIST_BITS

BASE = "https://example.test/badges/"
LISTS = "issuers/acme/status/"
NOW = "2026-12-01T00:00:00+00:00"  # after every award, before Grace Hopper's expiry
NEW = "- achievement: alpha\n  recipient:\n    name: {name}\n    email: {email}\n  awarded: 2026-07-0{day}\n"


def _lock(content: Path) -> dict[str, dict]:
    return json.loads((content / "credpress.lock").read_text())["awards"]


def _entry(i: int, index: int) -> dict[str, Any]:
    return {"id": str(uuid.UUID(int=i, version=4)), "salt": f"{i:016x}", "status_index": index}


# --- Indexes: one number in the lock, a list and a bit on the site ------------------------------


def test_an_index_is_a_list_and_a_bit():
    assert (list_number(0), list_bit(0)) == (1, 0)
    assert (list_number(131_071), list_bit(131_071)) == (1, 131_071)
    assert (list_number(131_075), list_bit(131_075)) == (2, 3)
    assert status_index.status_index(2, 3) == 131_075
    assert status_index.status_index(MAX_LISTS, LIST_BITS - 1) == status_index.INDEX_LIMIT - 1 == 8_388_607
    for number, bit in ((0, 0), (MAX_LISTS + 1, 0), (1, LIST_BITS), (1, -1)):
        with pytest.raises(ValueError):
            status_index.status_index(number, bit)
    assert describe(14_387) == "14387" and describe(131_075) == "131075 (list 2, bit 3)"


def test_list_one_keeps_its_url_and_later_lists_follow_its_pattern(small_content):
    layout = Layout(check_content(small_content)[0].site)
    assert layout.status_list("acme") == layout.status_list("acme", 1) == "issuers/acme/status/revocation-1.json"
    assert layout.status_list("acme", 2) == "issuers/acme/status/revocation-2.json"
    assert Layout.status_list_number(layout.url(layout.status_list("acme", 17))) == 17
    for url in (f"{BASE}issuers/acme/status/revocation-0.json", f"{BASE}issuers/acme/status/revocation-2.json#2"):
        assert Layout.status_list_number(url) is None


def test_list_one_draws_what_credpress_always_drew():
    """The same random bytes give the same index as before there were several lists."""
    old_rng, new_rng = seeded_random(3), seeded_random(3)
    used: set[int] = set()
    pool = IndexPool()
    for _ in range(1000):
        while (old := int.from_bytes(old_rng(3), "big") % LIST_BITS) in used:
            pass
        used.add(old)
        assert pool.draw(new_rng) == old


def test_a_half_full_list_spills_into_the_next_one():
    pool = IndexPool(range(0, LIST_BITS, 2))  # list 1 half full: 65,536 indexes
    assert len(pool) == PER_LIST and pool.room() == (MAX_LISTS - 1) * PER_LIST
    drawn = [pool.draw(seeded_random(5)) for _ in range(3)]
    assert all(list_number(i) == 2 for i in drawn) and len(set(drawn)) == 3
    assert drawn[0] == IndexPool(range(0, LIST_BITS, 2)).draw(seeded_random(5))  # deterministic


def test_the_last_list_full_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(status_index, "PER_LIST", 1)
    pool = IndexPool(n * LIST_BITS + 7 for n in range(MAX_LISTS - 1))
    assert pool.room() == 1 and list_number(pool.draw(seeded_random())) == MAX_LISTS
    with pytest.raises(LockError, match="fills each of an issuer's 64 status lists .* only half"):
        pool.draw(seeded_random())


# --- The lock: drawing past list 1, and its rules -----------------------------------------------


def _seeded_lock(content: Path, indexes) -> Lock:
    entries = {f"{i:032x}": _entry(i, index) for i, index in enumerate(indexes)}
    return Lock(content / "credpress.lock", entries, existed=True)


def test_a_lock_with_65536_entries_draws_new_awards_in_list_2(small_content):
    model, _ = check_content(small_content)
    lock = _seeded_lock(small_content, range(1, LIST_BITS, 2))
    before = {k: dict(v) for k, v in lock.entries.items()}
    assignments = lock.assign(model.awards, seeded_random())
    assert {k: lock.entries[k] for k in before} == before  # old entries unchanged
    new = [assignments[a.fingerprint] for a in model.awards]
    assert [a.status_list for a in new] == [2] * 5
    assert all(a.status_index == LIST_BITS + a.list_index for a in new)
    again = _seeded_lock(small_content, range(1, LIST_BITS, 2)).assign(model.awards, seeded_random())
    assert again == assignments  # the same random source gives the same draws


def test_assign_refuses_awards_beyond_the_last_list(small_content, monkeypatch):
    monkeypatch.setattr(status_index, "PER_LIST", 1)
    model, _ = check_content(small_content)
    lock = _seeded_lock(small_content, [n * LIST_BITS for n in range(MAX_LISTS - 3)])
    with pytest.raises(ContentError) as caught:
        lock.assign(model.awards, seeded_random())
    (problem,) = caught.value.problems
    assert (problem.path, problem.line) == (model.awards[3].source, model.awards[3].line)  # the first that does not fit
    assert problem.message.startswith("no room for 2 more status indexes: credpress fills each of an issuer's 64")
    assert not lock.changed


@pytest.fixture
def built(small_content, key_file, tmp_path):
    make_build(small_content, tmp_path / "site", key_file, random_bytes=seeded_random())
    return small_content, tmp_path / "site", key_file


def _set_indexes(content: Path, *indexes: int) -> list[dict]:
    data = json.loads((content / "credpress.lock").read_text())
    entries = list(data["awards"].values())
    for entry, index in zip(entries, indexes):
        entry["status_index"] = index
    (content / "credpress.lock").write_text(json.dumps(data, indent=2) + "\n")
    return entries


def test_a_duplicate_index_in_list_2_is_refused(built):
    content, out, key = built
    a, b, *_ = _set_indexes(content, 131_075, 131_075)
    hint = "after a git merge, run `credpress lock repair --site DIR` (README: Working with branches)"
    assert refused(["build", "--content", str(content), "--out", str(out), "--key", str(key)], content, out) == [
        f"content/credpress.lock:9: status index 131075 (list 2, bit 3) is used by the entries at line 4 and line 9 "
        f"(credentials {a['id']} and {b['id']}): revoking one would revoke the other; {hint}",
        "Aborted with 1 content error",
    ]


def test_the_same_bit_in_two_lists_is_two_credentials(built):
    content, _, _ = built
    _set_indexes(content, 3, 131_075, 2 * LIST_BITS + 3)
    assert [e["status_index"] for e in Lock.read(content).entries.values()][:3] == [3, 131_075, 262_147]


# --- A site whose later awards spilled into lists 2 and 3 ---------------------------------------


def _add_awards(content: Path, *names: str) -> None:
    text = "".join(NEW.format(name=n, email=f"{n.lower()}@example.org", day=i) for i, n in enumerate(names, 1))
    (content / "awards" / "later.yaml").write_text(text)


@pytest.fixture
def spilled(built, tmp_path, monkeypatch):
    """The small site built (all in list 1), then three awards added once list 1 is "half full"
    (the threshold lowered to 2): two go to list 2, one to list 3. (content, site, key, files before)."""
    content, site, key = built
    before = tree(site)
    monkeypatch.setattr(status_index, "PER_LIST", 2)
    _add_awards(content, "Barbara", "Edsger", "Frances")
    make_build(content, site, key, random_bytes=seeded_random(11))
    return content, site, key, before


def test_a_site_with_65536_lock_entries_publishes_its_next_award_in_list_2(built):
    """The real threshold, end to end: the lock pre-seeded with erased entries (they need no awards)
    up to 65,536 indexes in list 1; the next award goes to list 2 and verifies there."""
    content, site, key = built
    before = tree(site)
    data = json.loads((content / "credpress.lock").read_text())
    used = {e["status_index"] for e in data["awards"].values()}
    free = (i for i in range(LIST_BITS) if i not in used)
    for n in range(PER_LIST - len(used)):
        erased = {"date": "2026-01-01", "reason": "seeded", "issuer": "acme"}
        entry = {"id": _entry(n + 1, 0)["id"], "status_index": next(free), "erased": erased}
        data["awards"]["erased-" + entry["id"]] = entry
    (content / "credpress.lock").write_text(json.dumps(data, indent=2) + "\n")
    _add_awards(content, "Barbara")
    make_build(content, site, key, random_bytes=seeded_random(3))
    barbara = _new_entries(content)["Barbara"]
    assert list_number(barbara["status_index"]) == 2 and len(_lock(content)) == PER_LIST + 1
    after = tree(site)
    for path in (p for p in before if p.startswith("credentials/") and p.endswith(".json")):
        assert after[path] == before[path]
    assert sorted(p for p in after if p.startswith(LISTS)) == [LISTS + "revocation-1.json", LISTS + "revocation-2.json"]
    assert _verify(site)[barbara["id"]]["status"] == "verified"


def _new_entries(content: Path) -> dict[str, dict]:
    model, _ = check_content(content)
    lock = _lock(content)
    return {a.recipient.name: lock[award_key(a)] for a in model.awards if a.source.endswith("later.yaml")}


def _verify(site: Path, *targets: Path) -> dict[str, dict]:
    args = ["verify", *(map(str, targets or (site,))), "--map", f"{BASE}={site}", "--offline", "--now", NOW]
    result = CliRunner().invoke(main, [*args, "--json", "--workers", "1"])
    return {Path(c["source"]).stem: c for c in json.loads(result.stdout)["credentials"]}


def test_new_awards_spill_into_later_lists_and_nothing_published_changes(spilled):
    content, site, _, before = spilled
    new = _new_entries(content)
    assert sorted(list_number(e["status_index"]) for e in new.values()) == [2, 2, 3]
    after = tree(site)
    for path, data in before.items():  # old credentials and list 1: the very same bytes
        if path.startswith("credentials/") and path.endswith(".json") or path == LISTS + "revocation-1.json":
            assert after[path] == data, path
    assert sorted(p for p in after if p.startswith(LISTS)) == [LISTS + f"revocation-{n}.json" for n in (1, 2, 3)]
    for entry in new.values():
        number, bit = list_number(entry["status_index"]), list_bit(entry["status_index"])
        url = f"{BASE}{LISTS}revocation-{number}.json"
        credential = json.loads(after[f"credentials/{entry['id']}.json"])
        assert credential["credentialStatus"] == {
            "id": f"{url}#{bit}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(bit),
            "statusListCredential": url,
        }
        status_list = json.loads(after[f"{LISTS}revocation-{number}.json"])
        assert status_list["id"] == url and status_list["issuer"] == "did:web:example.test:badges:issuers:acme"
        assert status_list["credentialSubject"]["id"] == f"{url}#list"
        assert [p["cryptosuite"] for p in status_list["proof"]] == ["eddsa-rdfc-2022", "eddsa-jcs-2022"]
        assert bitstring.decode_list(status_list["credentialSubject"]["encodedList"]) == bytes(LIST_BITS // 8)
    # every credential verifies, its list's signature checked on the way
    results = _verify(site)
    assert len(results) == 8 and {r["status"] for r in results.values()} == {"verified"}
    barbara = next(c for c in results[new["Barbara"]["id"]]["checks"] if c["id"] == "status")
    assert barbara["message"] == (
        f"not revocation-flagged (bit {list_bit(new['Barbara']['status_index'])} of "
        f"{BASE}{LISTS}revocation-{list_number(new['Barbara']['status_index'])}.json is clear)"
    )


def test_revoking_a_credential_of_list_2_sets_its_bit_there_only(spilled):
    content, site, key, _ = spilled
    edsger = _new_entries(content)["Edsger"]
    number, bit = list_number(edsger["status_index"]), list_bit(edsger["status_index"])
    assert number == 2
    before = tree(site)
    result = CliRunner().invoke(
        main,
        ["revoke", edsger["id"], "--reason", "Awarded in error", "--date", "2026-08-01", "--content", str(content)],
    )
    assert result.exit_code == 0, result.output
    make_build(content, site, key)
    after = tree(site)
    changed = {p for p in after if p.startswith(LISTS) and after[p] != before.get(p)}
    assert changed == {f"{LISTS}revocation-2.json"}  # lists 1 and 3 keep their bytes
    assert after[f"credentials/{edsger['id']}.json"] == before[f"credentials/{edsger['id']}.json"]
    bits = bitstring.decode_list(json.loads(after[f"{LISTS}revocation-2.json"])["credentialSubject"]["encodedList"])
    assert {i for i in range(LIST_BITS) if bitstring.bit_is_set(bits, i)} == {bit}
    results = _verify(site)
    assert {k for k, r in results.items() if r["status"] != "verified"} == {edsger["id"]}
    status = next(c for c in results[edsger["id"]]["checks"] if c["id"] == "status")
    assert status == {
        "id": "status",
        "result": "failed",
        "message": f"revoked: bit {bit} is set in the revocation list {BASE}{LISTS}revocation-2.json",
        "code": "revoked",
    }
    assert results[edsger["id"]]["status"] == "revoked"


def _erase(content: Path, credential_id: str) -> None:
    args = ["erase", credential_id, "--reason", "Asked", "--date", "2026-09-01", "--content", str(content)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output


def test_an_erased_credential_of_list_3_reads_as_revoked(spilled, tmp_path):
    content, site, key, _ = spilled
    frances = _new_entries(content)["Frances"]
    assert list_number(frances["status_index"]) == 3
    copy = tmp_path / "wallet" / f"{frances['id']}.json"  # the learner's copy
    copy.parent.mkdir()
    copy.write_bytes((site / "credentials" / f"{frances['id']}.json").read_bytes())
    _erase(content, frances["id"])
    make_build(content, site, key)
    assert not (site / "credentials" / f"{frances['id']}.json").exists()
    assert _verify(site, copy)[frances["id"]]["status"] == "revoked"
    assert Lock.read(content).erased_indexes() == {"acme": [(frances["status_index"], date(2026, 9, 1))]}


# --- Lock tools on a site with several lists ----------------------------------------------------


def test_recover_a_lost_lock_from_a_site_with_several_lists(spilled):
    content, site, key, _ = spilled
    _erase(content, _new_entries(content)["Frances"]["id"])  # list 3 then holds only a retired bit
    make_build(content, site, key)
    before, published = _lock(content), tree(site)
    assert f"{LISTS}revocation-3.json" in published
    (content / "credpress.lock").unlink()
    result = CliRunner().invoke(main, ["lock", "recover", "--site", str(site), "--content", str(content)])
    assert result.output.splitlines() == [
        "Recovered 7 of 7 published credentials into content/credpress.lock.",
        "Kept 1 status bits retired (erased credentials).",
    ]
    after = _lock(content)
    for award, entry in before.items():
        if "erased" not in entry:
            assert (after[award]["id"], after[award]["status_index"]) == (entry["id"], entry["status_index"])
    retired = [e["status_index"] for e in after.values() if "erased" in e]
    assert retired == [e["status_index"] for e in before.values() if "erased" in e] and list_number(retired[0]) == 3
    make_build(content, site, key, frozen=True)
    assert tree(site) == published


def test_repair_redraws_an_unpublished_entry_colliding_in_list_2(spilled):
    content, site, _, _ = spilled
    barbara = _new_entries(content)["Barbara"]
    (content / "awards" / "new.yaml").write_text(NEW.format(name="New", email="new@example.org", day=9))
    model, _ = check_content(content)
    new_key = next(award_key(a) for a in model.awards if a.recipient.name == "New")
    data = json.loads((content / "credpress.lock").read_text())
    data["awards"][new_key] = _entry(99, barbara["status_index"])
    (content / "credpress.lock").write_text(json.dumps(data, indent=2) + "\n")
    result = CliRunner().invoke(main, ["lock", "repair", "--site", str(site), "--content", str(content)])
    assert result.exit_code == 0, result.output
    redrawn = _lock(content)[new_key]["status_index"]
    assert redrawn != barbara["status_index"]
    assert f"status index {describe(barbara['status_index'])} of credential {_entry(99, 0)['id']} re-drawn as" in (
        result.output
    )
    assert list_number(redrawn) == 3  # the lowest list with room (the threshold is 2 here)


def test_merge_redraws_a_collision_in_list_2():
    base = {f"{i:032x}": _entry(i, i) for i in range(3)}
    ours = {**base, "a" * 32: _entry(10, 131_075)}
    theirs = {**base, "b" * 32: _entry(11, 131_075)}
    text = [json.dumps({"version": 1, "awards": side}) for side in (base, ours, theirs)]
    result = merge(*text, random_bytes=seeded_random())
    merged = json.loads(result.text)["awards"]
    assert merged["a" * 32]["status_index"] == 131_075 and merged["b" * 32]["status_index"] != 131_075
    assert result.redrawn == [
        f"award {'b' * 32}: status index 131075 (list 2, bit 3) was taken, "
        f"re-drawn as {describe(merged['b' * 32]['status_index'])}"
    ]
    assert not result.problems


# --- The example, its lock spread over three lists ----------------------------------------------


def test_the_example_spread_over_three_lists_verifies_and_exactly_the_revoked_fail(example_site_in_lists):
    from test_verify import REVOKED

    site = example_site_in_lists
    base, lists = "https://badges.northwind-academy.example/", "issuers/northwind-data-academy/status/"
    assert sorted(p.name for p in (site / lists).iterdir()) == [f"revocation-{n}.json" for n in (1, 2, 3)]
    in_list: dict[str, int] = {}
    for path in [*(site / "credentials").glob("*.json"), *(site / "records").glob("*.json")]:
        number = Layout.status_list_number(json.loads(path.read_text())["credentialStatus"]["statusListCredential"])
        assert number is not None
        in_list[path.stem] = number
    assert set(in_list.values()) == {1, 2, 3}
    # revoked by hand, revoked by cascade (a stack), and the learner record: all in later lists
    records = {p.stem for p in (site / "records").glob("*.json")}
    assert records and 1 not in {in_list[i] for i in REVOKED | records}
    result = CliRunner().invoke(
        main, ["verify", str(site), "--map", f"{base}={site}", "--offline", "--now", "2027-01-15", "--json"]
    )
    report = json.loads(result.stdout)
    statuses = {Path(c["source"]).stem: c["status"] for c in report["credentials"]}
    assert set(statuses) == set(in_list)  # every credential and learner record
    assert {k for k, s in statuses.items() if s != "verified"} == REVOKED
    assert {s for k, s in statuses.items() if k in REVOKED} == {"revoked"}


def test_learner_records_beyond_the_last_list_are_refused(monkeypatch):
    from conftest import EXAMPLE

    from credpress.content.learners import assign_records

    model, _ = check_content(EXAMPLE)
    lock = Lock.read(EXAMPLE)
    record = next(k for k in lock.entries if k.startswith("record-"))
    del lock.entries[record]  # its learner opted in: a record to draw
    monkeypatch.setattr(status_index, "PER_LIST", 1)
    for n in range(1, MAX_LISTS):  # list 1 holds the example's entries; one more in every other list
        lock.entries[f"{n:032x}"] = _entry(n, n * LIST_BITS)
    with pytest.raises(ContentError) as caught:
        assign_records(lock, model, seeded_random(), False, date(2026, 12, 1))
    (problem,) = caught.value.problems
    assert problem.message.startswith("learner record: no room for 1 more status index: credpress fills")
    assert not lock.changed
