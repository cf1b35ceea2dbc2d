"""The `zjtx` command line: parse arguments, call the solver, render, and map the error tree to
exit statuses in one place (`EXIT_STATUS`; `zjtx --help` lists them: 0 fine, 1 lint errors or
batch rows in the errors file, 2 bad input, 3 a bug in zjtx, 4 a broken catalog package, 130/143
interrupted). Help and usage errors speak the command's language (views/cli_help.py)."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import inspect
import json
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from typer.core import TyperCommand, TyperGroup

try:  # typer ≥ 0.20 carries its own click
    from typer import _click as click
except ImportError:  # pragma: no cover - an older typer, on click itself
    import click  # type: ignore[no-redef]

from models.catalog import (Catalog, active_catalog, open_catalog, own_catalog,
                            set_active_catalog, using_catalog)
from models.errors import (BugError, CatalogError, InputError, ReadingError, SolverError,
                           ZjtxError)
from models.i18n import current_lang, t, using_lang
from formats.safety import check_outputs, safe_name
from models.limits import (EVAL_THREADS, LOOPBACK_HOSTS, MAX_BODY_BYTES, MAX_HORIZON_YEARS,
                           MAX_YUAN, TIME_BUDGET_SECONDS)
from models.normalize import read_day
from models.packages import locate
from service.settings import HEAD_SECONDS, MAX_WAITING, ServiceSettings
from models.record import load_record
from views.fonts import MissingGlyph

if TYPE_CHECKING:
    from rich.console import Console

    from models.record import EnterpriseRecord
    from solver.questions import Answer, Question

class Lang(str, Enum):
    zh = "zh"
    en = "en"


LangOption = Annotated[Lang | None, typer.Option(
    "--lang", help="zh (中文) or en; default ZJTX_LANG, then the locale (zh_* → zh, else en).")]
ROOT_LANG = "zjtx_lang"  # ctx.meta: the top-level --lang (`zjtx --lang zh evaluate …`)


def _speaks(command: Callable[..., Any]) -> Callable[..., Any]:
    """Give a command `--lang zh|en`: the language every word it prints is in (ids stay ids); a
    command without it speaks the top-level --lang, else ZJTX_LANG, else the locale. A command
    with its own --lang (headers of a file it writes) speaks that language too. The language is
    passed on explicitly (batch workers get it with their job), never through the environment."""
    signature = inspect.signature(command, eval_str=True)
    own = "lang" in signature.parameters

    @functools.wraps(command)
    def speaking(*args: Any, **kwargs: Any) -> Any:
        lang = kwargs.get("lang") if own else kwargs.pop("lang", None)
        lang = getattr(lang, "value", lang)
        with using_lang(lang if lang in ("zh", "en") else current_lang()):
            return command(*args, **kwargs)

    if not own:
        extra = inspect.Parameter("lang", inspect.Parameter.KEYWORD_ONLY, default=None,
                                  annotation=LangOption)
        speaking.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=[*signature.parameters.values(), extra])
        speaking.__annotations__ = {**command.__annotations__, "lang": LangOption}
    return speaking


class _Speaking:
    """Help and usage errors in the command's language (views/cli_help.py): `--lang` is read from
    the whole line before click prints either."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        from views.cli_help import print_usage_error, sniff_lang

        sniff_lang(ctx, args)
        given = list(args)  # the parser consumes `args`
        try:
            return super().parse_args(ctx, args)  # type: ignore[misc, no-any-return]
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.exceptions.UsageError as exc:
            print_usage_error(exc, self, ctx, given)
            raise typer.Exit(2) from None

    def get_help_option_names(self, ctx: Any) -> list[str]:
        """`-h, --help` in the order declared: typer's click keeps them in a set, whose order
        followed PYTHONHASHSEED (`--help, -h` in one process, `-h, --help` in the next)."""
        taken = {name for param in self.params  # type: ignore[attr-defined]
                 for name in (*param.opts, *param.secondary_opts)}
        return [name for name in dict.fromkeys(ctx.help_option_names) if name not in taken]

    def format_help(self, ctx: Any, formatter: Any) -> None:
        from views.cli_help import render_help

        render_help(self, ctx)

    def invoke(self, ctx: Any) -> Any:
        """Run under the top-level --lang, when one was given (a command's own --lang wins)."""
        from views.cli_help import print_usage_error

        chosen = ctx.find_root().meta.get(ROOT_LANG)
        try:
            with contextlib.nullcontext() if chosen is None else using_lang(chosen):
                return super().invoke(ctx)  # type: ignore[misc]
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.exceptions.UsageError as exc:  # a group's: a missing or unknown command
            print_usage_error(exc, self, ctx, [])
            raise typer.Exit(2) from None


class ZjtxCommand(_Speaking, TyperCommand):
    pass


class ZjtxGroup(_Speaking, TyperGroup):
    pass


class _Typer(typer.Typer):
    """typer.Typer whose every command takes --lang, answers from its own catalog and helps in
    its language."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cls=ZjtxGroup, context_settings={"help_option_names": ["-h", "--help"]},
                         **kwargs)

    def command(self, *args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:  # type: ignore[override]
        register = super().command(*args, cls=ZjtxCommand, **kwargs)
        return lambda command: register(own_catalog(_speaks(command)))


T = TypeVar("T")
# The error tree → exit statuses: bad input is the user's to fix (2); a broken catalog package
# is a configuration problem, whoever typed the command (4); anything else is a bug (3).
EXIT_STATUS = {InputError: 2, CatalogError: 4, SolverError: 3, BugError: 3}


app = _Typer(
    name="zjtx", no_args_is_help=True, add_completion=False,
    help="Which Beijing support measures for specialized and sophisticated SMEs apply to an "
         "enterprise, how much they pay, when, why, and whom to call.\n\n"
         "Example: zjtx evaluate examples/shijingshan-municipal-then-national.yaml")


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(t("help.version", version=version("zjtx")))
        raise typer.Exit()


@app.callback()
def _zjtx(ctx: typer.Context, lang: LangOption = None,
          version: Annotated[bool, typer.Option("--version", is_eager=True, callback=_version,
                                                help="Print the version of zjtx and exit.")] = False
          ) -> None:
    """The top level: `zjtx --lang zh COMMAND …` speaks Chinese for any command."""
    if lang is not None:
        ctx.meta[ROOT_LANG] = lang.value


def _group_lang(ctx: typer.Context, lang: LangOption = None) -> None:
    """A group's --lang (`zjtx measures --lang zh list`), as the top level's."""
    if lang is not None:
        ctx.meta[ROOT_LANG] = lang.value


measures_app = _Typer(no_args_is_help=True, help="Browse and check the catalog of measures.")
measures_app.callback()(_group_lang)
app.add_typer(measures_app, name="measures")
recognitions_app = _Typer(no_args_is_help=True, help="The lists of newly recognized enterprises the bureaus publish (免申即享): who qualifies without applying.")
recognitions_app.callback()(_group_lang)
app.add_typer(recognitions_app, name="recognitions")


class Format(str, Enum):
    table = "table"
    json = "json"


class RankBy(str, Enum):
    max = "max"
    min = "min"


class ChartFormat(str, Enum):
    table = "table"
    json = "json"
    png = "png"


def _console() -> Console:
    """The terminal's width; in a pipe or a file, COLUMNS when it is set, else 120."""
    from rich.console import Console

    columns = os.environ.get("COLUMNS", "")
    width = None if sys.stdout.isatty() else int(columns) if columns.isdigit() else 120
    return Console(width=width, soft_wrap=False)


def _run(action: Callable[[], T]) -> T:
    """Run an action; a ZjtxError becomes one line on stderr and its exit status, no traceback."""
    try:
        with _glyph_warnings():
            return action()
    except ZjtxError as exc:
        status = next((code for kind, code in EXIT_STATUS.items() if isinstance(exc, kind)), 2)
        _name_the_flag(exc)
        for line in str(exc).splitlines():  # every problem of the input, one line each
            typer.echo(t("error.prefix") + line, err=True)
        raise typer.Exit(status) from None


@contextlib.contextmanager
def _glyph_warnings() -> Iterator[None]:
    """A chart character no bundled font draws is one warning line naming it (not Python's
    warning with a file and line number); other warnings are shown as before."""
    with warnings.catch_warnings():
        shown = warnings.showwarning

        def show(message: Any, category: type[Warning], *args: Any, **kwargs: Any) -> None:
            if issubclass(category, MissingGlyph):
                typer.echo(t("error.warning") + str(message), err=True)
            else:
                shown(message, category, *args, **kwargs)
        warnings.showwarning = show
        warnings.simplefilter("always", MissingGlyph)
        yield


