"""The peer: a small OpenFisca model of the district tier rewards, vectorized over enterprises.

Scope (the slice a vectorized model of the same rules covers, DOMAIN.md sections 2-5 under the
default readings): enterprises that never moved, received nothing, hold no Fengtai qualification
and are not in Daxing (nor Fengtai). Their money is the district tier rewards of Dongcheng,
Xicheng, Shijingshan, Mentougou, Shunyi, Pinggu and Miyun:

- a first recognition at a level (privileged counts as national) is claimed the year after
  (`claim-lag=next-year`) and paid by the district of registration (they never moved);
- R1: in one claim year one award per district ladder, the larger (upper amount first);
- R2: Shijingshan, Mentougou and Pinggu pay the national award less the municipal award paid in
  an earlier claim year; Dongcheng, Shunyi, Miyun stack (`stacking=cumulative`);
- R3: a municipal recognition first obtained after the national one is a renewal: nothing;
- `entity-scope=as-written`: no clause in scope names private non-enterprise entities (only
  Daxing's sentence 1 does), so they get nothing.

Amounts are parameters (`parameters/tier_reward/*.yaml`), whole yuan; every variable is an
integer. This module is benchmark-only: it needs the `bench` extra (openfisca-core).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from openfisca_core.entities import build_entity
from openfisca_core.indexed_enums import Enum
from openfisca_core.periods import ETERNITY, YEAR
from openfisca_core.simulations import SimulationBuilder
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable

PARAMETERS = Path(__file__).resolve().parent / "parameters"
PERIOD = "2026"

Enterprise = build_entity(key="enterprise", plural="enterprises", label="An enterprise",
                          is_person=True)


class District(Enum):
    # The districts in scope: every district but Daxing and Fengtai.
    dongcheng = "Dongcheng"
    xicheng = "Xicheng"
    chaoyang = "Chaoyang"
    haidian = "Haidian"
    shijingshan = "Shijingshan"
    mentougou = "Mentougou"
    fangshan = "Fangshan"
    tongzhou = "Tongzhou"
    shunyi = "Shunyi"
    changping = "Changping"
    huairou = "Huairou"
    pinggu = "Pinggu"
    miyun = "Miyun"
    yanqing = "Yanqing"


class district(Variable):
    value_type = Enum
    possible_values = District
    default_value = District.haidian
    entity = Enterprise
    definition_period = ETERNITY
    label = "District of registration (never moved)"


class first_municipal_year(Variable):
    value_type = int
    entity = Enterprise
    definition_period = ETERNITY
    label = "Year of the first municipal recognition (0: none)"


class first_national_year(Variable):
    value_type = int
    entity = Enterprise
    definition_period = ETERNITY
    label = "Year of the first national (or privileged) recognition (0: none)"


class private_non_enterprise(Variable):
    value_type = bool
    entity = Enterprise
    definition_period = ETERNITY
    label = "A private non-enterprise entity (民办非企业单位), not an enterprise"


def _ladder(enterprise, period, parameters):
    """Which awards are paid and the R2 cut, as arrays."""
    where = enterprise("district", period)
    tier = parameters(period).tier_reward
    municipal = tier.municipal[where]
    national_min, national_max = tier.national_min[where], tier.national_max[where]
    m = enterprise("first_municipal_year", period)
    n = enterprise("first_national_year", period)
    has_m = (m > 0) & (municipal > 0)
    has_n = (n > 0) & (national_max > 0)
    renewal = has_m & has_n & (m > n)               # R3: municipal after national pays nothing
    same_year = has_m & has_n & (m == n)            # same claim year: R1 keeps the larger
    national_wins = (national_max > municipal) | ((national_max == municipal) & (national_min >= municipal))
    pay_m = has_m & ~renewal & ~(same_year & national_wins)
    pay_n = has_n & ~(same_year & ~national_wins)
    difference = (tier.difference_only[where] > 0) & pay_m & pay_n & (m < n)
    return municipal, national_min, national_max, pay_m, pay_n, difference


def _total(enterprise, period, parameters, bound: str):
    """The ladder's total at the lower (`min`) or upper (`max`) bound of the national amount."""
    municipal, low, high, pay_m, pay_n, difference = _ladder(enterprise, period, parameters)
    national = low if bound == "min" else high
    cut = np.where(difference, np.minimum(national, municipal), 0)  # R2: the difference only
    total = np.where(pay_m, municipal, 0) + np.where(pay_n, national - cut, 0)
    return np.where(enterprise("private_non_enterprise", period), 0, total)  # entity-scope


class tier_rewards_min(Variable):
    value_type = int
    entity = Enterprise
    definition_period = YEAR
    label = "District tier rewards, lower total (yuan)"

    def formula(enterprise, period, parameters):
        return _total(enterprise, period, parameters, "min")


class tier_rewards_max(Variable):
    value_type = int
    entity = Enterprise
    definition_period = YEAR
    label = "District tier rewards, upper total (yuan)"

    def formula(enterprise, period, parameters):
        return _total(enterprise, period, parameters, "max")


def system() -> TaxBenefitSystem:
    tbs = TaxBenefitSystem([Enterprise])
    tbs.add_variables(district, first_municipal_year, first_national_year,
                      private_non_enterprise, tier_rewards_min, tier_rewards_max)
    tbs.load_parameters(str(PARAMETERS))
    return tbs


def columns(lines) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """JSON lines → ids, district names, first municipal and first national recognition years,
    and whether each is a private non-enterprise entity."""
    import orjson

    ids, places, first_m, first_n, private = [], [], [], [], []
    for line in lines:
        if not line.strip():
            continue
        data = orjson.loads(line)
        m = n = 0
        for item in data.get("recognitions", ()):
            year = int(item["date"][:4])
            if item["tier"] == "municipal":
                m = year if not m else min(m, year)
            elif item["tier"] in ("national", "privileged"):
                n = year if not n else min(n, year)
        ids.append(data["id"])
        places.append(data["district"])
        first_m.append(m)
        first_n.append(n)
        private.append(data.get("entity_type", "enterprise") == "private_non_enterprise")
    return (ids, np.array(places), np.array(first_m, dtype=np.int32),
            np.array(first_n, dtype=np.int32), np.array(private, dtype=bool))


def totals(tbs: TaxBenefitSystem, path: Path) -> tuple[list[str], np.ndarray, np.ndarray]:
    """From the JSON Lines file to per-enterprise lower and upper totals."""
    with path.open("rb") as handle:
        ids, places, first_m, first_n, private = columns(handle)
    simulation = SimulationBuilder().build_default_simulation(tbs, len(ids))
    simulation.set_input("district", "ETERNITY", District.encode(places))
    simulation.set_input("first_municipal_year", "ETERNITY", first_m)
    simulation.set_input("first_national_year", "ETERNITY", first_n)
    simulation.set_input("private_non_enterprise", "ETERNITY", private)
    return (ids, simulation.calculate("tier_rewards_min", PERIOD),
            simulation.calculate("tier_rewards_max", PERIOD))
