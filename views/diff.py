"""`zjtx measures diff` in words: one line per change, in the command's language (a measure by
its name and id, what changed in the words impact uses, amounts in yuan, vocabulary entries by
their names)."""

from __future__ import annotations

from typing import Any

from models.catalog import Catalog, name
from models.catalog.diff import Change, show_value
from models.i18n import t
from solver.impact import policy_words

LIST_KINDS = {"districts": "place", "tiers": "tier", "entity_types": "entity_type",
              "industries": "industry", "expense_categories": "expense_category",
              "boards": "board", "qualifications": "qualification"}


def _measure(change: Change, catalogs: tuple[Catalog, Catalog], lang: str) -> str:
    declared = next((found for catalog in reversed(catalogs)
                     if (found := catalog.measure_names().get(change.measure)) is not None), None)
    shown = (declared.zh if lang == "zh" else declared.en) if declared else name("measure", change.measure, lang)
    where = change.measure if shown == change.measure else t("diff.named", lang, name=shown, id=change.measure)
    return where + (t("diff.rule", lang, rule=change.rule) if change.rule else "")


def _amount(value: Any, lang: str) -> str:
    """An amount as declared ({fixed: 200000}, {up_to: …}, per level) in words."""
    if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
        return t("impact.sep", lang).join(f"{name('level', level, lang)} {_amount(one, lang)}"
                                          for level, one in value.items())
    if isinstance(value, dict):
        for form in ("fixed", "up_to", "percent", "not_less_than"):
            if value.get(form) is not None:
                shown = f"{value[form]:,}" if isinstance(value[form], int) else str(value[form])
                return t(f"diff.amount.{form}", lang, value=shown)
    return show_value(value)


def diff_line(change: Change, catalogs: tuple[Catalog, Catalog], lang: str) -> str:
    """One change in words: `+`, `-` or `~`, where, what, and the values."""
    mark = {"added": "+", "removed": "-", "changed": "~"}[change.kind]
    if change.measure.startswith("vocabulary."):
        listed = change.measure.removeprefix("vocabulary.")
        kind = LIST_KINDS.get(listed)
        catalog = catalogs[0] if change.kind == "removed" else catalogs[1]
        shown = catalog.vocabulary.name(kind, change.what, lang) if kind and change.what in \
            catalog.vocabulary.ids(kind) else change.what
        return t(f"diff.vocabulary.{change.kind}", lang, mark=mark, list=t(f"diff.list.{listed}", lang),
                 id=change.what, name=shown)
    where = _measure(change, catalogs, lang)
    if change.what in ("measure", "rule"):
        what = policy_words(change.kind, change.what, lang)
        value = change.after if change.kind == "added" else change.before
        shown = value if change.what == "measure" else _amount(value, lang)
        return t("diff.line", lang, mark=mark, where=where, what=what) + \
            (t("diff.value", lang, value=shown) if shown not in (None, "") else "")
    before, after = ((_amount(change.before, lang), _amount(change.after, lang))
                     if change.what == "amount" else (show_value(change.before), show_value(change.after)))
    return t("diff.line", lang, mark=mark, where=where, what=policy_words("changed", change.what, lang)) + \
        t("diff.value", lang, value=f"{before} → {after}")


def diff_lines(changes: list[Change], catalogs: tuple[Catalog, Catalog], lang: str) -> list[str]:
    """Every change in words, then the count."""
    return [diff_line(change, catalogs, lang) for change in changes] + \
        [t("diff.count", lang, count=len(changes))]