# The record and request fields the solver names in its errors → the options that set them here.
FLAGS = {"move_date": "--move-date", "horizon_years": "--horizon-years", "solver": "--solver",
         "measure": "--measure", "target": "--target", "tier": "--tier", "rank_by": "--rank-by",
         "readings": "--reading"}


def _name_the_flag(exc: ZjtxError) -> None:
    """The solver speaks of fields (`move_date`, `readings.stacking`); a command-line user set
    them with options (`--move-date`, `--reading stacking`)."""
    field = exc.field or ""
    head, dot, rest = field.partition(".")
    if head in FLAGS and not exc.file:
        exc.field = FLAGS[head] + (f" {rest}" if dot else "")


def parse_readings(values: list[str] | None) -> dict[str, str]:
    """`["stacking=difference-only"]` → `{"stacking": "difference-only"}`."""
    readings: dict[str, str] = {}
    for value in values or []:
        key, sep, choice = value.partition("=")
        if not sep or not key.strip() or not choice.strip():
            raise ReadingError(t("option.not_key_value", value=value), field="--reading",
                               accepted=t("accepted.reading"))
        readings[key.strip()] = choice.strip()
    return readings


def dump_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


CatalogOption = Annotated[Path | None, typer.Option(
    "--catalog", metavar="NAME|DIR", help="Answer from a shipped catalog package by name "
    "(`zjtx measures packages` lists them: beijing-2022, the default, is the October 2022 "
    "brochure; beijing-2025 adds the later district rules found in published sources) or from "
    "the package in DIR. `zjtx measures export DIR` starts one; docs/authoring.md tells how.")]


def _use_catalog(directory: Path | None) -> Catalog:
    """Load the package (a shipped one by name; a broken one is a CatalogError naming file and
    path) and make it the active catalog of this command: records are validated against it,
    views name things by it."""
    catalog = open_catalog(locate(directory))
    set_active_catalog(catalog)
    return catalog


def _catalog_path(directory: Path | None) -> str | None:
    """The package directory a command's workers load (a shipped name resolved), or None."""
    found = locate(directory)
    return str(found.resolve()) if found is not None else None


ReadingOption = Annotated[list[str] | None, typer.Option(
    "--reading", "-r", metavar="KEY=VALUE",
    help="Pick an alternative reading of an ambiguous clause, e.g. --reading "
         "stacking=difference-only. Repeatable. `zjtx measures readings` lists them.")]


EvidenceOption = Annotated[Path | None, typer.Option(
    "--evidence", metavar="FILE.zip", help="Also write the answer as evidence a bureau can file: "
    "the record as read and as normalized, the catalog package used (its files and their SHA-256), "
    "the answer with its reasons in both languages, every clause quoted with its source, the zjtx "
    "version, a SHA-256 manifest. `zjtx verify FILE.zip` checks it; the same inputs give the same bytes.")]


def _ask(record_path: Path, question: Question, evidence: Path | None,
         scenario_paths: tuple[Path, ...] = ()) -> tuple[EnterpriseRecord, Answer]:
    """Read the record, answer the question (`solver.questions.ask`, the one road) and, with
    --evidence, write the bundle beside (the record's bytes as read, never read twice)."""
    from models.record import is_json, read_record_bytes
    from solver.questions import ask_bytes

    if evidence is not None:
        from formats.safety import check_outputs

        check_outputs(_inputs(record_path, *scenario_paths), {"--evidence": evidence})
    raw = read_record_bytes(record_path)
    question, the_record, answer = ask_bytes(question, raw, as_json=is_json(record_path),
                                             source=str(record_path), catalog=active_catalog(),
                                             today=dt.date.today())
    if evidence is not None:
        from formats.bundle import sha256
        from formats.evidence import evidence_bundle

        data = evidence_bundle(question, raw, is_json(record_path), the_record, answer,
                               active_catalog())
        partial = evidence.with_name(evidence.name + ".zjtx-partial")
        partial.write_bytes(data)
        os.replace(partial, evidence)
        typer.echo(t("evidence.wrote", path=evidence, sha256=sha256(data)), err=True)
    return the_record, answer


@app.command()
def evaluate(
    record: Annotated[Path, typer.Argument(help="An enterprise record, YAML or JSON (see examples/).")],
    reading: ReadingOption = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="table for people, json for programs.")] = Format.table,
    all_readings: Annotated[bool, typer.Option("--all-readings", help="Evaluate under every combination of readings: the range of totals and which reading moves which award.")] = False,
    solver: Annotated[str, typer.Option("--solver", metavar="auto|exact|cp-sat", help="auto (the exact fast path, CP-SAT for large components), exact, or cp-sat (always CP-SAT).")] = "auto",
    catalog: CatalogOption = None,
    evidence: EvidenceOption = None,
) -> None:
    """Evaluate one enterprise: every award with its amount, claim year, payer, clause and contact, the total still to come, and why each other measure does not pay.

    Example: zjtx evaluate examples/daxing-hydrogen-municipal.yaml --format json --evidence answer.zip
    """
    from solver.explain import Evaluation
    from solver.planner import AllReadings
    from solver.questions import Question
    from views.notices import notice_text
    from views.planner import readings_view
    from views.table import evaluation_view

    def action() -> None:
        _use_catalog(catalog)
        question = Question("evaluate", parse_readings(reading), solver=solver,
                            all_readings=all_readings)
        _, answer = _ask(record, question, evidence)
        for notice in answer.notices:  # never silent: on stderr whatever the format
            typer.echo(t("error.warning") + notice_text(notice), err=True)
        _show(format, answer.document(), lambda: readings_view(answer.result_as(AllReadings))
              if all_readings else evaluation_view(answer.result_as(Evaluation),
                                                   active_catalog().default_readings()))
    _run(action)


def _inputs(*paths: Path | None) -> list[Path]:
    """What a command reads, that no output may overwrite: its files, and the files of the
    active catalog package."""
    package = active_catalog().package
    found = [path for path in paths if path is not None]
    if package is not None:
        found += [root / "index.yaml" for root in package.chain] + list(package.paths.values())
    return found


def _out(out: Path | None, inputs: list[Path], *, chart: bool = False,
         option: str = "--out") -> Path | None:
    """Where `--out` really writes, checked before any work (formats.safety): a chart is a
    .png (`x` becomes `x.png`)."""
    from formats.safety import output_path

    if out is None:
        return None
    return output_path(out, option, inputs, suffixes=(".png",) if chart else (),
                       default_suffix=".png" if chart else None)


DateOption = Annotated[str | None, typer.Option("--move-date", metavar="DATE", help="When the move would happen (default: the record's as_of, else today).")]


def _parse_date(value: str | None, option: str) -> dt.date | None:
    """A date option as people type it (2026-12-01, 2026/12/1, 2026年12月1日), as a record reads it."""
    return None if value is None else read_day(value, option)


@app.command("best-district")
def best_district(
    record: Annotated[Path, typer.Argument(help="An enterprise record, YAML or JSON.")],
    move_date: DateOption = None,
    horizon_years: Annotated[int, typer.Option("--horizon-years", min=0, max=MAX_HORIZON_YEARS, help="Claim years counted: the move year and the N after it.")] = 2,
    reading: ReadingOption = None,
    format: Annotated[ChartFormat, typer.Option("--format", "-f", help="table, json, or png (a ranking chart).")] = ChartFormat.table,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Where to write (png default: ID-best-district.png).")] = None,
    rank_by: Annotated[RankBy, typer.Option("--rank-by", help="max: rank by the upper total (what the brochure's 'up to' amounts allow); min: by the guaranteed lower total. Ties keep the current district first.")] = RankBy.max,
    catalog: CatalogOption = None,
    evidence: EvidenceOption = None,
) -> None:
    """Rank Beijing's 16 districts by what moving there would bring within the horizon.

    Example: zjtx best-district examples/relocating-little-giant.yaml --move-date 2027-01-15 --format png --out docs/best-district.png
    """
    from solver.planner import Ranking
    from solver.questions import Question
    from views.charts import ranking_chart
    from views.planner import ranking_view

    def action() -> None:
        _use_catalog(catalog)
        png = format is ChartFormat.png
        target = _out(out, _inputs(record), chart=png)  # (before the work; a default name after)
        question = Question("best-district", parse_readings(reading),
                            move_date=_parse_date(move_date, "--move-date"),
                            horizon_years=horizon_years, rank_by=rank_by.value)
        ranking = _ask(record, question, evidence)[1].result_as(Ranking)
        if png:
            chart = target or Path(safe_name(f"{ranking.enterprise}-best-district") + ".png")
            check_outputs(_inputs(record), {"--out": chart})
            typer.echo(t("cli.wrote", path=ranking_chart(ranking, chart)))
        else:
            _show(format, ranking.as_dict(), lambda: ranking_view(ranking), target)
    _run(action)


