"""The fast path folds awards the rules treat alike (`solver.fastpath.interchangeable`): the
optimum it finds must be CP-SAT's on components far too large to enumerate (a catalog of many
tier rules in one R1 group), and exactly the full enumeration's where both can run.

Components are generated in the shapes the compiler makes: tier rewards in R1 groups per claim
year with an R3 key per ladder level (some paying only the difference to a lower level, some with
rewards already received), expense items in a programme's cap with a year limit, and "not less
than" mirrors of a capped award. Few amounts, zeros among them: ties happen.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import event, given, note
from hypothesis import strategies as st

from models.catalog import load_catalog, open_catalog
from models.money import Money
from models.record import parse_record
from solver import fastpath, optimize
from solver.compile import Candidate, Compiled, compile_record, effective_amount
from solver.components import assemble, components, earliest_rank
from solver.evaluate import solve
from solver.oracle import MAX_CANDIDATES, best_objective
from solver.soundness import violations
from tests import hostile

CATALOG = load_catalog()
RULE = CATALOG.rules[0]  # (the solver never reads a candidate's rule)
TODAY = dt.date(2026, 1, 1)
RECORD = parse_record({"id": "F", "district": "daxing", "as_of": TODAY})
YEARS = (2024, 2025)
AMOUNTS = st.integers(0, 8).map(lambda n: n * 50_000)


def _candidate(key: str, year: int, amount: Money, **rules: object) -> Candidate:
    return Candidate(key=key, rule=RULE, measure=key, tier=None, claim_year=year, amount=amount,
                     paid_by="daxing", projected=False, why=(), **rules)  # type: ignore[arg-type]


@st.composite
def compiled_components(draw: st.DrawFn, most: int = 40) -> Compiled:
    """Candidates of a record's few components, some of them large classes of alike awards."""
    out = Compiled(record=RECORD, readings={}, as_of=TODAY)
    tiers: list[Candidate] = []
    for n in range(draw(st.integers(1, most))):
        ladder, level, year = draw(st.sampled_from("LM")), draw(st.sampled_from("ab")), \
            draw(st.sampled_from(YEARS))
        low = draw(AMOUNTS)
        high = draw(st.one_of(st.just(low), AMOUNTS.map(lambda extra: low + extra)))  # up to
        own_key = draw(st.booleans()) and draw(st.integers(0, 9)) == 0  # a relocation's R3 key
        tiers.append(_candidate(
            f"t{n}", year, Money(low, high), r1_group=f"{ladder} in {year}",
            one_time=f"t{n}" if own_key else f"{ladder}|{level}", ladder=ladder, level=level,
            deduct_received=draw(st.sampled_from((0, 0, 0, 30_000)))))
    differs = draw(st.sets(st.sampled_from("LM")))  # R2 ladders: b pays the difference to a
    out.candidates = [
        c if c.ladder not in differs or c.level != "b" else replace(
            c, deduct=tuple(o.key for o in tiers if o.ladder == c.ladder and o.level == "a"
                            and o.claim_year < c.claim_year))
        for c in tiers]
    out.caps = {"cap": draw(AMOUNTS)}
    out.year_limits = {"years": draw(st.integers(1, 2))}
    for n in range(draw(st.integers(0, 4))):
        year = draw(st.sampled_from(YEARS))
        out.candidates.append(_candidate(
            f"e{n}", year, Money(0, draw(AMOUNTS)), expense_item=f"item{draw(st.integers(0, 2))}",
            caps=("cap",), year_limit=("years", year) if draw(st.booleans()) else None))
        if draw(st.integers(0, 3)) == 0:  # the district pays not less than this municipal award
            mirrored = out.candidates[-1]
            out.candidates.append(_candidate(f"d{n}", year, Money(0, mirrored.amount.max, True),
                                             mirror_of=mirrored.key))
    return out


def _parts(compiled: Compiled):
    rank = earliest_rank(compiled.candidates)
    effective = {c.key: effective_amount(c) for c in compiled.candidates}
    return rank, effective, components(compiled.candidates)


