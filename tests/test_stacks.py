"""Stack rules: evaluation per learner (all, any N, nested, within, expiry, revocation),
auto-award and cascade across rebuilds, and the lock keeping them."""

from __future__ import annotations

import random
from datetime import date, datetime, timezone
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from credpress.content.lock import Lock, award_key
from credpress.content.model import (
    Achievement,
    Award,
    Issuer,
    Model,
    Recipient,
    Requirement,
    Revocation,
    Site,
)
from credpress.documents.stacks import evaluate, record_cascades

SITE = Site("https://badges.example/", "T", "en")
ISSUER = Issuer("acme", "Acme", "https://acme.example/", "a@acme.example", "", None, None, None, "i.yaml")


def _achievement(slug: str, requires: Requirement | None = None, **extra) -> Achievement:
    return Achievement(
        slug, "acme", slug.upper(), "d", "c", None, "Badge", (), (), None, extra.pop("expires_after", None),
        f"{slug}.yaml", requires=requires, **extra,
    )  # fmt: skip


def _day(n: int) -> datetime:
    return (
        datetime(2026, 1, 1, tzinfo=timezone.utc).replace(day=1)
        + (datetime(2026, 1, 2, tzinfo=timezone.utc) - datetime(2026, 1, 1, tzinfo=timezone.utc)) * n
    )


def _award(slug: str, who: str, day: int, revoked: int | None = None, expires: date | None = None) -> Award:
    return Award(
        slug, Recipient(who.title(), email=f"{who}@example.org"), _day(day), (), None, expires, "a.yaml", day + 1,
        revoked=Revocation(_day(revoked).date(), "wrong") if revoked is not None else None,
    )  # fmt: skip


def _model(stacks: dict[str, Achievement], awards: list[Award]) -> Model:
    singles = {s: _achievement(s) for s in ("a", "b", "c", "d")}
    return Model(Path("content"), SITE, {"acme": ISSUER}, {**singles, **stacks}, tuple(awards))


def _completions(model: Model, lock: dict | None = None) -> dict[tuple[str, str], list[tuple[int, bool]]]:
    """(stack, learner) -> [(completion day, revoked)] of the stacked credentials."""
    found: dict[tuple[str, str], list[tuple[int, bool]]] = {}
    for s in evaluate(model, lock or {}).awards:
        day = (s.award.awarded - _day(0)).days
        found.setdefault((s.award.achievement, s.award.recipient.email or ""), []).append((day, bool(s.award.revoked)))
    return found


def _new(model: Model) -> dict[str, int]:
    """Learner -> completion day of the stacked credential a first build would award."""
    return {s.award.recipient.email.split("@")[0]: (s.award.awarded - _day(0)).days for s in evaluate(model, {}).awards}


ALL = {"s": _achievement("s", Requirement(("a", "b")))}
ANY = {"s": _achievement("s", Requirement(("a", "b", "c"), 2))}
NESTED = {"s": _achievement("s", Requirement(("a", Requirement(("b", "c", "d"), 1))))}


def test_all_completes_on_the_day_of_the_last_part():
    model = _model(ALL, [_award("a", "x", 5), _award("b", "x", 9), _award("a", "y", 1)])
    assert _new(model) == {"x": 9}


def test_any_n_needs_n_parts():
    model = _model(ANY, [_award("c", "x", 2), _award("a", "x", 7), _award("b", "y", 3)])
    assert _new(model) == {"x": 7}
    outcome = evaluate(model, {})
    assert [a.achievement for a in outcome.awards[0].components] == ["a", "c"]  # the rule's order


def test_nested_groups():
    model = _model(NESTED, [_award("a", "x", 1), _award("d", "x", 4), _award("b", "y", 1), _award("c", "y", 2)])
    assert _new(model) == {"x": 4}


def test_a_stack_of_stacks_counts_the_inner_stacked_credential():
    stacks = {**ALL, "t": _achievement("t", Requirement(("s", "c")))}
    model = _model(stacks, [_award("a", "x", 1), _award("b", "x", 3), _award("c", "x", 2)])
    assert _completions(model) == {("s", "x@example.org"): [(3, False)], ("t", "x@example.org"): [(3, False)]}


def test_within_counts_only_parts_earned_inside_the_period():
    stacks = {"s": _achievement("s", Requirement(("a", "b")), within="P30D")}
    late = _model(stacks, [_award("a", "x", 1), _award("b", "x", 40)])
    assert _new(late) == {}
    again = _model(stacks, [_award("a", "x", 1), _award("b", "x", 40), _award("a", "x", 45)])
    assert _new(again) == {"x": 45}


def test_a_part_expired_on_the_completion_day_does_not_count():
    expired = _model(ALL, [_award("a", "x", 1, expires=_day(8).date()), _award("b", "x", 8)])
    assert _new(expired) == {}
    valid = _model(ALL, [_award("a", "x", 1, expires=_day(9).date()), _award("b", "x", 8)])
    assert _new(valid) == {"x": 8}


def test_a_revoked_part_does_not_count():
    model = _model(ALL, [_award("a", "x", 1, revoked=2), _award("b", "x", 8)])
    assert _new(model) == {}