def _show(format: Enum, data: Any, view: Callable[[], Any], out: Path | None = None) -> None:
    """JSON (to stdout or --out) for programs, a rich view for people."""
    if format.value == "json":
        from views.reasons import with_text
        from views.words import with_names

        if hasattr(data, "as_dict"):  # a typed result
            data = data.as_dict()
        _emit(dump_json(with_names(with_text(data))), out)
    else:
        _console().print(view())


def _emit(text: str, out: Path | None) -> None:
    """`text` on stdout, or into `out` (checked by `_out` before the work)."""
    from formats.safety import writing

    if out is None:
        typer.echo(text)
    else:
        with writing(out, "--out"):
            out.write_text(text + "\n", encoding="utf-8")
        typer.echo(t("cli.wrote", path=out))


class TimelineFormat(str, Enum):
    table = "table"
    json = "json"
    ics = "ics"


@app.command()
def timeline(
    record: Annotated[Path, typer.Argument(help="An enterprise record, YAML or JSON.")],
    reading: ReadingOption = None,
    format: Annotated[TimelineFormat, typer.Option("--format", "-f", help="table, json, or ics (an RFC 5545 calendar: an all-day event on 1 January of each claim year).")] = TimelineFormat.table,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Where to write json or ics (default stdout).")] = None,
    catalog: CatalogOption = None,
    evidence: EvidenceOption = None,
) -> None:
    """Claim year by claim year: what can be claimed, from whom, and whom to call (projected items marked).

    Example: zjtx timeline examples/daxing-hydrogen-full.yaml --format ics --out claims.ics
    """
    from solver.questions import Question, Timeline
    from views.planner import timeline_view

    def action() -> None:
        _use_catalog(catalog)
        target = _out(out, _inputs(record))
        the_record, answer = _ask(record, Question("timeline", parse_readings(reading)), evidence)
        found = answer.result_as(Timeline)
        result, years = found.evaluation, found.years
        if format is TimelineFormat.ics:
            from formats.ics import write_calendar
            from views.calendar import timeline_calendar

            data = timeline_calendar(result.enterprise, years, the_record.as_of)
            if target is None:
                sys.stdout.buffer.write(data)
            else:
                typer.echo(t("cli.wrote", path=write_calendar(target, data)), err=True)
            return
        _show(format, answer.document(), lambda: timeline_view(result.enterprise, years), target)
    _run(action)


@app.command()
def windows(
    date: Annotated[str | None, typer.Option("--date", metavar="DATE", help="The day to look at (default today): 2026-12-01, 2026/12/1 or 2026年12月1日.")] = None,
    tier: Annotated[str | None, typer.Option("--tier", metavar="TIER", help="innovative, municipal or national, or their Chinese names (default all).")] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="table for people, json for programs.")] = Format.table,
    catalog: CatalogOption = None,
) -> None:
    """The application window open on a date for each recognition tier, its last day, and whom to call."""
    from solver.planner import windows as open_windows
    from views.planner import windows_view

    def action() -> None:
        _use_catalog(catalog)
        day = _parse_date(date, "--date") or dt.date.today()
        found = open_windows(day, tier)
        _show(format, {"date": day.isoformat(), "windows": [w.as_dict() for w in found]},
              lambda: windows_view(day.isoformat(), found))
    _run(action)


@app.command()
def whatif(
    record: Annotated[Path, typer.Argument(help="An enterprise record, YAML or JSON.")],
    scenario: Annotated[list[str] | None, typer.Argument(help="Scenario files (YAML) or inline changes: move=shunyi@2027-01-01, recognition=national@2027-06-30, expense=leased_equipment:12000000@2027, industry=hydrogen_energy, stacking=difference-only, shunyi.tier.national.amount=800000.")] = None,
    sweep: Annotated[str | None, typer.Option("--sweep", metavar="KEY=LOW..HIGH:STEP", help="Vary one number, e.g. shunyi.tier.national.amount=100000..900000:100000.")] = None,
    reading: ReadingOption = None,
    format: Annotated[ChartFormat, typer.Option("--format", "-f", help="table, json, or png (with --sweep).")] = ChartFormat.table,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Where to write json or the png chart (default: stdout; png: ID-sweep.png).")] = None,
    catalog: CatalogOption = None,
    evidence: EvidenceOption = None,
) -> None:
    """Baseline against a scenario (record changes, readings, reforms of the catalog): totals, delta, awards gained and lost.

    Example: zjtx whatif examples/relocating-little-giant.yaml move=daxing@2027-01-15
    """
    from models.scenario import read_scenario_bytes
    from solver.planner import Sweep, WhatIf
    from solver.questions import Question, ScenarioFile
    from views.charts import sweep_chart
    from views.planner import sweep_view, whatif_view

    def action() -> None:
        _use_catalog(catalog)
        files = tuple(Path(item) for item in scenario or []
                      if item.endswith((".yaml", ".yml")) and "=" not in item)
        png = format is ChartFormat.png
        target = _out(out, _inputs(record, *files), chart=png and bool(sweep))  # (before the work)
        items = tuple(ScenarioFile(item, read_scenario_bytes(item)) if Path(item) in files
                      else item for item in scenario or [])
        if not sweep and scenario and png:
            raise InputError(t("option.png_needs_sweep"), field="--format", accepted="table, json")
        question = Question("whatif", parse_readings(reading), scenario=items, sweep=sweep)
        the_record, answer = _ask(record, question, evidence, files)
        if sweep:
            swept = answer.result_as(Sweep)
            if png:
                chart = target or Path(safe_name(f"{the_record.id}-sweep") + ".png")
                check_outputs(_inputs(record, *files), {"--out": chart})
                typer.echo(t("cli.wrote", path=sweep_chart(swept, chart)))
            else:
                _show(format, swept, lambda: sweep_view(swept), target)
            return
        result = answer.result_as(WhatIf)
        _show(format, result, lambda: whatif_view(result), target)
    _run(action)


@app.command()
def verify(
    bundle: Annotated[Path, typer.Argument(metavar="BUNDLE.zip", help="An evidence bundle written by --evidence.")],
    sha256_sum: Annotated[str | None, typer.Option("--sha256", metavar="HEX", help="The bundle's SHA-256 as recorded when it was filed (--evidence prints it): any other file is refused.")] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="table for people, json for programs.")] = Format.table,
) -> None:
    """Check an evidence bundle: refuse it when any byte of it was changed (exit 2), then ask its question again with the catalog package in the bundle and say whether the answer is identical (exit 0) or list what differs (exit 1).

    Example: zjtx evaluate examples/shijingshan-municipal-then-national.yaml --evidence answer.zip && zjtx verify answer.zip
    """
    from formats.bundle import MANIFEST, BundleRefused, sha256
    from formats.evidence import verify_bundle
    from models.limits import MAX_BUNDLE_BYTES
    from models.yamlio import read_bytes

    def action() -> int:
        expected = (sha256_sum or "").strip().lower()
        if sha256_sum is not None and (len(expected) != 64 or any(c not in "0123456789abcdef" for c in expected)):
            raise InputError(t("verify.sha256_option", value=sha256_sum[:80]), field="--sha256",
                             accepted="64 hexadecimal digits")
        data = read_bytes(bundle, what="bundle", limit=MAX_BUNDLE_BYTES, error=BundleRefused)
        if expected and sha256(data) != expected:
            raise BundleRefused(t("verify.sha256_differs", actual=sha256(data), expected=expected),
                                file=str(bundle), field="--sha256")
        found = verify_bundle(data, str(bundle))
        if format is Format.json:
            typer.echo(dump_json(found.as_dict()))
            return 0 if found.identical else 1
        made, now = found.made_by, found.verified_by
        typer.echo(t("verify.untouched", path=bundle, sha256=found.sha256, members=found.members,
                     manifest=MANIFEST))
        typer.echo(t("verify.versions", made=made.get("version", "?"),
                     made_code=str(made.get("code_sha256", "?"))[:12], now=now["version"],
                     now_code=now["code_sha256"][:12]))
        if found.problem is not None:
            typer.echo(t("verify.problem", command=found.command, problem=found.problem))
        elif found.identical:
            typer.echo(t("verify.identical", command=found.command, enterprise=found.enterprise,
                         files=found.package_files))
        else:
            typer.echo(t("verify.differs", count=len(found.differences), command=found.command,
                         enterprise=found.enterprise, files=found.package_files))
            for difference in found.differences[:40]:
                typer.echo(t("verify.difference", member=difference.member, path=difference.path,
                             filed=json.dumps(difference.filed, ensure_ascii=False)[:200],
                             now=json.dumps(difference.now, ensure_ascii=False)[:200]))
            if len(found.differences) > 40:
                typer.echo(t("verify.more", count=len(found.differences) - 40))
        return 0 if found.identical else 1

    status = _run(action)
    if status:
        raise typer.Exit(status)


