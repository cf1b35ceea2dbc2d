"""The memo's soundness rule, checked (solver/memo.py): the batch memo keys a record's dates by
their year and their rank among the dates they can be compared with (the record's own, the
catalog's, the first and last day of their years, the run's). That is sound only while the
compiler, and the parts of the record and the catalog it asks while it compiles, treat a date in
exactly these ways:

- compare it with another date (`<`, `<=`, `==`, `max`, `min`, sorting);
- take its `year`, write it (`isoformat`);
- build the first or the last day of a year (`dt.date(year, 1, 1)`, `dt.date(year, 12, 31)`), which
  the key ranks too.

Anything else — a `timedelta`, a month or a day read off a date, a weekday, `replace`, an
ordinal, today's date — is date arithmetic the key cannot see: two records with the same key
could then get different answers. This test reads the source of every function that runs while a
record is compiled and fails on any such operation, naming the file and line. (The catalog may
derive a date while it is built — an edition closes a rule on the day before — because such a
date lands in a rule's spec, where the catalog's `facts` find it: that too is checked below.)
"""

from __future__ import annotations

import ast
import datetime as dt
import inspect
import textwrap
from pathlib import Path

from models.catalog import Rule, open_catalog
from models.conditions import Condition
from models.record import EnterpriseRecord
from solver import compile as compile_module

ROOT = Path(__file__).resolve().parent.parent

# Attributes of a date (or of the difference of two dates) that read more than its year and order.
FORBIDDEN_ATTRIBUTES = frozenset({"month", "day", "days", "seconds", "toordinal", "fromordinal",
                                  "weekday", "isoweekday", "isocalendar", "replace", "timedelta",
                                  "today", "now", "utcnow", "fromtimestamp", "timestamp"})
FORBIDDEN_NAMES = frozenset({"timedelta", "relativedelta"})
YEAR_ENDS = ((1, 1), (12, 31))
# Lines that read the clock on purpose: the run's date is a part of the key (`answer_key(today=…)`).
RUN_DATE = ("today or dt.date.today()",)

# Everything that runs on a record's dates while it is compiled.
COMPILED_CODE = [compile_module,
                 EnterpriseRecord.district_on, EnterpriseRecord.tier_on,
                 EnterpriseRecord.in_jurisdiction_on, EnterpriseRecord.highest_tier,
                 Condition.holds, Rule.in_force]


def date_arithmetic(source: str, where: str, first_line: int = 1) -> list[str]:
    """Every operation in `source` that reads a date beyond its year and order."""
    found = []
    lines = source.splitlines()
    for node in ast.walk(ast.parse(source)):
        number = getattr(node, "lineno", 1)
        line = f"{where}:{first_line + number - 1}"
        if any(allowed in lines[number - 1] for allowed in RUN_DATE):
            continue
        if isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_ATTRIBUTES:
            found.append(f"{line}: .{node.attr}")
        elif isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
            found.append(f"{line}: {node.id}")
        elif isinstance(node, ast.Call) and _is_date_constructor(node.func):
            month_day = tuple(arg.value if isinstance(arg, ast.Constant) else None
                              for arg in node.args[1:3])
            if month_day not in YEAR_ENDS or node.keywords:
                found.append(f"{line}: a date that is not the first or last day of a year")
    return found


def _is_date_constructor(func: ast.expr) -> bool:
    return (isinstance(func, ast.Attribute) and func.attr == "date") or \
        (isinstance(func, ast.Name) and func.id == "date")


def _source(code: object) -> tuple[str, str, int]:
    lines, first = inspect.getsourcelines(code)  # type: ignore[arg-type]
    path = Path(inspect.getsourcefile(code) or "?").resolve()  # type: ignore[arg-type]
    return textwrap.dedent("".join(lines)), str(path.relative_to(ROOT)), max(first, 1)


def test_the_compiler_treats_dates_only_as_the_memo_key_sees_them() -> None:
    found = [problem for code in COMPILED_CODE for problem in date_arithmetic(*_source(code))]
    assert not found, "date arithmetic the memo key cannot see:\n" + "\n".join(found)


def test_the_check_catches_date_arithmetic_put_into_the_compiler() -> None:
    source, where, first = _source(compile_module)
    assert date_arithmetic(source, where, first) == []
    for bug in ("day + dt.timedelta(days=30)", "dt.date(year, 6, 30)", "event.month",
                "(day - move.date).days", "dt.date.today()", "day.replace(day=1)"):
        broken = source.replace("    def lag(self, rule: Rule) -> int:",
                                f"    def lag(self, rule: Rule) -> int:\n        _ = {bug}", 1)
        assert broken != source
        assert date_arithmetic(broken, where, first), bug


def test_every_date_a_catalog_derives_is_where_the_key_finds_it() -> None:
    """An edition closes a rule on the day before it is in force (catalog date arithmetic at build
    time): the derived `effective_to` must be among the catalog's dates the key ranks with."""
    fixtures = ROOT / "tests" / "catalogs"
    for directory in (None, fixtures / "beijing-later-edition", fixtures / "beijing-lowered-and-ended"):
        catalog = open_catalog(directory)
        dates = catalog.facts.dates
        for rule in catalog.rules:
            for day in (rule.spec.effective_from, rule.spec.effective_to):
                if day is not None:
                    assert isinstance(day, dt.date) and day in dates, (rule.id, day)

