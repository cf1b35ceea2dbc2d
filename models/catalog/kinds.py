"""The rule kinds: one registry of what can trigger an award, declared as OpenFisca declares a
variable's inputs. Each kind names the event it pays for, the day that event's facts (tier,
district) are judged on, the facts a rule's conditions may test, the fields of a rule it reads and
whether it may pay re-examinations (`pays_for`).

The compiler binds each kind to its trigger (`solver/compile.py`, an exhaustive `match` that
mypy checks) and builds the facts of every event from this declaration — a trigger that offered a
fact it does not declare, or left one out, fails on the first rule it evaluates. Lint checks every
rule's conditions and fields against it, and the list of kinds in docs/authoring.md is generated
from it (`python models/catalog/kinds.py docs/authoring.md`; a test fails when the page drifts).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

RuleKind = Literal["tier_reward", "relocation_reward", "qualification_reward", "expense",
                   "listing", "listing_district", "patent_annuity"]

# Facts every event offers: what the enterprise is.
ENTERPRISE_FACTS = ("industry", "entity_type")


@dataclass(frozen=True)
class Trigger:
    """What one rule kind pays for and what it reads."""

    kind: RuleKind
    event: str                     # the event that triggers an award, in a sentence
    judged_on: str                 # the day the event's tier and district are judged
    facts: tuple[str, ...]         # the facts its conditions may test, beyond ENTERPRISE_FACTS
    fields: tuple[str, ...]        # the rule fields of its own it reads
    amount: Literal["levels", "amount"] = "amount"  # an amount per ladder level, or one amount
    occasions: bool = False        # may pay re-examinations too (`pays_for`)

    @property
    def offers(self) -> frozenset[str]:
        """Every fact its conditions may test."""
        return frozenset((*self.facts, *ENTERPRISE_FACTS))


# Fields every rule may give, whatever its kind.
COMMON_FIELDS = ("id", "measure", "title", "names", "kind", "quote", "source", "conditions",
                 "only_when", "effective_from", "effective_to")

TRIGGERS: dict[RuleKind, Trigger] = {trigger.kind: trigger for trigger in (
    Trigger("tier_reward",
            "a recognition at a ladder level (`levels`: municipal, national): the first at that "
            "level, and re-examinations when `pays_for` says so",
            "the recognition date", ("tier",),
            ("levels", "r1_group", "difference", "one_time", "previous_year", "pays_for"),
            amount="levels", occasions=True),
    Trigger("relocation_reward",
            "a move into the paying district (never a return to it), with the tier held on the "
            "move date or, under `tier_held: at_move_or_after`, first obtained there since",
            "the move date (or that first recognition)", ("tier", "origin", "move_date"),
            ("amount", "tier_held", "r1_group", "ladder_level", "previous_year")),
    Trigger("qualification_reward",
            "a qualification obtained (or a recognition that counts as one: "
            "`recognition_counts_as`), the first of its kind, and re-examinations when "
            "`pays_for` says so",
            "the qualification date", ("qualification", "tier"),
            ("amount", "recognition_counts_as", "caps", "one_time", "previous_year", "pays_for"),
            occasions=True),
    Trigger("expense",
            "an expense item of one of the rule's `categories`",
            "31 December of the expense year", ("tier", "project_year"),
            ("amount", "categories", "caps", "max_years", "one_time")),
    Trigger("listing",
            "a listing on one of the rule's `boards`",
            "31 December of the listing year", ("tier",),
            ("amount", "boards", "caps")),
    Trigger("listing_district",
            "the award of another measure for a listing (`amount: {not_less_than: MEASURE}`), "
            "which the district of registration matches",
            "31 December of the listing year", ("tier",),
            ("amount", "boards")),
    Trigger("patent_annuity",
            "a patent annuity paid (a percent of the standard annuity, `at_most: paid`)",
            "31 December of the year paid", ("tier", "patent_year"),
            ("amount",)),
)}

# A benefit (non-monetary support) is judged on the enterprise's highest tier.
BENEFIT_FACTS = frozenset(("tier", *ENTERPRISE_FACTS))

# The kinds that may say `pays_for` (read by the rule schema).
OCCASION_KINDS = tuple(kind for kind, trigger in TRIGGERS.items() if trigger.occasions)


def markdown() -> str:
    """The list of kinds for docs/authoring.md."""
    lines = ["| kind | pays for | judged on | its conditions may test | fields it reads |",
             "|---|---|---|---|---|"]
    for trigger in TRIGGERS.values():
        facts = ", ".join(f"`{fact}`" for fact in (*trigger.facts, *ENTERPRISE_FACTS))
        fields = ", ".join(f"`{name}`" for name in trigger.fields)
        lines.append(f"| `{trigger.kind}` | {trigger.event} | {trigger.judged_on} | {facts} | {fields} |")
    lines.append("")
    lines.append("Every rule may also give " + ", ".join(f"`{name}`" for name in COMMON_FIELDS)
                 + "; a benefit's conditions may test " + ", ".join(
                     f"`{fact}`" for fact in ("tier", *ENTERPRISE_FACTS))
                 + " (its highest tier).")
    return "\n".join(lines)


BEGIN = ("<!-- rule kinds: generated from models/catalog/kinds.py "
         "(python models/catalog/kinds.py docs/authoring.md) -->")
END = "<!-- end of the generated rule kinds -->"


def with_kinds(page: str) -> str:
    """`page` with the generated list between its markers replaced by the registry's."""
    head, found, rest = page.partition(BEGIN)
    _old, ended, tail = rest.partition(END)
    if not found or not ended:
        raise ValueError(f"the page has no {BEGIN!r} … {END!r} section")
    return f"{head}{BEGIN}\n{markdown()}\n{END}{tail}"


if __name__ == "__main__":  # python models/catalog/kinds.py docs/authoring.md
    for name in sys.argv[1:]:
        path = Path(name)
        path.write_text(with_kinds(path.read_text(encoding="utf-8")), encoding="utf-8")