@app.command()
def howto(
    record: Annotated[Path, typer.Argument(help="An enterprise record, YAML or JSON.")],
    measure: Annotated[str, typer.Option("--measure", "-m", metavar="MEASURE", help="The measure to make pay, e.g. shijingshan.tier or m6.exhibition.")],
    target: Annotated[int | None, typer.Option("--target", min=1, max=MAX_YUAN, metavar="YUAN", help="The amount (yuan) it should reach at the top of its interval.")] = None,
    reading: ReadingOption = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="table for people, json for programs.")] = Format.table,
    catalog: CatalogOption = None,
) -> None:
    """The inverse question: the smallest changes to the record that make a measure pay (or reach a target), each checked by a forward evaluation.

    Example: zjtx howto examples/exhibition-expenses.json --measure daxing.tier --target 1000000
    """
    from solver.howto import howto as inverse
    from views.planner import howto_view

    def action() -> None:
        _use_catalog(catalog)
        result = inverse(load_record(record), measure, target, parse_readings(reading))
        _show(format, result, lambda: howto_view(result))
    _run(action)


@app.command()
def batch(
    input: Annotated[Path, typer.Argument(help="Enterprise rows: .csv, .xlsx, .jsonl or .parquet (list fields as JSON cells).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Result rows: .csv, .xlsx, .jsonl or .parquet.")],
    errors: Annotated[Path | None, typer.Option("--errors", help="Rows that could not be evaluated, with row number, id, field and message (.csv, .xlsx or .jsonl; default OUT-stem.errors.xlsx for an XLSX input, else OUT-stem.errors.csv).")] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, help="Worker processes (default 1; with --engine dask and no --scheduler: LocalCluster workers, default this machine's cores).")] = None,
    best: Annotated[bool, typer.Option("--best-district", help="Add each enterprise's best relocation district and its total.")] = False,
    move_date: DateOption = None,
    horizon_years: Annotated[int, typer.Option("--horizon-years", min=0, max=MAX_HORIZON_YEARS, help="With --best-district: claim years counted after the move year.")] = 2,
    rank_by: Annotated[RankBy, typer.Option("--rank-by", help="With --best-district: rank by the upper (max) or the guaranteed lower (min) total; ties keep the current district.")] = RankBy.max,
    reading: ReadingOption = None,
    scenario: Annotated[list[str] | None, typer.Option("--scenario", help="A scenario file (or inline change) applied to every row; adds scenario totals and, with --summary, the cost of the reform.")] = None,
    summary: Annotated[list[Path] | None, typer.Option("--summary", help="Write the fiscal view: .json (totals per paying district, measure and claim year) and/or .png (a chart of the cost by paying district and claim year, open-above amounts marked). Repeatable.")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Continue a killed run from its checkpoint: nothing lost, nothing written twice.")] = False,
    engine: Annotated[str, typer.Option("--engine", metavar="local|dask", help="local (this machine: --jobs processes) or dask (a Dask cluster: --scheduler, else a LocalCluster of this machine's cores on loopback). The same files either way. Needs pip install -e '.[dask]'.")] = "local",
    scheduler: Annotated[str | None, typer.Option("--scheduler", metavar="ADDRESS", help="With --engine dask: the scheduler of an existing cluster, e.g. tcp://10.0.0.5:8786 (INPUT must be at the same path on every worker).")] = None,
    encoding: Annotated[str | None, typer.Option("--encoding", metavar="ENCODING", help="The CSV input's text encoding (default: detected; UTF-8 with or without BOM, else GB18030/GBK as Excel saves it on Chinese Windows).")] = None,
    columns: Annotated[Path | None, typer.Option("--columns", metavar="MAP.yaml", help="Other header names: a YAML mapping of header → field, e.g. {所在区: district, 企业编号: id}.")] = None,
    excel: Annotated[bool, typer.Option("--excel", help="CSV outputs for Excel: UTF-8 with a byte-order mark.")] = False,
    catalog: CatalogOption = None,
    evidence: Annotated[Path | None, typer.Option("--evidence", metavar="DIR", help="Also write one evidence bundle per valid row into DIR (a new or empty folder): the row's full evaluation under the run's readings, as `zjtx evaluate --evidence` writes it, named ID-rowN.zip, and DIR/SHA256SUMS. `zjtx verify DIR/ID-rowN.zip` checks one.")] = None,
) -> None:
    """Evaluate a list of enterprises: one output row per valid row, every invalid row in the errors file, counts that add up. Exit 0 when every row was evaluated, 1 when some rows went to the errors file, 2 when the input is unusable.

    Example: zjtx batch examples/enterprises.csv --out out/results.csv --summary out/summary.json --jobs 2
    """
    from formats.batch import BatchCounts, run_batch
    from views.notices import notices_text
    from formats.columns import load_column_map
    from formats.progress import ProgressLines
    from formats.signals import handle_signals
    from solver.batch import BatchOptions

    def action() -> int:
        _use_catalog(catalog)
        combined = None
        if scenario:
            from models.scenario import Scenario, load_scenario, parse_inline

            combined = Scenario(name="")
            keys = list(active_catalog().index.readings)
            for item in scenario:
                combined = combined.merged(load_scenario(item) if "=" not in item
                                           else parse_inline([item], keys))
        options = BatchOptions(readings=active_catalog().resolve_readings(parse_readings(reading)),
                               scenario=combined, best_district=best,
                               move_date=_parse_date(move_date, "--move-date"),
                               horizon_years=horizon_years, rank_by=rank_by.value,
                               catalog=_catalog_path(catalog))
        if scheduler and engine != "dask":
            raise InputError(t("option.scheduler"), field="--scheduler")
        if evidence is not None:
            from formats.evidence import check_evidence_folder

            check_evidence_folder(evidence)
        summary_json, charts = _summary_paths(summary)
        # Before any row: no output over an input (the rows, the column map, a scenario file,
        # the catalog), a folder or a place that cannot be written; the charts too.
        _check_batch_outputs(_inputs(input, columns, *(Path(item) for item in scenario or []
                                                       if "=" not in item)),
                             out, errors, summary or [])
        column_map, lang = load_column_map(columns), current_lang()

        def run(report: Callable[[BatchCounts], None]) -> BatchCounts:
            return run_batch(input, out, errors, options, jobs=jobs, summary_path=summary_json,
                             resume=resume, on_progress=report, encoding=encoding,
                             column_map=column_map, lang=lang, excel=excel,
                             engine=engine, scheduler=scheduler, words=notices_text)
        counts = _with_progress("zjtx batch", input, run)
        if evidence is not None:
            from formats.evidence import SUMS, write_row_bundles

            lines = ProgressLines(lambda text: typer.echo(text, err=True), None)
            with handle_signals():  # Ctrl-C: the bundles written stay, each whole
                count = write_row_bundles(
                    input, evidence, parse_readings(reading), catalog=active_catalog(),
                    today=options.today or dt.date.today(), encoding=encoding,
                    column_map=column_map,
                    on_progress=lambda done: lines(done, 0))
            typer.echo(t("evidence.wrote_batch", count=count, directory=evidence,
                         sums=evidence / SUMS), err=True)
        if charts:
            from views.charts import summary_chart

            for chart in charts:
                summary_chart(counts.summary, chart)
        resumed = t("batch.resumed", row=counts.resumed_at) if counts.resumed_at else ""
        typer.echo(t("batch.done", rows_in=counts.rows_in, rows_out=counts.rows_out,
                     errors=counts.error_rows, resumed=resumed, out=out)
                   + _errors_in(counts.error_rows, errors, out, input), err=True)
        return 0 if counts.error_rows == 0 else 1

    status = _run(action)
    if status:
        raise typer.Exit(status)


