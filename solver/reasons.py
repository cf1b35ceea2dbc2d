"""Reasons as data: why an award pays what it pays, and why a measure, level or event brings
nothing. A reason is a code and its parameters; `views/reasons.py` turns it into words (one
template per code, so that every language renders the same codes).

Parameters are plain values (text, whole yuan, years, dates as YYYY-MM-DD); ids (`measure`,
`level`, `district`) stay ids and every measure a person reads about comes with its `title`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Union

Param = Union[str, int, None]


@dataclass(frozen=True)
class Reason:
    """One reason: `code` names the template, `params` fill it."""

    code: str
    params: dict[str, Param] = field(default_factory=dict)

    def get(self, key: str) -> Param:
        return self.params.get(key)

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "params": dict(self.params)}


def reason(code: str, *about: Mapping[str, Param], **params: Param) -> Reason:
    """`reason("no_recognition", level="national")`; `about` (the event a reason is about, a
    cap's description) comes first, and named parameters win over it."""
    merged: dict[str, Param] = {}
    for part in about:
        merged.update(part)
    merged.update(params)
    return Reason(code=code, params=merged)


# -- codes ----------------------------------------------------------------------------------------
# Why an award pays (its own facts, then the rules that shaped its amount).
FIRST_RECOGNITION = "first_recognition"        # level, date, tier
REVIEW_PASSED = "review_passed"                # level, date, tier, first_date
REGISTERED_IN = "registered_in"                # district, date, at_claim (year or None)
CLAIMED_IN = "claimed_in"                      # claim_year, event_year
CONDITION_MET = "condition_met"                # field, op, value
MOVED_INTO = "moved_into"                      # origin, district, date
TIER_QUALIFIES = "tier_qualifies"              # tier, date, district, at_move (1/0)
QUALIFICATION = "qualification"                # kind, date, district
EXPENSE_ITEM = "expense_item"                  # expense, category, amount, year, project, project_year, own_project
LISTING = "listing"                            # board, year
TIER_AT_YEAR_END = "tier_at_year_end"          # tier, year, since (the first recognition at the tier)
DISTRICT_MATCHES = "district_matches"          # district, counterpart_title
PATENT_ANNUITY = "patent_annuity"              # patent, year, patent_year, percent, standard, share, paid
LIMIT_BOUND = "limit_bound"                    # limit, base, scope
R2_RECEIVED = "r2_received"                    # full, received, received_title, received_year…
R1_RECEIVED = "r1_received"                    # full, received, received_title, received_year…
LADDER_CLOSED = "ladder_closed"                # full, top, room, received, ladder_title
STACKED_IN_FULL = "stacked_in_full"            # full, reading
R2_PAID = "r2_paid"                            # full, lower, lower_tier, lower_year
CAP_BOUND = "cap_bound"                        # cap…, full, paid, others
R1_PREFERRED = "r1_preferred"                  # rival_title, rival_tier, rival_min, rival_max
RECEIVED = "received"                          # year, amount, counts (ladder|cap|one_time), cap_limit

# Why nothing is paid (facts of the record, checked while compiling).
NO_RECOGNITION = "no_recognition"              # level
RENEWAL_BELOW_HELD = "renewal_below_held"      # level, date, held, held_date
REGISTERED_ELSEWHERE = "registered_elsewhere"  # event…, district, payer, date, at_claim
CONDITION_FAILED = "condition_failed"          # event…, field, op, value, fact
ENTITY_NOT_NAMED = "entity_not_named"          # entity_type, reading
NO_MOVE_INTO = "no_move_into"                  # district
NOT_CONTINUOUS = "not_continuous"              # event…, first_tier, first_date, where
RETURN_NOT_RELOCATION = "return_not_relocation"  # event…, district, date, left
LADDER_LEVEL_RECEIVED = "ladder_level_received"  # event…, received_title, received_year, received
NO_QUALIFICATION = "no_qualification"          #
SAME_QUALIFICATION = "same_qualification"      # event…
NOT_IN_BEIJING = "not_in_beijing"              # event…, date
NO_EXPENSE = "no_expense"                      # categories
ONE_TIME_RECEIVED = "one_time_received"        # event…
NO_LISTING = "no_listing"                      # boards
NO_COUNTERPART = "no_counterpart"              # counterpart_title
NO_PATENT = "no_patent"                        #
OUTSIDE_EFFECTIVE_DATES = "outside_effective_dates"  # event…, date, effective_from, effective_to
NO_TRIGGER = "no_trigger"                      #

# Why a candidate that could pay was not paid (the optimizer's choice under R1–R5).
R1_RIVAL = "r1_rival"                          # event…, rival_title, rival_tier, rival_min, rival_max
R3_ALREADY_PAID = "r3_already_paid"            # event…, rival_title, rival_year
R4_EXPENSE_TAKEN = "r4_expense_taken"          # event…, expense, rival_title
CAP_USED_UP = "cap_used_up"                    # event…, cap…, others
YEAR_LIMIT_REACHED = "year_limit_reached"      # event…, limit, project, years
FIRST_YEARS_USED = "first_years_used"          # event…, limit, project, years
RECEIVED_COVERS = "received_covers"            # event…, full, deducted, rule (r1|r2|closed)
DIFFERENCE_FLOORED = "difference_floored"      # event…, full, deducted, lower_tier
MIRROR_ZERO = "mirror_zero"                    # event…, counterpart_title
NOT_CHOSEN = "not_chosen"                      # event…
AMOUNT_ZERO = "amount_zero"                    # event…

WHY_NOT_CHOSEN = (R1_RIVAL, R3_ALREADY_PAID, R4_EXPENSE_TAKEN, CAP_USED_UP, YEAR_LIMIT_REACHED,
                  DIFFERENCE_FLOORED, RECEIVED_COVERS, MIRROR_ZERO, NOT_CHOSEN, AMOUNT_ZERO)
