"""A question asked of one record, as data: the command (evaluate, timeline, best-district,
whatif) and every option that shapes its answer, and `ask`, the one road from a question to the
typed answer each of those commands prints. The CLI asks through it; an evidence bundle records
the question beside the answer, and `zjtx verify` asks it again with the package in the bundle.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from models.catalog import Catalog
from models.errors import BugError, InputError, ReadingError
from models.i18n import t
from models.record import EnterpriseRecord, is_json, parse_record_bytes
from models.scenario import Scenario, parse_inline, scenario_from_bytes
from solver.evaluate import evaluate
from solver.explain import Evaluation
from solver.notices import Notice, record_notices
from solver.planner import (DEFAULT_HORIZON_YEARS, AllReadings, Ranking, Sweep, TimelineYear,
                            WhatIf, all_readings, best_district, parse_sweep, sweep, timeline,
                            whatif)

COMMANDS = ("evaluate", "timeline", "best-district", "whatif")


@dataclass(frozen=True)
class ScenarioFile:
    """A scenario file as read: its name (the stem names an unnamed scenario) and its bytes."""

    name: str
    data: bytes


ScenarioItem = str | ScenarioFile  # an inline change (`move=shunyi@2027-01-01`) or a file


@dataclass(frozen=True)
class Question:
    """What was asked of a record. `today` is the day the answer was worked out on, kept only
    when the record has no `as_of` (then statuses and the default move date depend on it)."""

    command: str
    readings: dict[str, str] = field(default_factory=dict)   # as given (--reading)
    solver: str = "auto"                                     # evaluate
    all_readings: bool = False                               # evaluate
    move_date: dt.date | None = None                         # best-district
    horizon_years: int = DEFAULT_HORIZON_YEARS               # best-district
    rank_by: str = "max"                                     # best-district
    scenario: tuple[ScenarioItem, ...] = ()                  # whatif
    sweep: str | None = None                                 # whatif
    today: dt.date | None = None

    def __post_init__(self) -> None:
        if self.command not in COMMANDS:
            raise InputError(t("evidence.unknown_command", command=self.command),
                             accepted=", ".join(COMMANDS))

    def on(self, record: EnterpriseRecord, today: dt.date) -> Question:
        """This question as asked on `today` of `record`: the day kept only when it matters."""
        return Question(**{**self.__dict__, "today": None if record.as_of else today})


@dataclass(frozen=True)
class Timeline:
    """The claim timeline of an evaluation (`zjtx timeline`)."""

    evaluation: Evaluation
    years: tuple[TimelineYear, ...]

    def as_dict(self) -> dict[str, object]:
        return {"enterprise": self.evaluation.enterprise,
                "years": [year.as_dict() for year in self.years]}


Result = Evaluation | AllReadings | Timeline | Ranking | WhatIf | Sweep
R = TypeVar("R", Evaluation, AllReadings, Timeline, Ranking, WhatIf, Sweep)


@dataclass(frozen=True)
class Answer:
    """The typed answer to a question, and the warnings about its record (evaluate)."""

    question: Question
    result: Result
    notices: tuple[Notice, ...] = ()

    def document(self) -> dict[str, object]:
        """The JSON the command prints with `--format json`, before its words are added
        (`views.reasons.with_text`, `views.words.with_names`: the reasons' texts, the warnings'
        messages)."""
        document = self.result.as_dict()
        if isinstance(self.result, Evaluation):
            document = {**document, "warnings": [notice.as_dict() for notice in self.notices]}
        return document

    def result_as(self, kind: type[R]) -> R:
        """The result, which the question's command makes a `kind` (else a bug)."""
        if not isinstance(self.result, kind):
            raise BugError(f"`{self.question.command}` answered {type(self.result).__name__}, "
                           f"not {kind.__name__}")
        return self.result


def scenario_of(items: tuple[ScenarioItem, ...], catalog: Catalog) -> Scenario:
    """The scenario the items make together, in their order (a file, or an inline change)."""
    keys = list(catalog.index.readings)
    combined = Scenario(name="")
    for item in items:
        part = (scenario_from_bytes(item.data, source=item.name, stem=Path(item.name).stem,
                                    as_json=is_json(item.name))
                if isinstance(item, ScenarioFile) else parse_inline([item], keys))
        combined = combined.merged(part)
    return combined


def ask(question: Question, record: EnterpriseRecord, catalog: Catalog) -> Answer:
    """Answer `question` about `record` from `catalog`: what the command computes, typed."""
    readings, today = question.readings, question.today
    if question.command == "evaluate":
        if question.all_readings:
            if readings:
                raise ReadingError(t("option.all_readings"), field="readings")
            return Answer(question, all_readings(record, catalog=catalog, today=today))
        result = evaluate(record, readings, catalog=catalog, today=today, solver=question.solver)
        return Answer(question, result, tuple(record_notices(record, readings, catalog=catalog)))
    if question.command == "timeline":
        evaluation = evaluate(record, readings, catalog=catalog, today=today)
        return Answer(question, Timeline(evaluation, timeline(evaluation)))
    if question.command == "best-district":
        return Answer(question, best_district(record, question.move_date, question.horizon_years,
                                              readings, catalog=catalog, today=today,
                                              rank_by=question.rank_by))
    combined = scenario_of(question.scenario, catalog)
    if question.sweep:
        key, values = parse_sweep(question.sweep)
        return Answer(question, sweep(record, key, values, combined, readings, catalog=catalog,
                                      today=today))
    if not question.scenario:
        raise InputError(t("option.no_scenario"), field="SCENARIO")
    return Answer(question, whatif(record, combined, readings, catalog=catalog, today=today))


def ask_bytes(question: Question, raw: bytes, *, as_json: bool, source: str, catalog: Catalog,
              today: dt.date) -> tuple[Question, EnterpriseRecord, Answer]:
    """The record read from its file's bytes (or a request body), the question as asked of it on
    `today` (`Question.on`), and the answer: what an evidence bundle keeps, read once."""
    record = parse_record_bytes(raw, source=source, as_json=as_json, catalog=catalog)
    asked = question.on(record, today)
    return asked, record, ask(asked, record, catalog)