def _with_progress(title: str, input: Path, run: Callable[[Callable[[Any], None]], T]) -> T:
    """Run a batch-like job with a progress bar on a terminal (plain lines every few seconds in a
    log or a pipe), stopping cleanly on Ctrl-C or SIGTERM: the checkpoint is kept, the command
    says how to resume and exits 130 / 143."""
    from formats.signals import Interrupted

    try:
        return _progress(title, input, run)
    except Interrupted as stop:
        typer.echo(t("batch.interrupted", rows=stop.rows), err=True)
        raise typer.Exit(stop.exit_status) from None


def _errors_in(count: int, errors: Path | None, out: Path, input_path: Path | None = None) -> str:
    """`, errors in PATH` when some rows went to the errors file."""
    from formats.batch import default_errors_path

    return t("batch.errors_in", path=errors or default_errors_path(out, input_path)) if count else ""


def _check_batch_outputs(inputs: Any, out: Path, errors: Path | None, summaries: list[Path]) -> None:
    """Before any row: no output of a batch-like run (its results, errors, summary files and
    charts) over an input, a folder or a place that cannot be written."""
    from formats.batch import default_errors_path
    from formats.safety import check_outputs

    check_outputs(inputs, {"--out": out, "--errors": errors or default_errors_path(out),
                           **{"--summary" + (f" #{n + 1}" if n else ""): path
                              for n, path in enumerate(summaries)}})


def _summary_paths(summary: list[Path] | None) -> tuple[Path | None, list[Path]]:
    """`--summary` files: the .json one (if any) and the .png charts."""
    summaries = summary or []
    for path in summaries:
        if path.suffix.lower() not in (".json", ".png"):
            raise InputError(t("option.summary_format"), file=str(path),
                             field="--summary", accepted=".json, .png")
    return (next((p for p in summaries if p.suffix.lower() == ".json"), None),
            [p for p in summaries if p.suffix.lower() == ".png"])


def _terminal() -> Console | None:
    """A rich console on stderr when stderr is a terminal, as rich decides (a tty, or
    TTY_COMPATIBLE / FORCE_COLOR saying so), else None. rich is imported only when it may say
    yes (it costs a one-row batch about 20 ms of its start-up)."""
    try:
        tty = sys.stderr.isatty()
    except ValueError:  # closed
        tty = False
    if not tty and not {"TTY_COMPATIBLE", "FORCE_COLOR"} & os.environ.keys():
        return None
    from rich.console import Console

    console = Console(stderr=True)
    return console if console.is_terminal else None


def _progress(title: str, input: Path, run: Callable[[Callable[[Any], None]], T]) -> T:
    from formats.progress import ProgressLines, estimate_rows
    from formats.signals import handle_signals

    console = _terminal()
    total = estimate_rows(input)
    with handle_signals():  # Ctrl-C / SIGTERM: stop cleanly, keep the checkpoint
        if console is not None:
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                       TimeElapsedColumn, TimeRemainingColumn)

            with Progress(TextColumn(f"[bold]{title}"), BarColumn(), MofNCompleteColumn(),
                          TextColumn(t("progress.bar")),
                          TimeElapsedColumn(), TimeRemainingColumn(), console=console) as progress:
                task = progress.add_task("rows", total=total, rate="-", bad=0)
                clock = time.perf_counter()

                def report(counts: Any) -> None:
                    rate = (counts.rows_in - counts.resumed_at) / max(time.perf_counter() - clock, 1e-9)
                    progress.update(task, completed=counts.rows_in, rate=f"{rate:,.0f}",
                                    bad=counts.error_rows)
                return run(report)
        lines = ProgressLines(lambda text: typer.echo(text, err=True), total)

        def plain(counts: Any) -> None:
            lines.start_row = counts.resumed_at
            lines(counts.rows_in, counts.error_rows)
        return run(plain)


@app.command()
def impact(
    enterprises: Annotated[Path, typer.Argument(metavar="ENTERPRISES", help="Enterprise rows, as for batch: .csv, .xlsx, .jsonl or .parquet.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The enterprises whose answer changes: .xlsx, .csv, .jsonl or .parquet (totals before and after, the difference, each award added, ended or changed and why).")],
    old: Annotated[str | None, typer.Option("--from", metavar="NAME|DIR", help="The old policies: a shipped package (beijing-2022, the default) or a package directory.")] = None,
    new: Annotated[str | None, typer.Option("--to", metavar="NAME|DIR", help="The new policies (default: the --from package, on the second --at date).")] = None,
    at: Annotated[list[str] | None, typer.Option("--at", metavar="DATE", help="The policies as in force on a date: once (both sides on that day) or twice (--from on the first, --to on the second).")] = None,
    errors: Annotated[Path | None, typer.Option("--errors", help="Rows that could not be read (.csv, .xlsx or .jsonl; default OUT-stem.errors.xlsx for an XLSX input, else OUT-stem.errors.csv).")] = None,
    summary: Annotated[list[Path] | None, typer.Option("--summary", help="The change by paying district and claim year: .json (old, new and the change) and/or .png (a chart). Repeatable.")] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, help="Worker processes, as for batch.")] = None,
    engine: Annotated[str, typer.Option("--engine", help="local or dask, as for batch: the same files either way.")] = "local",
    scheduler: Annotated[str | None, typer.Option("--scheduler", metavar="ADDRESS", help="With --engine dask: an existing cluster's scheduler.")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Continue a killed run from its checkpoint.")] = False,
    encoding: Annotated[str | None, typer.Option("--encoding", help="The CSV input's encoding (default: detected).")] = None,
    columns: Annotated[Path | None, typer.Option("--columns", metavar="MAP.yaml", help="Other header names: header → field.")] = None,
    excel: Annotated[bool, typer.Option("--excel", help="CSV outputs for Excel: UTF-8 with a byte-order mark.")] = False,
    reading: ReadingOption = None,
) -> None:
    """Who is affected when policies change: each enterprise whose answer differs between the old policies (--from, or the first --at) and the new ones (--to, or the second --at), with both totals, the difference and every award added, ended or changed — and what the policies changed for it. Unchanged enterprises are counted, not written. Exit 0 when every row was read, 1 when some rows went to the errors file.

    Examples: zjtx impact enterprises.xlsx --from beijing-2022 --to beijing-2025 --out affected.xlsx --summary affected.png --lang zh
              zjtx impact enterprises.jsonl --from beijing-2025 --at 2024-06-01 --at 2025-06-01 --out affected.csv
    """
    from formats.columns import load_column_map
    from formats.impact import impact_options, run_impact, side
    from views.notices import notices_text

    def action() -> int:
        days = [_parse_date(day, "--at") for day in at or []]
        if len(days) > 2:
            raise InputError(t("impact.too_many_dates"), field="--at", accepted=t("impact.accepted"))
        if new is None and len(days) != 2:
            raise InputError(t("impact.no_new"), field="--to", accepted=t("impact.accepted"))
        before = side(old, days[0] if days else None)
        after = side(new if new is not None else old, days[-1] if days else None)
        if scheduler and engine != "dask":
            raise InputError(t("option.scheduler"), field="--scheduler")
        summary_json, charts = _summary_paths(summary)
        # Records are read against the new policies: the registry as today's vocabulary writes it.
        catalog = _use_catalog(Path(after.directory))
        with using_catalog(open_catalog(before.directory)):
            old_files = _inputs()  # the old package's files are inputs too
        _check_batch_outputs(_inputs(enterprises, columns) + old_files, out, errors, summary or [])
        options = impact_options(before, after, current_lang(),
                                 catalog.resolve_readings(parse_readings(reading)))
        counts, found = _with_progress("zjtx impact", enterprises, lambda report: run_impact(
            enterprises, out, errors, before, after, options, summary_path=summary_json,
            on_progress=report, jobs=jobs, resume=resume, encoding=encoding,
            column_map=load_column_map(columns), lang=current_lang(), excel=excel,
            engine=engine, scheduler=scheduler, words=notices_text))
        if charts:
            from views.impact import impact_chart

            for chart in charts:
                impact_chart(found, chart)
        change = found["total"]["change"]
        typer.echo(t("impact.done", rows_in=counts.rows_in, changed=counts.changed,
                     unchanged=counts.unchanged, errors=counts.error_rows, out=out,
                     low=f"{change['min']:+,}", high=f"{change['max']:+,}")
                   + _errors_in(counts.error_rows, errors, out, enterprises), err=True)
        return 0 if counts.error_rows == 0 else 1

    status = _run(action)
    if status:
        raise typer.Exit(status)


