"""The planner commands on the command line: best-district, timeline, windows, whatif (with
scenario files, reforms and sweeps), evaluate --all-readings and howto. Each test checks the exit
status and what is printed; bad input is one `zjtx: error:` line (or a usage error) and exit 2."""

from __future__ import annotations

import json
import re
import textwrap
from functools import cache
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from models.catalog import load_catalog as _load_catalog
from tests.support import assert_input_error

DISTRICTS = _load_catalog().vocabulary.districts  # the catalog declares them

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
RELOCATING = EXAMPLES / "relocating-little-giant.yaml"
DAXING_FULL = EXAMPLES / "daxing-hydrogen-full.yaml"
DONGCHENG = EXAMPLES / "dongcheng-municipal-then-national.yaml"
MENTOUGOU = EXAMPLES / "mentougou-relocation-from-outside-beijing.yaml"
# click >= 8.2: result.stderr is separate; 200 columns whatever the terminal (a pytest-xdist
# worker has none): a phrase the tests look for is never wrapped inside a table cell.
runner = CliRunner(env={"COLUMNS": "200"})

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SWEEP = "dongcheng.tier.national.amount=0..1000000:250000"

# A Haidian SME with an innovative recognition only (for howto).
INNOVATIVE_ONLY = """\
    id: H-1
    district: haidian
    as_of: 2026-11-24
    recognitions:
      - {tier: innovative, date: 2025-03-31}
"""


def invoke(*args: object):
    return runner.invoke(app, [str(arg) for arg in args])


@cache
def cached(*args: str):
    """Expensive deterministic invocations, run once per session."""
    return invoke(*args)