@given(compiled_components())
def test_folded_components_reach_cp_sat_s_optimum(compiled: Compiled) -> None:
    rank, effective, parts = _parts(compiled)
    by_key = compiled.by_key()
    found = []
    for members in parts:
        folded = fastpath.interchangeable(members, rank, effective)
        note(f"component of {len(members)}, folded to {len(folded)}")
        slow_score, _ = optimize.solve_part(members, compiled, rank, by_key)
        if fastpath.enumerable(folded):
            found.append(fastpath.solve_part(folded, compiled, rank, effective))
            # Every stage: upper total, lower total, number of awards, money earliest.
            assert found[-1][0] == slow_score
        else:
            found.append(optimize.solve_part(folded, compiled, rank, by_key))
            assert found[-1][0] == slow_score
    fast = assemble(found, rank, "exact")
    assert violations(compiled, fast.paid) == []
    auto, whole = solve(compiled, "auto"), solve(compiled, "cp-sat")
    assert (auto.upper, auto.lower, auto.count) == (whole.upper, whole.lower, whole.count)
    assert violations(compiled, auto.paid) == []


@given(compiled_components(most=12))
def test_folding_changes_nothing_that_enumeration_finds(compiled: Compiled) -> None:
    """Where the whole component can be enumerated, the folded one gives the same answer —
    the same payments, ties (0 yuan) included — and the oracle's optimum."""
    rank, effective, parts = _parts(compiled)
    for members in parts:
        folded = fastpath.interchangeable(members, rank, effective)
        if fastpath.enumerable(members):
            assert fastpath.solve_part(folded, compiled, rank, effective) == \
                fastpath.solve_part(members, compiled, rank, effective)
    if len(compiled.candidates) <= MAX_CANDIDATES:
        fast = fastpath.solve_exact(compiled)
        assert fast is not None
        assert (fast.upper, fast.lower, fast.count) == best_objective(compiled)


def test_alike_awards_fold_into_the_best_and_the_rest_stay() -> None:
    """The best of a class by amount, then lower amount, then earliest claim; among awards of 0
    yuan, the last. An award another one deducts, a capped one, one with other keys: never folded."""
    a = _candidate("a", 2025, Money.fixed(10), r1_group="g", one_time="g|x")
    b = _candidate("b", 2024, Money.fixed(10), r1_group="g", one_time="g|x")  # earlier: better
    c = _candidate("c", 2025, Money(0, 10), r1_group="g", one_time="g|x")     # lower min: worse
    lower = _candidate("l", 2023, Money.fixed(50), r1_group="g", one_time="g|x")
    higher = _candidate("h", 2025, Money.fixed(60), r1_group="h", one_time="h|y", deduct=("l",))
    other = _candidate("o", 2025, Money.fixed(99), r1_group="g", one_time="own")
    capped = _candidate("k", 2025, Money(0, 99), r1_group="g", one_time="g|x", caps=("cap",))
    members = [a, b, c, lower, higher, other, capped]
    rank = earliest_rank(members)
    effective = {m.key: effective_amount(m) for m in members}
    assert fastpath.interchangeable(members, rank, effective) == [b, lower, higher, other, capped]
    zeros = [_candidate(k, 2025, Money.fixed(0), r1_group="z") for k in "pqr"]
    rank = earliest_rank(zeros)
    effective = {m.key: effective_amount(m) for m in zeros}
    assert [m.key for m in fastpath.interchangeable(zeros, rank, effective)] == ["r"]



def test_awards_a_higher_one_deducts_keep_the_best_alone_and_the_best_beside_it() -> None:
    """R2: beside the oak award (300,000, deducting them) every sapling award adds nothing to the
    totals, so the best one there is the one that pays most money earliest (`a`: 4 × 49,000 over
    `b`: 3 × 50,000); alone, `b` pays most. Both are kept, `c` is dropped and the oak award
    deducts only the kept ones."""
    a = _candidate("a", 2024, Money.fixed(49_000), r1_group="g 2024", one_time="g|sapling")
    b = _candidate("b", 2024, Money.fixed(50_000), r1_group="g 2024", one_time="g|sapling")
    c = _candidate("c", 2024, Money.fixed(10_000), r1_group="g 2024", one_time="g|sapling")
    h = _candidate("h", 2025, Money.fixed(300_000), r1_group="g 2025", one_time="g|oak",
                   deduct=("a", "b", "c"))
    members = [a, b, c, h]
    rank = earliest_rank(members)
    effective = {m.key: effective_amount(m) for m in members}
    folded = fastpath.interchangeable(members, rank, effective)
    assert folded == [a, b, replace(h, deduct=("a", "b"))]
    compiled = Compiled(record=RECORD, readings={}, as_of=TODAY, candidates=members)
    assert fastpath.solve_part(folded, compiled, rank, effective) == \
        fastpath.solve_part(members, compiled, rank, effective)
    # beside the oak award: a pays 49,000 in 2024, the oak award the difference in 2025
    assert fastpath.solve_part(folded, compiled, rank, effective)[1] == {
        "a": Money.fixed(49_000), "h": Money.fixed(251_000)}