@app.command()
def worklist(
    enterprises: Annotated[Path, typer.Argument(metavar="ENTERPRISES", help="Enterprise rows (.csv, .xlsx, .jsonl, .parquet, as for batch) or one record (.yaml, .json).")],
    date: Annotated[str | None, typer.Option("--date", metavar="DATE", help="The working day (default today): claims due or past then, windows open then.")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the worklist: .xlsx, .csv, .jsonl (default: a table on stdout).")] = None,
    ics: Annotated[Path | None, typer.Option("--ics", help="Also write the dated actions as an RFC 5545 calendar (.ics).")] = None,
    min_gain: Annotated[int, typer.Option("--min-gain", min=1, metavar="YUAN", help="A near miss is listed when one change would surely bring at least this much more (yuan) net of what it costs: counted on the lower bound of the gain, less the outlay.")] = 100_000,
    excel: Annotated[bool, typer.Option("--excel", help="CSV for Excel: UTF-8 with a byte-order mark.")] = False,
    encoding: Annotated[str | None, typer.Option("--encoding", metavar="ENCODING", help="The CSV input's encoding (default: detected).")] = None,
    columns: Annotated[Path | None, typer.Option("--columns", metavar="MAP.yaml", help="Other header names: header → field.")] = None,
    reading: ReadingOption = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="Without --out: table or json.")] = Format.table,
    catalog: CatalogOption = None,
    new_since: Annotated[Path | None, typer.Option("--new-since", metavar="BEFORE", help="Only the claims the enterprises of BEFORE (the registry before `zjtx recognitions import`) did not have: who newly qualifies, for what, from whom, before when.")] = None,
) -> None:
    """Whom to call about what, before which day: one row per enterprise and action — awards to claim (due and past, with amount, claim year, paying office and telephone), the recognition whose window is open (with its last day), and the cheapest near-miss worth at least --min-gain. Sorted by date, then amount.

    Example: zjtx worklist enterprises.xlsx --date 2026-12-01 --out worklist.xlsx --ics worklist.ics --lang zh
    """
    from formats.columns import load_column_map
    from formats.ics import write_calendar
    from formats.worklist import read_enterprises, write_worklist
    from solver.worklist import worklist as work
    from views.calendar import worklist_calendar
    from views.worklist import for_people, with_note, worklist_view

    def action() -> int:
        _use_catalog(catalog)
        from formats.safety import check_outputs, output_path
        inputs = _inputs(enterprises, columns)
        if out is not None:
            output_path(out, "--out", inputs, suffixes=(".xlsx", ".csv", ".jsonl"))
        check_outputs(inputs, {name: path for name, path in (("--out", out), ("--ics", ics))
                               if path is not None})
        day = _parse_date(date, "--date") or dt.date.today()
        readings = active_catalog().resolve_readings(parse_readings(reading))
        records, problems = read_enterprises(enterprises, encoding=encoding,
                                             column_map=load_column_map(columns))
        if new_since is not None:  # only the claims the records did not have before
            from formats.recognitions import new_claims

            before, _ = read_enterprises(new_since, encoding=encoding,
                                         column_map=load_column_map(columns))
            actions = new_claims(records, before, day, min_gain=min_gain, readings=readings)
        else:
            actions = [a for record in records
                       for a in work(record, day, min_gain=min_gain, readings=readings)]
        actions.sort(key=lambda a: a.sort_key())
        data = [with_note(a) for a in actions]
        rows = [for_people(a) for a in actions]
        if out is not None:
            write_worklist(out, rows, current_lang(), excel=excel)
        if ics is not None:
            write_calendar(ics, worklist_calendar(actions, day), "--ics")
        if out is None:
            _show(format, {"date": day.isoformat(), "actions": data, "errors": problems},
                  lambda: worklist_view(day.isoformat(), actions))
        for problem in problems:
            typer.echo(t("worklist.problem", file=enterprises, row=problem["row"],
                         ident=t("worklist.problem_id", id=problem["id"]) if problem["id"] else "",
                         field=t("worklist.problem_field", field=problem["field"])
                         if problem["field"] else "", message=problem["message"]), err=True)
        typer.echo(t("worklist.counts", enterprises=len(records), actions=len(rows))
                   + (t("worklist.count_errors", count=len(problems)) if problems else "")
                   + (t("worklist.out", path=out) if out else "")
                   + (t("worklist.ics", path=ics) if ics else ""), err=True)
        return 1 if problems else 0

    status = _run(action)
    if status:
        raise typer.Exit(status)


@recognitions_app.command("import")
def recognitions_import(
    list_file: Annotated[Path, typer.Argument(metavar="LIST", help="The published list: .csv, .xlsx or .jsonl with the columns 企业名称 (required), 统一社会信用代码, 认定等级, 认定日期 (序号, 批次, 所在区, 备注 are read and not used).")],
    registry: Annotated[Path, typer.Option("--registry", metavar="ENTERPRISES", help="The registry of enterprises: any batch input (.csv, .xlsx, .jsonl, .parquet).")],
    out: Annotated[Path, typer.Option("--out", "-o", metavar="UPDATED", help="The registry with the recognitions added (.csv, .xlsx, .jsonl, .parquet): valid rows in the template's columns, read by zjtx worklist and batch. Never the registry itself.")],
    report: Annotated[Path | None, typer.Option("--report", help="Every list row and what became of it: matched (by code or name), already recorded, or why not, with the nearest candidates (.csv, .xlsx, .jsonl; default UPDATED-stem.matches.csv).")] = None,
    errors: Annotated[Path | None, typer.Option("--errors", help="Registry rows that are not valid records, as batch writes them (default UPDATED-stem.errors.csv, written only when there are some).")] = None,
    tier: Annotated[str | None, typer.Option("--tier", help="The tier of every row without a 认定等级 cell (a list of one tier), e.g. national or 小巨人.")] = None,
    date: Annotated[str | None, typer.Option("--date", metavar="DATE", help="The recognition date of every row without a 认定日期 cell (the list's batch date).")] = None,
    encoding: Annotated[str | None, typer.Option("--encoding", help="The CSV inputs' encoding (default: detected, UTF-8 or GB18030).")] = None,
    list_columns: Annotated[Path | None, typer.Option("--list-columns", metavar="MAP.yaml", help="Other header names of the list: header → name, credit_code, tier, date, batch, district, serial or note.")] = None,
    columns: Annotated[Path | None, typer.Option("--columns", metavar="MAP.yaml", help="Other header names of the registry: header → field.")] = None,
    excel: Annotated[bool, typer.Option("--excel", help="CSV outputs for Excel: UTF-8 with a byte-order mark.")] = False,
    catalog: CatalogOption = None,
) -> None:
    """Match a published list of recognized enterprises to the registry — by unified social credit code, else by company name (full-width/half-width, brackets, 有限公司/有限责任公司 and spaces aside) — and add each recognition with the list's date. Nothing is matched on a guess: a wrong check character, a name or code naming two enterprises, a name whose registry row holds another code, an enterprise listed twice are reported, with the nearest candidates. Exit 0 when every row was added or already recorded, 1 otherwise.

    Example: zjtx recognitions import examples/recognitions-2026.csv --registry examples/enterprises.csv --out updated.csv && zjtx worklist updated.csv --date 2026-12-01
    """
    from formats.batch import default_errors_path
    from formats.columns import load_column_map
    from formats.recognitions import (LIST_SCHEMA, import_recognitions, report_rows,
                                      write_registry_errors, write_report)
    from formats.safety import check_outputs
    from models.normalize import Unreadable, normalize_value

    def action() -> int:
        loaded = _use_catalog(catalog)
        report_path = report or out.with_name(out.stem + ".matches.csv")
        errors_path = errors or default_errors_path(out)
        check_outputs(_inputs(list_file, registry, list_columns, columns),
                      {"--out": out, "--report": report_path, "--errors": errors_path})
        default_tier = None
        if tier is not None:
            try:
                default_tier = normalize_value("tier", tier, loaded.vocabulary)
            except Unreadable as unreadable:
                raise InputError(unreadable.problem.message, field="--tier",
                                 accepted=unreadable.problem.accepted) from None
        result = import_recognitions(
            list_file, registry, out, catalog=loaded, lang=current_lang(), tier=default_tier,
            date=_parse_date(date, "--date"), encoding=encoding,
            list_columns=load_column_map(list_columns, LIST_SCHEMA.headers, "--list-columns"),
            columns=load_column_map(columns), excel=excel)
        rows = report_rows(result)
        write_report(report_path, rows, current_lang(), excel=excel)
        if result.registry_errors:
            write_registry_errors(errors_path, result.registry_errors, current_lang())
        for row in rows:
            if row["status"] not in ("matched_by_code", "matched_by_name", "already_recorded"):
                typer.echo(t("error.warning") + t("recognitions.line", file=list_file,
                                                  row=row["list_row"], name=row["name"] or "",
                                                  message=row["message"]), err=True)
        typer.echo(t("recognitions.counts", rows=result.list_rows, added=result.added,
                     already=result.count("already_recorded"), not_added=result.not_added,
                     registry=result.registry_rows, written=result.written,
                     errors=len(result.registry_errors), out=out, report=report_path)
                   + (t("recognitions.errors_in", path=errors_path)
                      if result.registry_errors else ""), err=True)
        return 1 if result.not_added or result.registry_errors else 0

    status = _run(action)
    if status:
        raise typer.Exit(status)