def ok(result) -> str:
    assert result.exit_code == 0, (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output
    return result.stdout


def ok_json(result) -> dict:
    return json.loads(ok(result))


def assert_usage_error(result, *fragments: str) -> None:
    """A click/typer usage error: exit 2, `Usage:` on stderr, no traceback."""
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert "Usage:" in result.stderr
    flat = re.sub(r"[\s\u2500-\u257f]+", " ", result.stderr)
    for fragment in fragments:
        assert fragment in flat, (fragment, result.stderr)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _flat(text: str) -> str:
    """Rendered text without box drawing, whitespace collapsed (rich wraps long lines)."""
    return re.sub(r"\s+", " ", re.sub(r"[\u2500-\u257f]", " ", text)).strip()


def money(data: dict) -> tuple[int, int, bool]:
    return data["min"], data["max"], data["open_above"]


# == best-district ==================================================================================

def relocating(*extra: str):
    return cached("best-district", str(RELOCATING), "--move-date", "2027-01-15", *extra)


def relocating_json() -> dict:
    return ok_json(relocating("--format", "json"))


def test_best_district_table_names_the_winner_and_marks_the_current_district():
    out = ok(relocating())
    assert "Best district for EX-RELOCATE: move on 2027-01-15, claim years 2027–2029" in out
    assert "Winner: fengtai, 0 – 3,000,000 yuan (+3,000,000 against staying in haidian)." in out
    assert "haidian (current)" in out
    assert out.count("(current)") == 1
    # the winner's clause and telephone are quoted
    assert "fengtai.qualification:" in out and "010-83897600" in _flat(out)
    # every district appears once, with its place
    rows = [line.split("│") for line in out.splitlines() if line.startswith("│")]
    places = [r[1].strip() for r in rows if r[1].strip()]
    assert places == [str(n) for n in range(1, 17)]
    names = [r[2].strip().removesuffix(" (current)") for r in rows if r[2].strip()]
    assert sorted(names) == sorted(DISTRICTS)
    assert "nothing in the horizon" in out


def test_best_district_json_ranks_the_16_districts():
    data = relocating_json()
    assert data["enterprise"] == "EX-RELOCATE"
    assert data["move_date"] == "2027-01-15"
    assert data["horizon"] == [2027, 2029]
    names = [entry["district"] for entry in data["ranking"]]
    assert len(names) == 16 and len(set(names)) == 16
    assert set(names) == set(DISTRICTS)
    keys = [(-e["total"]["max"], -e["total"]["min"], e["district"] != "haidian", e["district"])
            for e in data["ranking"]]
    assert keys == sorted(keys)
    assert names[0] == "fengtai"
    for entry in data["ranking"]:
        assert set(entry["delta_vs_stay"]) == {"min", "max"}
        assert all(type(v) is int for v in entry["delta_vs_stay"].values())
        for award in entry["awards"]:
            assert 2027 <= award["claim_year"] <= 2029
            assert award["received"] is False
        # the total is the sum of the awards listed
        assert entry["total"]["min"] == sum(a["amount"]["min"] for a in entry["awards"])
        assert entry["total"]["max"] == sum(a["amount"]["max"] for a in entry["awards"])


def test_best_district_daxing_pays_the_national_million_after_the_move():
    """Commercial aerospace, in Daxing from 2027-01-15, national recognition 2027-06-30: Daxing's
    sentence 2 pays 1,000,000, claimed the year after (2028); the municipal tier was obtained in
    Haidian in 2021, so no R2 difference is taken."""
    daxing = next(e for e in relocating_json()["ranking"] if e["district"] == "daxing")
    assert money(daxing["total"]) == (1_000_000, 1_000_000, False)
    assert daxing["delta_vs_stay"] == {"min": 1_000_000, "max": 1_000_000}
    [award] = daxing["awards"]
    assert (award["measure"], award["tier"], award["claim_year"]) == ("daxing.tier", "national", 2028)
    assert award["paid_by"] == "daxing"
    assert award["projected"] is True  # the recognition is dated after as_of 2026-11-24


def test_best_district_staying_in_haidian_pays_nothing_and_deltas_are_totals():
    data = relocating_json()
    haidian = next(e for e in data["ranking"] if e["district"] == "haidian")
    assert money(haidian["total"]) == (0, 0, False)
    assert haidian["delta_vs_stay"] == {"min": 0, "max": 0}
    assert haidian["awards"] == []
    for entry in data["ranking"]:  # staying pays 0, so each delta is the district's total
        assert entry["delta_vs_stay"] == {"min": entry["total"]["min"], "max": entry["total"]["max"]}


def test_best_district_expected_amounts_of_the_tier_districts():
    totals = {e["district"]: money(e["total"]) for e in relocating_json()["ranking"]}
    assert totals["fengtai"] == (0, 3_000_000, False)
    assert totals["dongcheng"] == totals["shijingshan"] == totals["mentougou"] == (800_000, 800_000, False)
    assert totals["shunyi"] == totals["miyun"] == (500_000, 500_000, False)
    assert totals["pinggu"] == (0, 500_000, False)
    assert totals["xicheng"] == (300_000, 300_000, False)
    for district in ("changping", "chaoyang", "fangshan", "haidian", "huairou", "tongzhou", "yanqing"):
        assert totals[district] == (0, 0, False)


def test_best_district_horizon_zero_keeps_only_the_move_year():
    data = ok_json(relocating("--horizon-years", "0", "--format", "json"))
    assert data["horizon"] == [2027, 2027]
    assert len(data["ranking"]) == 16
    assert all(money(e["total"]) == (0, 0, False) for e in data["ranking"])
    assert all(e["awards"] == [] for e in data["ranking"])
    # nothing pays: staying in Haidian first (DOMAIN 8: ties keep the current district), then by name
    assert [e["district"] for e in data["ranking"]] == \
        ["haidian"] + sorted(d for d in DISTRICTS if d != "haidian")
    table = ok(relocating("--horizon-years", "0"))
    assert "No district pays anything within the horizon: staying is best." in table


def test_best_district_default_move_date_is_as_of():
    data = ok_json(cached("best-district", str(RELOCATING), "--format", "json"))
    assert data["move_date"] == "2026-11-24"
    assert data["horizon"] == [2026, 2028]


def test_best_district_json_is_byte_identical_twice():
    first = invoke("best-district", RELOCATING, "--move-date", "2027-01-15", "--format", "json")
    second = invoke("best-district", RELOCATING, "--move-date", "2027-01-15", "--format", "json")
    assert first.exit_code == second.exit_code == 0
    assert first.stdout_bytes == second.stdout_bytes
    assert len(first.stdout_bytes) > 1000


def test_best_district_png(tmp_path: Path):
    out = tmp_path / "tmp" / "x.png"
    result = invoke("best-district", RELOCATING, "--move-date", "2027-01-15",
                    "--format", "png", "--out", out)
    assert ok(result).strip() == f"wrote {out}"
    assert out.read_bytes()[:8] == PNG_MAGIC


def test_best_district_png_default_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("best-district", RELOCATING, "--move-date", "2027-01-15", "--format", "png")
    assert ok(result).strip() == "wrote EX-RELOCATE-best-district.png"
    assert (tmp_path / "EX-RELOCATE-best-district.png").read_bytes()[:8] == PNG_MAGIC


def test_best_district_json_out_writes_the_same_json(tmp_path: Path):
    out = tmp_path / "ranking.json"
    result = invoke("best-district", RELOCATING, "--move-date", "2027-01-15", "--format", "json",
                    "--out", out)
    assert ok(result).strip() == f"wrote {out}"
    assert json.loads(out.read_text(encoding="utf-8")) == relocating_json()


def test_best_district_from_outside_beijing(tmp_path: Path):
    """Outside Beijing: no district is current; staying is the record as it is (0 here), and
    Mentougou pays its tier reward plus the relocation reward."""
    path = write(tmp_path, "outside.yaml", """\
        id: OB-1
        district: outside_beijing
        as_of: 2026-11-24
        recognitions: [{tier: municipal, date: 2027-03-31}]
    """)
    data = ok_json(invoke("best-district", path, "--move-date", "2027-01-01", "--format", "json"))
    assert data["ranking"][0]["district"] == "mentougou"
    assert money(data["ranking"][0]["total"]) == (300_000, 300_000, False)
    assert sorted(a["measure"] for a in data["ranking"][0]["awards"]) == ["mentougou.relocation",
                                                                         "mentougou.tier"]
    table = ok(invoke("best-district", path, "--move-date", "2027-01-01"))
    assert "(current)" not in table
    assert "against staying in outside_beijing" in table


def test_best_district_honours_a_reading():
    """difference-only changes nothing here (no municipal reward in the horizon), but the
    reading is accepted."""
    data = ok_json(relocating("--reading", "stacking=difference-only", "--format", "json"))
    assert [e["district"] for e in data["ranking"]] == [e["district"] for e in relocating_json()["ranking"]]


# -- best-district: bad input ------------------------------------------------------------------------

def test_best_district_bad_move_date():
    assert_input_error(invoke("best-district", RELOCATING, "--move-date", "2027-13-01"),
                       "--move-date", "'2027-13-01' is not a date", "2023/06/30, 2023.06.30, 2023年6月30日")


@pytest.mark.parametrize("day", ["2022-05-01", "2022-04-01"])
def test_best_district_move_date_on_or_before_an_existing_move(day: str):
    assert_input_error(invoke("best-district", MENTOUGOU, "--move-date", day),
                       "--move-date", "already moves on 2022-05-01", f"move date {day}")


def test_best_district_negative_horizon_is_a_usage_error():
    assert_usage_error(invoke("best-district", RELOCATING, "--horizon-years", "-1"),
                       "--horizon-years")


def test_best_district_unknown_reading():
    assert_input_error(invoke("best-district", RELOCATING, "--reading", "foo=bar"),
                       "--reading", "unknown reading 'foo'")


def test_best_district_missing_record(tmp_path: Path):
    assert_input_error(invoke("best-district", tmp_path / "nowhere.yaml"), "no such file")


def test_best_district_bad_format():
    assert_usage_error(invoke("best-district", RELOCATING, "--format", "svg"), "'svg'")


# == timeline =======================================================================================

def test_timeline_json_years_ascending_with_totals():
    data = ok_json(cached("timeline", str(DAXING_FULL), "--format", "json"))
    assert data["enterprise"] == "E-0001"
    years = [y["year"] for y in data["years"]]
    assert years == sorted(years) == [2024, 2025, 2026]
    assert all(type(y) is int for y in years)
    # the year totals add up to evaluate's total still to come
    total = ok_json(cached("evaluate", str(DAXING_FULL), "--format", "json"))["total"]
    assert sum(y["total"]["min"] for y in data["years"]) == total["min"] == 500_000
    assert sum(y["total"]["max"] for y in data["years"]) == total["max"] == 18_710_360
    assert any(y["total"]["open_above"] for y in data["years"]) == total["open_above"]


def test_timeline_marks_the_received_reward_and_leaves_it_out_of_the_total():
    data = ok_json(cached("timeline", str(DAXING_FULL), "--format", "json"))
    first = data["years"][0]
    assert first["year"] == 2024
    [claim] = first["claims"]
    assert (claim["measure"], claim["tier"], claim["received"]) == ("daxing.tier", "municipal", True)
    assert money(claim["amount"]) == (500_000, 500_000, False)
    assert money(first["total"]) == (0, 0, False)
    assert claim["tel"] == "010-89292028"


def test_timeline_nothing_is_projected_as_of_2026_11_24():
    """SEMANTICS: projected = the trigger is dated after as_of; a year-only event when its year is
    after as_of's year. The 2026 A-share listing (as_of 2026-11-24) is therefore not projected."""
    data = ok_json(cached("timeline", str(DAXING_FULL), "--format", "json"))
    claims = [c for y in data["years"] for c in y["claims"]]
    assert not any(c["projected"] for c in claims)
    y2026 = next(y for y in data["years"] if y["year"] == 2026)
    listing = next(c for c in y2026["claims"] if c["measure"] == "m5.listing")
    assert listing["projected"] is False and listing["received"] is False
    assert {c["measure"] for c in y2026["claims"]} == {"daxing.tier", "m5.listing", "m5.district"}


def test_timeline_table_statuses():
    out = ok(cached("timeline", str(DAXING_FULL)))
    assert "Claim timeline for E-0001" in out
    assert "received" in out and "due" in out
    assert "projected" not in out
    assert "year total (still" in out  # the cell wraps at width 120


def test_timeline_projected_items(tmp_path: Path):
    path = write(tmp_path, "projected.yaml", """\
        id: P-1
        district: dongcheng
        as_of: 2026-11-24
        recognitions:
          - {tier: municipal, date: 2022-09-30}
          - {tier: national, date: 2027-06-30}
        listings: [{board: a_share, year: 2027}]
    """)
    data = ok_json(invoke("timeline", path, "--format", "json"))
    status = {(y["year"], c["measure"]): c["projected"] for y in data["years"] for c in y["claims"]}
    assert status == {(2027, "m5.listing"): True, (2027, "m5.district"): True,
                      (2028, "dongcheng.tier"): True}
    # 2023 is before the as_of year and not listed as received: shown apart (DOMAIN.md 8).
    past = [(y["year"], c["measure"], c["status"]) for y in data["years"] for c in y["past"]]
    assert past == [(2023, "dongcheng.tier", "past")]
    table = ok(invoke("timeline", path))
    assert table.count("projected") == 3


def test_timeline_empty(tmp_path: Path):
    path = write(tmp_path, "empty.yaml", "id: E-0\ndistrict: haidian\nas_of: 2026-11-24\n")
    assert ok_json(invoke("timeline", path, "--format", "json"))["years"] == []
    assert "nothing to claim" in ok(invoke("timeline", path))


def test_timeline_bad_input(tmp_path: Path):
    assert_input_error(invoke("timeline", DAXING_FULL, "--reading", "foo=bar"), "unknown reading 'foo'")
    assert_input_error(invoke("timeline", tmp_path / "nowhere.yaml"), "no such file")


# == windows ========================================================================================

def test_windows_all_three_tiers():
    data = ok_json(invoke("windows", "--date", "2026-11-25", "--format", "json"))
    assert data["date"] == "2026-11-25"
    by_tier = {w["tier"]: w for w in data["windows"]}
    assert [w["tier"] for w in data["windows"]] == ["innovative", "municipal", "national"]
    assert (by_tier["innovative"]["opens"], by_tier["innovative"]["last_day"],
            by_tier["innovative"]["days_left"]) == ("2026-11-01", "2026-11-30", 5)
    assert (by_tier["municipal"]["opens"], by_tier["municipal"]["last_day"],
            by_tier["municipal"]["days_left"]) == ("2026-10-01", "2026-12-31", 36)
    national = by_tier["national"]
    assert national["opens"] is None and national["last_day"] is None and national["days_left"] is None
    assert national["tel"] == "010-55578300"


def test_windows_table():
    out = ok(invoke("windows", "--date", "2026-11-25"))
    assert "Application windows open on 2026-11-25" in out
    # the window cells wrap at width 120: "2026-11-01 to 2026-11-30 (5 | days left)"
    assert "2026-11-01 to 2026-11-30 (5" in out and "2026-10-01 to 2026-12-31 (36" in out
    assert out.count("days left)") == 2
    assert "calendar not stated" in out and "not stated" in out


def test_windows_one_tier():
    data = ok_json(invoke("windows", "--date", "2026-11-25", "--tier", "municipal", "--format", "json"))
    assert [w["tier"] for w in data["windows"]] == ["municipal"]


def test_windows_leap_february():
    data = ok_json(invoke("windows", "--date", "2024-02-10", "--tier", "innovative", "--format", "json"))
    [window] = data["windows"]
    assert (window["opens"], window["last_day"], window["days_left"]) == ("2024-02-01", "2024-02-29", 19)


def test_windows_last_day_of_a_quarter():
    data = ok_json(invoke("windows", "--date", "2026-03-31", "--tier", "municipal", "--format", "json"))
    [window] = data["windows"]
    assert (window["opens"], window["last_day"], window["days_left"]) == ("2026-01-01", "2026-03-31", 0)


def test_windows_bad_tier():
    line = assert_input_error(invoke("windows", "--date", "2026-11-25", "--tier", "gold"),
                              "--tier", "no application window for tier 'gold'")
    assert "innovative, municipal (municipal S&S SME), national (little giant)" in line  # with their names


def test_windows_bad_date():
    assert_input_error(invoke("windows", "--date", "2026-02-30"), "--date", "'2026-02-30' is not a date")


# == whatif =========================================================================================

def test_whatif_reading_difference_only_json():
    data = ok_json(invoke("whatif", DONGCHENG, "stacking=difference-only", "--format", "json"))
    assert data["scenario"] == "stacking=difference-only"
    assert money(data["baseline"]["total"]) == (900_000, 900_000, False)
    assert money(data["outcome"]["total"]) == (800_000, 800_000, False)
    assert data["delta"] == {"min": -100_000, "max": -100_000}
    assert data["baseline"]["readings"]["stacking"] == "cumulative"
    assert data["outcome"]["readings"]["stacking"] == "difference-only"
    assert [(a["measure"], a["amount"]["max"]) for a in data["gained"]] == [("dongcheng.tier", 700_000)]
    assert [(a["measure"], a["amount"]["max"]) for a in data["lost"]] == [("dongcheng.tier", 800_000)]


def test_whatif_table():
    out = ok(invoke("whatif", DONGCHENG, "stacking=difference-only"))
    assert "What if: stacking=difference-only" in out
    assert "-100,000" in out
    assert "Awards gained" in out and "Awards lost" in out
    assert "stacking=difference-only" in out


def test_whatif_reform_amount():
    data = ok_json(invoke("whatif", DONGCHENG, "dongcheng.tier.national.amount=1000000", "--format", "json"))
    assert data["delta"] == {"min": 200_000, "max": 200_000}
    assert [(a["measure"], a["tier"], a["amount"]["max"]) for a in data["gained"]] == \
        [("dongcheng.tier", "national", 1_000_000)]


@pytest.mark.parametrize("inline, scenario_file", [
    (["dongcheng.tier.national.amount=1000000"],
     "name: richer\nreform:\n  dongcheng.tier.national.amount: 1000000\n"),
    (["stacking=difference-only"], "readings: {stacking: difference-only}\n"),
    (["move=shunyi@2027-01-01", "recognition=privileged@2027-06-30"],
     "move: {to: shunyi, date: 2027-01-01}\nadd:\n  recognitions:\n"
     "    - {tier: privileged, date: 2027-06-30}\n"),
])
def test_whatif_scenario_file_equals_inline(tmp_path: Path, inline: list[str], scenario_file: str):
    path = write(tmp_path, "scenario.yaml", scenario_file)
    from_file = ok_json(invoke("whatif", DONGCHENG, path, "--format", "json"))
    from_inline = ok_json(invoke("whatif", DONGCHENG, *inline, "--format", "json"))
    for key in ("baseline", "outcome", "delta", "gained", "lost"):
        assert from_file[key] == from_inline[key], key
    assert from_file["scenario"] == ("richer" if "name:" in scenario_file else "scenario")


def test_whatif_file_and_inline_merge(tmp_path: Path):
    path = write(tmp_path, "reform.yaml", "reform: {dongcheng.tier.national.amount: 1000000}\n")
    data = ok_json(invoke("whatif", DONGCHENG, path, "stacking=difference-only", "--format", "json"))
    # difference-only: 1,000,000 less the 100,000 municipal reward: 900,000 + 100,000
    assert money(data["outcome"]["total"]) == (1_000_000, 1_000_000, False)
    assert data["delta"] == {"min": 100_000, "max": 100_000}


def test_whatif_json_out(tmp_path: Path):
    out = tmp_path / "whatif.json"
    result = invoke("whatif", DONGCHENG, "stacking=difference-only", "--format", "json", "--out", out)
    assert ok(result).strip() == f"wrote {out}"
    assert json.loads(out.read_text(encoding="utf-8"))["delta"]["max"] == -100_000


def test_whatif_sweep_json():
    data = ok_json(invoke("whatif", DONGCHENG, "--sweep", SWEEP, "--format", "json"))
    assert data["key"] == "dongcheng.tier.national.amount"
    assert [p["value"] for p in data["points"]] == [0, 250_000, 500_000, 750_000, 1_000_000]
    assert [p["total"]["max"] for p in data["points"]] == [100_000, 350_000, 600_000, 850_000, 1_100_000]
    assert [p["total"]["min"] for p in data["points"]] == [100_000, 350_000, 600_000, 850_000, 1_100_000]


def test_whatif_sweep_on_top_of_a_scenario():
    data = ok_json(invoke("whatif", DONGCHENG, "stacking=difference-only", "--sweep", SWEEP,
                          "--format", "json"))
    # difference-only: the national reward less 100,000 (never below 0), plus the 100,000
    assert [p["total"]["max"] for p in data["points"]] == [100_000, 250_000, 500_000, 750_000, 1_000_000]


def test_whatif_sweep_table():
    out = ok(invoke("whatif", DONGCHENG, "--sweep", SWEEP))
    assert "EX-2: total against" in out and "dongcheng.tier.national.amount" in out
    for value, total in [("250,000", "350,000"), ("1,000,000", "1,100,000")]:
        assert re.search(rf"{value}\s*│\s*{total}", out), (value, total)


def test_whatif_sweep_png(tmp_path: Path):
    out = tmp_path / "sweep.png"
    result = invoke("whatif", DONGCHENG, "--sweep", SWEEP, "--format", "png", "--out", out)
    assert ok(result).strip() == f"wrote {out}"
    assert out.read_bytes()[:8] == PNG_MAGIC


# -- whatif: bad input ------------------------------------------------------------------------------

def test_whatif_unknown_change_key():
    assert_input_error(invoke("whatif", DONGCHENG, "foo=bar"), "unknown change 'foo'", "move, recognition")


def test_whatif_change_without_equals():
    assert_input_error(invoke("whatif", DONGCHENG, "stacking"), "'stacking' is not key=value")


def test_whatif_unknown_reform_rule_suggests_the_nearest():
    line = assert_input_error(invoke("whatif", DONGCHENG, "dongchen.tier.national.amount=5"),
                              "field reform", "reform 'dongchen.tier.national.amount' names no rule",
                              "did you mean 'dongcheng.tier'?")
    assert "shunyi.tier" in line.split("(accepted:", 1)[1]


def test_whatif_reform_of_a_field_that_does_not_exist():
    assert_input_error(invoke("whatif", DONGCHENG, "dongcheng.tier.national.rate=5"),
                       "must end in .amount, .percent or .cap")


def test_whatif_reform_percent_of_a_fixed_reward():
    assert_input_error(invoke("whatif", DONGCHENG, "dongcheng.tier.national.percent=50"),
                       "rule dongcheng.tier pays no percentage")


def test_whatif_reform_negative_amount():
    assert_input_error(invoke("whatif", DONGCHENG, "dongcheng.tier.national.amount=-5"),
                       "'-5' is not a whole number of yuan")


def test_whatif_bad_move_date():
    assert_input_error(invoke("whatif", DONGCHENG, "move=shunyi@2027-13-01"), "'2027-13-01' is not a date")


def test_whatif_unknown_reading_value():
    assert_input_error(invoke("whatif", DONGCHENG, "stacking=wrong"),
                       "reading 'stacking' has no value 'wrong'")


@pytest.mark.parametrize("spec, fragment", [
    ("dongcheng.tier.national.amount=abc", "is not KEY=LOW..HIGH:STEP"),
    ("dongcheng.tier.national.amount=10..1:1", "need LOW <= HIGH"),
    ("dongcheng.tier.national.amount=0..1000000:0", "STEP > 0"),
    ("dongcheng.tier.national.amount=0..100000000:1000", "at most 200 points"),
    ("=1..2:1", "need LOW <= HIGH"),
])
def test_whatif_malformed_sweep(spec: str, fragment: str):
    assert_input_error(invoke("whatif", DONGCHENG, "--sweep", spec), "--sweep", fragment)


def test_whatif_sweep_of_an_unknown_key():
    assert_input_error(invoke("whatif", DONGCHENG, "--sweep", "foo=1..2:1"), "unknown change 'foo'")


def test_whatif_without_scenario_or_sweep():
    assert_input_error(invoke("whatif", DONGCHENG), "SCENARIO",
                       "give at least one scenario (a file or key=value) or --sweep")


def test_whatif_png_without_sweep():
    assert_input_error(invoke("whatif", DONGCHENG, "stacking=difference-only", "--format", "png"),
                       "--format", "--format png draws a --sweep")


def test_whatif_missing_scenario_file(tmp_path: Path):
    assert_input_error(invoke("whatif", DONGCHENG, tmp_path / "nosuch.yaml"), "no such file")


def test_whatif_scenario_file_with_an_unknown_key(tmp_path: Path):
    path = write(tmp_path, "typo.yaml", "nmae: x\nreadings: {stacking: difference-only}\n")
    assert_input_error(invoke("whatif", DONGCHENG, path), "typo.yaml", "unknown key 'nmae'",
                       "did you mean 'name'?")


def test_whatif_scenario_file_cannot_set_an_unknown_field(tmp_path: Path):
    path = write(tmp_path, "set.yaml", "set: {industries: [software]}\n")
    assert_input_error(invoke("whatif", DONGCHENG, path), "set.yaml", "field set.industries",
                       "cannot set 'industries'")


def test_whatif_scenario_file_move_needs_to_and_date(tmp_path: Path):
    path = write(tmp_path, "move.yaml", "move: {to: shunyi}\n")
    assert_input_error(invoke("whatif", DONGCHENG, path), "move.yaml", "a move needs exactly `to` and `date`")


# == evaluate --all-readings =======================================================================

def test_all_readings_json():
    data = ok_json(invoke("evaluate", DONGCHENG, "--all-readings", "--format", "json"))
    assert data["enterprise"] == "EX-2"
    assert len(data["combinations"]) == 512  # nine readings of two values each
    assert len({json.dumps(c["readings"], sort_keys=True) for c in data["combinations"]}) == 512
    assert data["range"] == {"min": 800_000, "max": 900_000, "open_above": False}
    assert money(data["default"]) == (900_000, 900_000, False)
    effects = {e["reading"]: e for e in data["effects"]}
    assert set(effects) == {"stacking=difference-only", "daxing-sentences=split", "claim-lag=as-written",
                            "paying-district=at-claim", "pinggu-relocation-origin=outside-beijing",
                            "entity-scope=any-entity", "interest-cap=per-project",
                            "interest-years=any-three", "audience=recognized"}
    stacking = effects["stacking=difference-only"]
    assert stacking["delta"] == {"min": -100_000, "max": -100_000}
    assert [a["amount"]["max"] for a in stacking["gained"]] == [700_000]
    assert [a["amount"]["max"] for a in stacking["lost"]] == [800_000]
    for name, effect in effects.items():
        if name != "stacking=difference-only":
            assert effect["delta"] == {"min": 0, "max": 0} and not effect["gained"] and not effect["lost"]


def test_all_readings_agrees_with_whatif():
    readings = ok_json(invoke("evaluate", DONGCHENG, "--all-readings", "--format", "json"))
    whatif = ok_json(invoke("whatif", DONGCHENG, "stacking=difference-only", "--format", "json"))
    effect = next(e for e in readings["effects"] if e["reading"] == "stacking=difference-only")
    assert effect["delta"] == whatif["delta"]
    assert effect["gained"] == whatif["gained"] and effect["lost"] == whatif["lost"]


def test_all_readings_table():
    out = ok(invoke("evaluate", DONGCHENG, "--all-readings"))
    assert ("EX-2: total under the default readings 900,000 yuan; across all 512 combinations of "
            "readings 800,000 – 900,000 yuan") in _flat(out)
    assert "stacking=difference-only" in out and "-100,000" in out


def test_all_readings_with_a_reading_is_an_error():
    assert_input_error(invoke("evaluate", DONGCHENG, "--all-readings", "--reading", "stacking=cumulative"),
                       "--reading", "--all-readings already tries every reading")


# == howto ==========================================================================================

@pytest.fixture
def innovative(tmp_path: Path) -> Path:
    return write(tmp_path, "innovative.yaml", INNOVATIVE_ONLY)


def test_howto_shijingshan_tier(innovative: Path):
    data = ok_json(invoke("howto", innovative, "--measure", "shijingshan.tier", "--format", "json"))
    assert (data["enterprise"], data["measure"], data["target"]) == ("H-1", "shijingshan.tier", None)
    assert data["changes_needed"] == 2
    first = data["suggestions"][0]
    assert money(first["amount"]) == (800_000, 800_000, False)
    assert sorted(first["changes"]) == ["move=shijingshan@2026-11-24", "recognition=national@2026-11-24"]
    assert all(len(s["changes"]) == 2 for s in data["suggestions"])
    maxima = [s["amount"]["max"] for s in data["suggestions"]]
    assert maxima == sorted(maxima, reverse=True)


def test_howto_table(innovative: Path):
    out = ok(invoke("howto", innovative, "--measure", "shijingshan.tier"))
    assert "H-1: to get anything from shijingshan.tier, the fewest changes needed: 2" in _flat(out)
    # Each change in words, and as zjtx whatif takes it (to replay).
    flat = _flat(out)
    assert 'recognition as national "little giant" on 2026-11-24 (recognition=national@2026-11-24)' in flat
    assert "a move to Shijingshan on 2026-11-24 (move=shijingshan@2026-11-24)" in flat
    assert "800,000" in out


def test_howto_first_suggestion_applied_with_whatif_gains_the_measure(innovative: Path):
    data = ok_json(invoke("howto", innovative, "--measure", "shijingshan.tier", "--format", "json"))
    first = data["suggestions"][0]
    result = ok_json(invoke("whatif", innovative, *first["changes"], "--format", "json"))
    gained = [a for a in result["gained"] if a["measure"] == "shijingshan.tier"]
    assert gained
    assert sum(a["amount"]["max"] for a in gained) == first["amount"]["max"]
    assert result["delta"]["max"] == first["amount"]["max"]


def test_howto_exhibition_target(innovative: Path):
    data = ok_json(invoke("howto", innovative, "--measure", "m6.exhibition", "--target", "700000",
                          "--format", "json"))
    assert data["target"] == 700_000
    assert data["changes_needed"] == 3  # a municipal tier, the foreign_trade tag and the expense
    assert data["suggestions"]
    for suggestion in data["suggestions"]:
        assert suggestion["amount"]["max"] >= 700_000
        assert "industry=foreign_trade" in suggestion["changes"]
    first = data["suggestions"][0]
    result = ok_json(invoke("whatif", innovative, *first["changes"], "--format", "json"))
    gained = [a for a in result["gained"] if a["measure"] == "m6.exhibition"]
    assert gained and sum(a["amount"]["max"] for a in gained) >= 700_000


def test_howto_nothing_makes_mentougou_relocation_pay(innovative: Path):
    data = ok_json(invoke("howto", innovative, "--measure", "mentougou.relocation", "--format", "json"))
    assert data["changes_needed"] is None
    assert data["suggestions"] == []
    assert data["note"] == "no combination of up to 3 changes makes mentougou.relocation pay"
    out = ok(invoke("howto", innovative, "--measure", "mentougou.relocation"))
    assert "H-1: no combination of up to 3 changes gets anything from mentougou.relocation" in _flat(out)


def test_howto_unreachable_target_has_a_note(innovative: Path):
    data = ok_json(invoke("howto", innovative, "--measure", "shijingshan.tier", "--target", "900000",
                          "--format", "json"))
    assert data["suggestions"] == []
    assert data["note"].endswith("makes shijingshan.tier pay 900,000")


def test_howto_a_measure_that_pays_already():
    data = ok_json(invoke("howto", DONGCHENG, "--measure", "dongcheng.tier", "--format", "json"))
    assert data["changes_needed"] == 0
    assert data["suggestions"] == [{"changes": [], "details": [],
                                    "amount": {"min": 900_000, "max": 900_000, "open_above": False}}]
    assert "(none: it pays already)" in ok(invoke("howto", DONGCHENG, "--measure", "dongcheng.tier"))


def test_howto_unknown_measure(innovative: Path):
    line = assert_input_error(invoke("howto", innovative, "--measure", "nosuch"),
                              "--measure", "unknown measure 'nosuch'")
    assert "shijingshan.tier" in line


def test_howto_target_zero_is_a_usage_error(innovative: Path):
    assert_usage_error(invoke("howto", innovative, "--measure", "shijingshan.tier", "--target", "0"),
                       "--target")


def test_howto_needs_a_measure(innovative: Path):
    assert_usage_error(invoke("howto", innovative), "--measure")


# == bugs ===========================================================================================

def test_scenario_file_with_an_impossible_date_is_an_input_error(tmp_path: Path):
    """Regression (was a bug in models/scenario.py load_scenario: PyYAML's safe_load turns `2027-13-01` into a
    timestamp and raises a plain ValueError ("month must be in 1..12"); load_scenario only
    catches yaml.YAMLError, so `whatif` exits 1 with a traceback instead of exit 2 and one
    `zjtx: error:` line. (The same defect was fixed for record files, see
    tests/test_cli_errors.py::test_bad_date_in_yaml; scenario files were left out.)"""
    path = write(tmp_path, "bad-date.yaml", "move: {to: shunyi, date: 2027-13-01}\n")
    assert_input_error(invoke("whatif", DONGCHENG, path), "bad-date.yaml", "2027-13-01")


def test_json_out_into_a_missing_directory_is_never_a_traceback(tmp_path: Path):
    """Regression (was a bug in cli.py _emit: `--format json --out DIR/x.json` with a DIR that does not exist
    raises FileNotFoundError out of `out.write_text` (exit 1, traceback), whereas `--format png`
    creates the parent directories (views/charts.py mkdir(parents=True)). Expected: the same as
    png (parents created, exit 0) or at least exit 2 with one `zjtx: error:` line. The same
    `_emit` serves `whatif --format json --out`."""
    out = tmp_path / "missing" / "x.json"
    result = invoke("best-district", RELOCATING, "--move-date", "2027-01-15", "--format", "json",
                    "--out", out)
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, OSError), repr(result.exception)
    if result.exit_code == 0:
        assert json.loads(out.read_text(encoding="utf-8"))["horizon"] == [2027, 2029]
    else:
        assert_input_error(result, str(out))