def test_an_award_in_two_caps_is_priced_by_cp_sat_never_greedily() -> None:
    """Enumeration fills one cap greedily; an award counted in two caps would overfill the
    second (x filling cap A first pays 100, and z's cap B then holds 200). Such a component goes
    to CP-SAT: y and z are paid 100 each, x is taken at 0 and neither cap is passed."""
    x = _candidate("x", 2025, Money(0, 100), caps=("A", "B"))
    y = _candidate("y", 2025, Money(0, 100), caps=("A",))
    z = _candidate("z", 2025, Money(0, 100), caps=("B",))
    compiled = Compiled(record=RECORD, readings={}, as_of=TODAY, candidates=[x, y, z],
                        caps={"A": 100, "B": 100})
    auto = solve(compiled, "auto")
    assert auto.method == "cp-sat"
    assert violations(compiled, auto.paid) == []
    assert auto.paid == {"x": Money(0, 0), "y": Money(0, 100), "z": Money(0, 100)}

def test_ten_thousand_rules_of_one_r1_group_are_one_choice(tmp_path: Path) -> None:
    """The hostile catalog (issue 20), small: 60 tier rules in one R1 group are solved without
    CP-SAT, with CP-SAT's answer (`benchmarks/hostile_corpus.py` runs 10,000)."""
    package = hostile.many_rules(tmp_path, 60)
    north = package / "north.yaml"  # one of them pays more than the ladder's own 50,000
    north.write_text(north.read_text(encoding="utf-8").replace("{fixed: 10030}", "{fixed: 70030}"),
                     encoding="utf-8")
    catalog = open_catalog(package)
    record = parse_record(json.loads(json.dumps(hostile.RIVERLAND_RECORD)), catalog=catalog)
    compiled = compile_record(record, catalog, catalog.resolve_readings({}), today=TODAY)
    assert max(len(members) for members in components(compiled.candidates)) == 61
    auto, whole = solve(compiled, "auto"), solve(compiled, "cp-sat")
    assert auto.method == "exact"
    assert auto.paid == whole.paid
    assert [(compiled.by_key()[key].measure, paid.max) for key, paid in auto.paid.items()] == \
        [("north.many30", 70_030)]



def test_the_table_names_the_measures_that_lose_for_the_same_reason_on_one_line(tmp_path: Path) -> None:
    """60 tier rules that lose to North's own sapling reward (R1) share one line of the table,
    each id once and the reason once; a reason of its own keeps its own line (north.tier's oak
    level). The JSON keeps one item per measure."""
    from typer.testing import CliRunner

    from cli import app

    package = hostile.many_rules(tmp_path, 60)
    record = tmp_path / "record.json"
    record.write_text(json.dumps(hostile.RIVERLAND_RECORD), encoding="utf-8")
    runner = CliRunner()
    table = runner.invoke(app, ["evaluate", str(record), "--catalog", str(package)])
    assert table.exit_code == 0, table.output
    lost = table.stdout[table.stdout.index("What brings nothing"):]
    assert "60 measures" in lost
    assert all(lost.count(f"north.many{n},") == 1 for n in range(59)) and "north.many59, each:" in lost
    assert lost.count("only the most favorable policy applies: the North") == 1
    assert "│ north.tier        │ oak enterprise level: no oak enterprise recognition" in lost
    data = json.loads(runner.invoke(app, ["evaluate", str(record), "--catalog", str(package),
                                          "--format", "json"]).stdout)
    assert sorted(item["measure"] for item in data["not_awarded"]
                  if item["measure"].startswith("north.many")) == sorted(f"north.many{n}" for n in range(60))

# -- the compiler's own candidates: many rules of one ladder, rewards received ---------------------

NORTH_MEASURES = ("north.tier",) + tuple(f"north.many{n}" for n in range(6))


@pytest.fixture(scope="module")
def north_ladder(tmp_path_factory: pytest.TempPathFactory):
    """Riverland's North with six more tier rules in its ladder's R1 group (`north.tier`, R2:
    the difference between tiers): two paying more than the ladder's own sapling reward (the
    most on a key that weighs less in the last stage: the best sapling award depends on whether
    an oak award deducts it), one as much, one paying at the oak level too (so awards of two
    rules deduct the sapling ones)."""
    package = hostile.many_rules(tmp_path_factory.mktemp("north"), 6)
    north = package / "north.yaml"
    text = north.read_text(encoding="utf-8")
    for old, new in (("{fixed: 10005}", "{fixed: 60005}"), ("{fixed: 10000}", "{fixed: 59000}"),
                     ("{fixed: 10003}", "{fixed: 50000}"),
                     ("sapling: {fixed: 10004}\n", "sapling: {fixed: 10004}\n          oak: {fixed: 320004}\n")):
        assert old in text
        text = text.replace(old, new)
    north.write_text(text, encoding="utf-8")
    return open_catalog(package)