@app.command()
def template(
    file: Annotated[Path, typer.Argument(metavar="FILE.xlsx|FILE.csv", help="Where to write the template.")],
) -> None:
    """Write an empty enterprise sheet for `zjtx batch`: flat columns (编号, 企业名称, 统一社会信用代码, 注册区, …, one date column per recognition tier); in XLSX also a filled example and a sheet explaining each column.

    Example: zjtx template enterprises.xlsx --lang zh
    """
    from formats.safety import output_path
    from formats.template import write_template

    def action() -> Path:
        from views.cli_help import metavar_words

        where = metavar_words("FILE.xlsx|FILE.csv", current_lang())
        return write_template(output_path(file, where, [], suffixes=(".xlsx", ".csv")),
                              current_lang())
    typer.echo(t("cli.wrote", path=_run(action)), err=True)


@app.command()
def sweep(
    population: Annotated[Path, typer.Argument(help="The enterprises: .jsonl, .csv, .xlsx or .parquet, as for batch.")],
    reform: Annotated[str, typer.Option("--reform", metavar="RULE.amount=LOW..HIGH:STEP", help="The reform to sweep, e.g. shunyi.tier.national.amount=300000..800000:100000 (at most 200 points).")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="The cost table (.csv; default POPULATION-stem.sweep.csv); a chart is written beside it (.png).")] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, help="Worker processes (default 1; with --engine dask and no --scheduler: LocalCluster workers, default this machine's cores).")] = None,
    engine: Annotated[str, typer.Option("--engine", metavar="local|dask", help="local or dask, as for batch: the same costs either way.")] = "local",
    scheduler: Annotated[str | None, typer.Option("--scheduler", metavar="ADDRESS", help="With --engine dask: an existing cluster's scheduler.")] = None,
    reading: ReadingOption = None,
    catalog: CatalogOption = None,
) -> None:
    """Sweep a reform over a whole population: the cost of every reform point (the reformed total less the baseline), in all and per paying district and claim year, as CSV and a chart. Each point's cost is what `zjtx batch --scenario RULE.amount=VALUE --summary` reports.

    Example: zjtx sweep enterprises.jsonl --reform shunyi.tier.national.amount=300000..800000:100000 --out out/shunyi.csv
    """
    from formats.sweep import run_sweep, write_costs
    from solver.batch import BatchOptions
    from solver.planner import parse_sweep
    from views.charts import sweep_cost_chart

    def action() -> int:
        _use_catalog(catalog)
        key, values = parse_sweep(reform, option="--reform")
        if scheduler and engine != "dask":
            raise InputError(t("option.scheduler"), field="--scheduler")
        options = BatchOptions(readings=active_catalog().resolve_readings(parse_readings(reading)),
                               catalog=_catalog_path(catalog))
        from formats.safety import check_outputs, output_path
        inputs = _inputs(population)
        table = output_path(out or population.with_name(population.stem + ".sweep.csv"), "--out",
                            inputs, suffixes=(".csv",), default_suffix=".csv")
        check_outputs(inputs, {"--out": table, "--out (chart)": table.with_suffix(".png")})
        result = run_sweep(population, key, values, options, jobs=jobs, engine=engine,
                           scheduler=scheduler)
        table_path = write_costs(result, table)
        chart = sweep_cost_chart(result.key, result.table(), table_path.with_suffix(".png"))
        for row in result.table():
            if row["paying_district"] == row["claim_year"] == "all":
                typer.echo(t("sweep.cost", point=f"{key}={row['value']:,}", low=row["cost_min"],
                             high=row["cost_max"],
                             more=t("money.or_more") if row["open_above"] else ""))
        typer.echo(t("sweep.done", rows_in=result.rows_in, rows_out=result.rows_out,
                     errors=result.error_rows, table=table_path, chart=chart)
                   + (t("sweep.bad_rows") if result.error_rows else ""), err=True)
        return 1 if result.error_rows else 0  # as batch: some rows were not evaluated

    status = _run(action)
    if status:
        raise typer.Exit(status)


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", metavar="ADDRESS", help="Address to bind (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="The port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Worker processes.")] = 1,
    max_body: Annotated[int, typer.Option("--max-body", min=1_000, metavar="BYTES", help="Largest request body, on every endpoint (413 beyond).")] = MAX_BODY_BYTES,
    time_budget: Annotated[float, typer.Option("--time-budget", min=0.1, metavar="SECONDS", help="Longest an evaluation request may take (503 beyond, and its evaluation is stopped).")] = TIME_BUDGET_SECONDS,
    eval_threads: Annotated[int, typer.Option("--eval-threads", min=1, help="Evaluations at once per worker process, each in a process of its own (more wait; 503 when too many wait).")] = EVAL_THREADS,
    max_waiting: Annotated[int, typer.Option("--max-waiting", min=0, help="Evaluation requests that may wait per worker process; one more is answered 503 at once, before its body is read.")] = MAX_WAITING,
    head_seconds: Annotated[float, typer.Option("--head-seconds", min=0.1, metavar="SECONDS", help="Longest a request's line and headers may take to arrive (408 and closed beyond).")] = HEAD_SECONDS,
    allow_host: Annotated[list[str] | None, typer.Option("--allow-host", metavar="NAME", help="A Host name to answer besides the loopback names (repeatable); '*' answers any.")] = None,
    access_log: Annotated[bool, typer.Option("--access-log", help="Print one line per request (method, path, status).")] = False,
    catalog: CatalogOption = None,
) -> None:
    """Start the HTTP API and the planner's web page (http://127.0.0.1:8000/, API docs at /docs, offline).

    On loopback (the default) it answers only requests addressed to 127.0.0.1, localhost or ::1
    (a web page cannot reach it by DNS rebinding); bound beyond loopback it answers any Host and
    says so.
    """
    from service.server import serve as run_server

    _run(lambda: _use_catalog(catalog))  # a broken package stops here, with its message
    hosts = list(LOOPBACK_HOSTS) + list(allow_host or [])
    if host not in LOOPBACK_HOSTS:
        typer.echo(t("error.warning") + t("serve.exposed", host=host), err=True)
        if not allow_host:
            hosts = ["*"]
    # One value, handed to the app factory of each worker process as its argument.
    settings = ServiceSettings(catalog=_catalog_path(catalog),
                               allowed_hosts=None if "*" in hosts else tuple(hosts),
                               max_body=max_body, time_budget=time_budget, eval_threads=eval_threads,
                               max_waiting=max_waiting, head_seconds=head_seconds)
    shown = f"[{host}]" if ":" in host else host
    typer.echo(t("serve.listening", url=f"http://{shown}:{port}/", docs=f"http://{shown}:{port}/docs"),
               err=True)
    status = run_server(settings, host=host, port=port, workers=workers, access_log=access_log)
    if status:
        raise typer.Exit(status)