def test_auto_award_false_lists_the_eligible_learner():
    stacks = {"s": _achievement("s", Requirement(("a", "b")), auto_award=False)}
    outcome = evaluate(_model(stacks, [_award("a", "x", 1), _award("b", "x", 8)]), {})
    assert outcome.awards == []
    assert [(e.name, e.stack.slug, e.completed) for e in outcome.eligible] == [("X", "s", _day(8))]
    assert outcome.report(_model(stacks, [])) == ["S: 1 complete, 0 revoked by cascade, 1 eligible",
                                                  "eligible: X for S (s), complete on 2026-01-09"]  # fmt: skip


def _rebuild(lock: Lock, model: Model, rng: random.Random) -> list:
    """What a build does with the lock: evaluate, check nothing vanished, assign, record cascades."""
    outcome = evaluate(model, lock.entries)
    assert lock.issued_but_missing(model, outcome.keys()) == []
    lock.assign(model.awards + tuple(s.award for s in outcome.awards), lambda n: rng.randbytes(n))
    record_cascades(lock, outcome)
    return outcome.awards


AWARD = st.tuples(st.sampled_from("abcd"), st.sampled_from(["x", "y", "z"]), st.integers(0, 60))
RULES = st.sampled_from([ALL, ANY, NESTED, {"s": _achievement("s", Requirement(("a", "b")), within="P20D")}])


@settings(max_examples=60, deadline=None)
@given(RULES, st.lists(st.lists(AWARD, max_size=6), min_size=1, max_size=4), st.data())
def test_across_rebuilds_stacks_are_exactly_the_complete_ones_and_cascades_exactly_the_revoked(stacks, batches, data):
    """Awards arrive in batches; between builds some are revoked (never deleted). After each build:
    the valid stacked credentials are exactly the learners whose rule holds; ids and indexes never
    change, collide or vanish; a stacked credential is revoked exactly when its rule stopped holding
    on its completion day, and stays revoked."""
    lock = Lock(Path("/nonexistent/credpress.lock"), {}, existed=False)
    rng = random.Random(0)
    awards: dict[str, Award] = {}
    seen: dict[str, tuple[str, int]] = {}
    ever_revoked: set[str] = set()
    for batch in batches:
        for slug, who, day in batch:
            award = _award(slug, who, day)
            awards.setdefault(award.fingerprint, award)
        if awards and data.draw(st.booleans()):
            victim = data.draw(st.sampled_from(sorted(awards)))
            old = awards[victim]
            if old.revoked is None:
                awards[victim] = Award(old.achievement, old.recipient, old.awarded, (), None, None, "a.yaml", old.line,
                                       revoked=Revocation(old.awarded.date(), "wrong"))  # fmt: skip
        model = _model(stacks, list(awards.values()))
        result = _rebuild(lock, model, rng)
        valid = {s.award.recipient.identity for s in result if s.award.revoked is None}
        fresh = _model(stacks, [a for a in awards.values() if a.revoked is None])
        complete = {s.award.recipient.identity for s in evaluate(fresh, {}).awards}
        assert valid == complete
        for s in result:
            key = award_key(s.award)
            entry = lock.entries[key]
            assert seen.setdefault(key, (entry["id"], entry["status_index"])) == (entry["id"], entry["status_index"])
            if s.award.revoked is not None:
                ever_revoked.add(key)
                assert any(c.revoked for c in s.components)  # the cascade of a revoked component
            else:
                assert key not in ever_revoked and all(c.revoked is None for c in s.components)
        assert ever_revoked <= {award_key(s.award) for s in result if s.award.revoked}
        ids = [e["id"] for e in lock.entries.values()]
        indexes = [e["status_index"] for e in lock.entries.values()]
        assert len(set(ids)) == len(ids) and len(set(indexes)) == len(indexes)
        assert set(seen) <= set(lock.entries)


def test_the_example_publishes_the_pathway_and_stacked_evidence(example_site):
    import json
    from xml.dom import minidom

    from credpress.documents.pathway import CTDL
    from credpress.vc import jsonld

    svg = minidom.parseString((example_site / "achievements/applied-data-analysis/pathway.svg").read_bytes())
    texts = [n.firstChild.data for n in svg.getElementsByTagName("text")]
    assert texts[:4] == ["All within 18 months", "All of", "Python Foundations", "Data Wrangling with pandas"]
    assert "Any 1 of 2" in texts and svg.getElementsByTagName("title")[0].firstChild.data == (
        "Pathway to Certificate in Applied Data Analysis"
    )
    achievement = json.loads((example_site / "achievements/applied-data-analysis.json").read_text("utf-8"))
    rule = achievement[CTDL + "hasCondition"][0]
    assert rule[CTDL + "requiredNumber"] == 3
    assert rule[CTDL + "hasCondition"][0][CTDL + "requiredNumber"] == 1
    assert jsonld.dropped_terms(achievement) == []
    credentials = [json.loads(p.read_text("utf-8")) for p in (example_site / "credentials").glob("*.json")]
    by_id = {c["id"]: c for c in credentials}
    sakura = next(
        c
        for c in credentials
        if c["name"] == "Certificate in Applied Data Analysis" and "Sakura" in json.dumps(c["credentialSubject"])
    )
    assert [e["name"] for e in sakura["evidence"]] == [
        "Python Foundations",
        "Data Wrangling with pandas",
        "SQL for Data Analysis",
    ]
    components = [by_id[e["id"]] for e in sakura["evidence"]]
    assert sakura["awardedDate"] == max(c["awardedDate"] for c in components) == "2026-10-16T00:00:00Z"