@st.composite
def north_records(draw: st.DrawFn) -> dict:
    """A North enterprise: a sapling recognition, perhaps oak later (R2), and up to two rewards
    received along the ladder (R1: one takes its place in its claim year; R2, R3, a ladder closed)."""
    sapling = draw(st.dates(dt.date(2021, 1, 1), dt.date(2025, 6, 30)))
    recognitions = [{"tier": "sapling", "date": sapling.isoformat()}]
    if draw(st.booleans()):
        oak = sapling + dt.timedelta(days=draw(st.integers(0, 900)))
        if oak < TODAY:
            recognitions.append({"tier": "oak", "date": oak.isoformat()})
    received = draw(st.lists(st.fixed_dictionaries({
        "measure": st.sampled_from(NORTH_MEASURES), "tier": st.sampled_from([None, "sapling", "oak"]),
        "amount": st.one_of(st.sampled_from([0, 10_003, 20_000, 50_000, 300_000]),
                            st.integers(0, 400_000)),
        "year": st.integers(2021, 2025)}), max_size=2))
    return {"id": "N-1", "district": "north", "as_of": TODAY.isoformat(),
            "recognitions": recognitions, "rewards_received": received}


@given(north_records())
def test_folding_a_ladder_s_many_rules_keeps_the_optimum_with_rewards_received(
        north_ladder, data: dict) -> None:
    """Through the compiler: the folded components give the full enumeration's answer (same
    payments), CP-SAT's optimum on every award, and the oracle's; the answer breaks no rule."""
    record = parse_record(data, catalog=north_ladder)
    compiled = compile_record(record, north_ladder, north_ladder.resolve_readings({}), today=TODAY)
    rank, effective, parts = _parts(compiled)
    by_key = compiled.by_key()
    dropped = 0
    for members in parts:
        folded = fastpath.interchangeable(members, rank, effective)
        dropped += len(members) - len(folded)
        assert fastpath.solve_part(folded, compiled, rank, effective)[0] == \
            optimize.solve_part(members, compiled, rank, by_key)[0]
        if fastpath.enumerable(members):
            assert fastpath.solve_part(folded, compiled, rank, effective) == \
                fastpath.solve_part(members, compiled, rank, effective)
    event("awards folded" if dropped else "nothing folded")
    event("rewards received" if data["rewards_received"] else "nothing received")
    auto = solve(compiled, "auto")
    assert violations(compiled, auto.paid) == []
    whole = solve(compiled, "cp-sat")
    assert (auto.upper, auto.lower, auto.count) == (whole.upper, whole.lower, whole.count)
    if len(compiled.candidates) <= MAX_CANDIDATES:
        assert (auto.upper, auto.lower, auto.count) == best_objective(compiled)


def test_solving_a_record_leaves_no_reference_cycle() -> None:
    """A record's compiled candidates are freed as soon as its answer is out: nothing the compile
    and the fast path make waits for the garbage collector (a recursive closure did: every record
    with a component of several awards kept its candidates, events and record alive until the
    next collection, and the batch's young collections walked them all)."""
    import gc

    from solver.evaluate import compute_amounts

    record = parse_record({"id": "C", "district": "dongcheng", "as_of": TODAY, "recognitions": [
        {"tier": "municipal", "date": "2023-03-01"}], "expenses": [
        {"id": f"X{n}", "category": "device_purchase", "amount": 3_000_000 + n, "year": 2025,
         "project": "P1", "project_year": 1} for n in range(3)]})
    readings = CATALOG.resolve_readings()
    compiled = compile_record(record, CATALOG, readings, TODAY, reasons=False)
    assert any(len(members) > 1 for members in components(compiled.candidates))  # enumerated
    amounts = compute_amounts(record, readings, catalog=CATALOG, today=TODAY)  # (caches warm)
    assert amounts
    gc.collect()
    gc.disable()
    try:
        compute_amounts(record, readings, catalog=CATALOG, today=TODAY)
        assert gc.collect() == 0
    finally:
        gc.enable()