@measures_app.command("list")
def measures_list(format: Annotated[Format, typer.Option("--format", "-f", help="table for people, json for programs.")] = Format.table,
                  catalog: CatalogOption = None) -> None:
    """One line per measure family (m1 … m8 and the district measures)."""
    from views.table import measures_view

    loaded = _run(lambda: _use_catalog(catalog))
    if format is Format.json:
        typer.echo(dump_json([{"id": spec.id, "title": spec.title, "file": file}
                              for file, spec in loaded.families.values()]))
    else:
        _console().print(measures_view(loaded))


@measures_app.command("show")
def measures_show(measure_id: Annotated[str, typer.Argument(metavar="ID", help="e.g. m6 or m6.exhibition or daxing.tier")],
                  catalog: CatalogOption = None) -> None:
    """The clause (verbatim), source document, contact, telephone and encoding of a measure."""
    from views.table import measure_view

    def action() -> None:
        loaded = _use_catalog(catalog)
        spec = loaded.family_of(measure_id)
        if spec is None:
            import difflib
            known = list(loaded.families) + list(loaded.measure_ids())
            near = [k for k in known if k.startswith(measure_id + ".")] or \
                difflib.get_close_matches(measure_id, known, n=1)
            raise InputError(t("option.unknown_measure", measure=measure_id,
                               hint=t("validation.did_you_mean_key", near=near[0]) if near else ""),
                             accepted=", ".join(loaded.families))
        _console().print(measure_view(loaded, loaded.families[spec.id][0], spec))
    _run(action)


@measures_app.command("packages")
def measures_packages(format: Annotated[Format, typer.Option("--format", "-f", help="table for people, json for programs.")] = Format.table) -> None:
    """The catalog packages zjtx ships, by name (for --catalog NAME): what each holds, the package it extends, and the provenance of its rules (primary: the issuing body's own text read; secondary: a reproduction read; brochure: the October 2022 brochure). The default stays the brochure until every rule a later edition adds is primary.

    Example: zjtx measures packages --lang zh
    """
    from models.packages import packages

    def action() -> None:
        found = packages()
        if format is Format.json:
            typer.echo(dump_json([dict(info.as_dict(), directory=str(info.directory),
                                       could_be_default=info.default or info.all_primary)
                                  for info in found]))
            return
        zh = current_lang() == "zh"
        for info in found:
            title = (info.title_zh or info.title) if zh else info.title
            as_of = info.as_of
            if zh and info.extends is None:  # the brochure's own words are English
                title, as_of = t("packages.brochure_title"), t("packages.brochure_as_of")
            typer.echo(t("packages.line", name=info.name, title=title, as_of=as_of,
                         default=t("packages.default") if info.default else "",
                         extends=t("packages.extends", base=info.extends) if info.extends else ""))
            grades = t("packages.sep").join(t(f"packages.grade.{grade}", count=count)
                                            for grade, count in info.grades.items())
            typer.echo(t("packages.rules", count=info.rules, grades=grades))
            if info.extends is not None:
                added = t("packages.sep").join(t(f"packages.grade.{grade}", count=count)
                                               for grade, count in info.own_grades.items())
                typer.echo(t("packages.added", count=sum(info.own_grades.values()), grades=added))
                if not info.default:
                    typer.echo(t("packages.why_not_default" if not info.all_primary
                                 else "packages.could_be_default"))
            typer.echo(t("packages.directory", path=info.directory))
    _run(action)


@measures_app.command("readings")
def measures_readings(catalog: CatalogOption = None) -> None:
    """The interpretation register: each ambiguous clause, its default reading and alternatives."""
    loaded = _run(lambda: _use_catalog(catalog))
    lang = current_lang()
    for key, spec in loaded.index.readings.items():
        typer.echo(t("readings.question", key=key, about=spec.about_in(lang)))
        for value in spec.alternatives:
            typer.echo(t("readings.default" if value == spec.default else "readings.alternative",
                         key=key, value=value, about=spec.alternative_in(value, lang)))


@measures_app.command("lint")
def measures_lint(catalog: CatalogOption = None) -> None:
    """Check a catalog package and report every problem in one run: exit 1 on errors (a file or field that does not load, a duplicated clause, a clause not verbatim in its source, an amount without a source clause, a condition value the vocabulary does not declare, an edition closing an unknown rule, overlapping ladders); the brochure's own defects are warnings.

    Example: zjtx measures lint --catalog tests/catalogs/riverland
    """
    from models.catalog import CATALOG_DIR
    from models.lint import lint

    directory = locate(catalog) or CATALOG_DIR

    def exists() -> None:  # nothing to lint: a configuration error (exit 4), not a finding
        if not directory.is_dir():
            raise CatalogError(t("catalog.no_directory"), file=str(directory),
                               accepted=t("accepted.catalog_directory"))
    _run(exists)
    findings = lint(directory)
    for finding in findings:
        typer.echo(str(finding))
    errors = sum(f.level == "error" for f in findings)
    warnings = len(findings) - errors
    typer.echo(t("lint.summary", errors=errors, warnings=warnings, directory=directory))
    if errors:
        raise typer.Exit(1)


@measures_app.command("schema")
def measures_schema(
    part: Annotated[str | None, typer.Option("--part", metavar="index|source", help="index (index.yaml) or source (a source document file); default both.")] = None,
) -> None:
    """Print the JSON Schema of a catalog package: index.yaml (jurisdiction, vocabulary, conditions, readings, windows) and a source document file (sources, payer, edition, measures, rules, benefits).

    Example: zjtx measures schema --part source > source.schema.json
    """
    from models.catalog import package_schema

    def action() -> None:
        typer.echo(dump_json(package_schema(part)))
    _run(action)


@measures_app.command("export")
def measures_export(
    directory: Annotated[Path, typer.Argument(metavar="DIR", help="A new (or empty) directory.")],
    catalog: CatalogOption = None,
) -> None:
    """Write the active catalog package to DIR as a standalone package (an `extends` chain flattened, source texts copied): the starting point of a new edition or a local draft.

    Example: zjtx measures export drafts/beijing-2026 && zjtx measures lint --catalog drafts/beijing-2026
    """
    from models.catalog import export_package

    def action() -> None:
        written = export_package(_use_catalog(catalog), directory)
        typer.echo(t("cli.wrote_files", count=len(written), directory=directory))
    _run(action)


@measures_app.command("diff")
def measures_diff(
    packages: Annotated[list[Path] | None, typer.Argument(metavar="[A B]", help="Two catalog packages to compare: shipped names (beijing-2022, beijing-2025) or directories.")] = None,
    at: Annotated[list[str] | None, typer.Option("--at", metavar="DATE", help="Compare the active package on two dates (give --at twice), or two packages on one date.")] = None,
    catalog: CatalogOption = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="table for people, json for programs.")] = Format.table,
) -> None:
    """What changed: measures added or removed, and for each measure kept its amounts, conditions, caps, year limits, occasions paid, tier ladder, payer, contact and dates in force; the vocabulary's entries added, removed or renamed — between two packages, or between two dates of one.

    Examples: zjtx measures diff beijing-2022 beijing-2025
              zjtx measures diff --catalog beijing-2025 --at 2024-06-01 --at 2025-06-01
              zjtx measures diff models/catalog tests/catalogs/beijing-later-edition
    """
    from models.catalog.diff import diff_catalogs

    def action() -> None:
        days = [_parse_date(day, "--at") for day in at or []]
        if packages:
            if len(packages) != 2 or len(days) > 1:
                raise InputError(t("option.diff_packages"),
                                 field="DIR_A DIR_B", accepted="zjtx measures diff DIR_A DIR_B [--at DATE]")
            before, after = open_catalog(locate(packages[0])), open_catalog(locate(packages[1]))
            if days:
                before, after = before.in_force(days[0]), after.in_force(days[0])  # type: ignore[arg-type]
        else:
            if len(days) != 2:
                raise InputError(t("option.diff_dates"),
                                 field="--at", accepted="--at 2022-10-01 --at 2025-01-01")
            loaded = _use_catalog(catalog)
            before, after = loaded.in_force(days[0]), loaded.in_force(days[1])  # type: ignore[arg-type]
        changes = diff_catalogs(before, after)
        if format is Format.json:
            typer.echo(dump_json([change.as_dict() for change in changes]))
            return
        from views.diff import diff_lines

        for line in diff_lines(changes, (before, after), current_lang()):
            typer.echo(line)
    _run(action)


if __name__ == "__main__":
    app()
