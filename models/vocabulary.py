"""The closed vocabularies of DOMAIN.md section 1: tiers, districts, places, expense categories."""

from __future__ import annotations

TIERS: tuple[str, ...] = ("innovative", "municipal", "national", "privileged")
TIER_RANK: dict[str, int] = {tier: rank for rank, tier in enumerate(TIERS)}

# District tier rewards have two levels; every rule that names `national` holds for `privileged`.
LEVELS: tuple[str, ...] = ("municipal", "national")

DISTRICTS: tuple[str, ...] = (
    "dongcheng", "xicheng", "chaoyang", "haidian", "fengtai", "shijingshan", "mentougou",
    "fangshan", "tongzhou", "shunyi", "changping", "daxing", "huairou", "pinggu", "miyun",
    "yanqing",
)
OUTSIDE_BEIJING = "outside_beijing"
PLACES: tuple[str, ...] = DISTRICTS + (OUTSIDE_BEIJING,)

ENTITY_TYPES: tuple[str, ...] = ("enterprise", "private_non_enterprise")

EXPENSE_CATEGORIES: tuple[str, ...] = (
    "device_purchase", "equipment_rent", "rd_investment", "leased_equipment", "transformation",
    "supply_chain_prototype", "belt_road_investment", "belt_road_interest", "exhibition",
)
BOARDS: tuple[str, ...] = ("a_share", "overseas_major", "neeq")
QUALIFICATIONS: tuple[str, ...] = (
    "key_lab_national", "key_lab_municipal", "tech_center", "innovation_platform",
    "st_progress_award",
)


def level_of(tier: str) -> str | None:
    """The district-ladder level a recognition counts for (privileged counts as national)."""
    if tier == "privileged":
        return "national"
    return tier if tier in LEVELS else None