def test_reform_percent_above_100_is_refused():
    """Regression (was a bug in models/catalog reformed/_reform_rule: the catalog's Amount model bounds `percent` to
    0..100 (Field(ge=0, le=100)), but a reform is applied with `model_copy(update=...)`, which
    skips validation. `m6.exhibition.percent=500` is accepted and m6.exhibition then pays up to
    1,500,000 on a 300,000 expense (delta +1,290,000). Expected: exit 2, like other impossible
    reforms (`pays no percentage`, `has no cap`)."""
    result = invoke("whatif", DAXING_FULL, "m6.exhibition.percent=500", "--format", "json")
    assert_input_error(result, "m6.exhibition.percent")


def test_two_inline_moves_are_both_applied_or_refused(tmp_path: Path):
    """Regression (was a bug in models/scenario.py Scenario.merged (`move=other.move or self.move`) and
    parse_inline (`scenario.move = ...`): a scenario holds one move, so
    `whatif R move=shunyi@2027-01-01 move=miyun@2028-01-01 recognition=national@2027-06-30`
    keeps only the Miyun move, while the scenario name still lists both. The national
    recognition of 2027-06-30 is then taken in Dongcheng (800,000) instead of Shunyi (500,000,
    what a scenario file adding both moves gives). Expected: both moves applied in order, or
    exit 2 saying a scenario takes one move; never a change silently ignored."""
    path = write(tmp_path, "dongcheng.yaml", """\
        id: N-1
        district: dongcheng
        as_of: 2026-11-24
        recognitions: [{tier: municipal, date: 2022-09-30}]
    """)
    result = invoke("whatif", path, "move=shunyi@2027-01-01", "move=miyun@2028-01-01",
                    "recognition=national@2027-06-30", "--format", "json")
    if result.exit_code == 2:
        assert_input_error(result, "move")
        return
    data = ok_json(result)
    payers = {a["paid_by"] for a in data["gained"]}
    assert payers == {"shunyi"}, data["gained"]
