"""The `zjtx` command line: parse arguments, call the solver, render, and map the error tree to
exit statuses in one place (0 fine, 1 lint errors, 2 bad input, 3 solver failure)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from models.catalog import CATALOG_DIR, load_catalog
from models.errors import CatalogError, InputError, ReadingError, SolverError, ZjtxError
from models.lint import lint
from models.record import load_record

app = typer.Typer(
    name="zjtx", no_args_is_help=True, add_completion=False,
    help="Which Beijing support measures for specialized and sophisticated SMEs apply to an "
         "enterprise, how much they pay, when, why, and whom to call.\n\n"
         "Example: zjtx evaluate examples/shijingshan-municipal-then-national.yaml")
measures_app = typer.Typer(no_args_is_help=True, help="Browse and check the catalog of measures.")
app.add_typer(measures_app, name="measures")

T = TypeVar("T")
EXIT_STATUS = {InputError: 2, CatalogError: 2, SolverError: 3}


class Format(str, Enum):
    table = "table"
    json = "json"


def _console() -> Console:
    return Console(width=None if sys.stdout.isatty() else 120, soft_wrap=False)


def _run(action: Callable[[], T]) -> T:
    """Run an action; a ZjtxError becomes one line on stderr and its exit status, no traceback."""
    try:
        return action()
    except ZjtxError as exc:
        status = next((code for kind, code in EXIT_STATUS.items() if isinstance(exc, kind)), 2)
        typer.echo(f"zjtx: error: {exc}", err=True)
        raise typer.Exit(status) from None


def parse_readings(values: list[str] | None) -> dict[str, str]:
    """`["stacking=difference-only"]` → `{"stacking": "difference-only"}`."""
    readings: dict[str, str] = {}
    for value in values or []:
        key, sep, choice = value.partition("=")
        if not sep or not key.strip() or not choice.strip():
            raise ReadingError(f"{value!r} is not key=value", field="--reading",
                               accepted="e.g. --reading stacking=difference-only")
        readings[key.strip()] = choice.strip()
    return readings


def dump_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


ReadingOption = Annotated[list[str] | None, typer.Option(
    "--reading", "-r", metavar="KEY=VALUE",
    help="Pick an alternative reading of an ambiguous clause, e.g. --reading "
         "stacking=difference-only. Repeatable. `zjtx measures readings` lists them.")]


@app.command()
def evaluate(
    record: Annotated[Path, typer.Argument(help="An enterprise record, YAML or JSON (see examples/).")],
    reading: ReadingOption = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="table for people, json for programs.")] = Format.table,
) -> None:
    """Evaluate one enterprise: every award with its amount, claim year, payer, clause and contact, the total still to come, and why each other measure does not pay.

    Example: zjtx evaluate examples/daxing-hydrogen-municipal.yaml --format json
    """
    from solver.evaluate import evaluate as run_evaluation
    from views.table import evaluation_view

    def action() -> None:
        readings = parse_readings(reading)
        result = run_evaluation(load_record(record), readings)
        if format is Format.json:
            typer.echo(dump_json(result.as_dict()))
        else:
            _console().print(evaluation_view(result, load_catalog().default_readings()))
    _run(action)


@measures_app.command("list")
def measures_list(format: Annotated[Format, typer.Option("--format", "-f")] = Format.table) -> None:
    """One line per measure family (m1 … m8 and the district measures)."""
    from views.table import measures_view

    catalog = _run(load_catalog)
    if format is Format.json:
        typer.echo(dump_json([{"id": spec.id, "title": spec.title, "file": file}
                              for spec_id, (file, spec) in catalog.families.items()]))
    else:
        _console().print(measures_view(catalog))


@measures_app.command("show")
def measures_show(measure_id: Annotated[str, typer.Argument(metavar="ID", help="e.g. m6 or m6.exhibition or daxing.tier")]) -> None:
    """The clause (verbatim), source document, contact, telephone and encoding of a measure."""
    from views.table import measure_view

    def action() -> None:
        catalog = load_catalog()
        spec = catalog.family_of(measure_id)
        if spec is None:
            import difflib
            known = list(catalog.families) + list(catalog.measure_ids())
            near = [k for k in known if k.startswith(measure_id + ".")] or \
                difflib.get_close_matches(measure_id, known, n=1)
            raise InputError(f"unknown measure {measure_id!r}" + (f"; did you mean {near[0]!r}?" if near else ""),
                             accepted=", ".join(catalog.families))
        _console().print(measure_view(catalog, catalog.families[spec.id][0], spec))
    _run(action)


@measures_app.command("readings")
def measures_readings() -> None:
    """The interpretation register: each ambiguous clause, its default reading and alternatives."""
    catalog = _run(load_catalog)
    for key, spec in catalog.index.readings.items():
        typer.echo(f"{key}: {spec.about}")
        for value, about in spec.alternatives.items():
            mark = "(default)" if value == spec.default else "         "
            typer.echo(f"  {mark} {key}={value}: {about}")


@measures_app.command("lint")
def measures_lint(
    catalog: Annotated[Path, typer.Option("--catalog", help="A catalog directory to check.")] = CATALOG_DIR,
) -> None:
    """Check the catalog: exit 1 on errors (duplicated clause, unknown field, unused condition, amount without a source clause, overlapping ladders); the brochure's own defects are warnings."""
    findings = lint(catalog)
    for finding in findings:
        typer.echo(str(finding))
    errors = sum(f.level == "error" for f in findings)
    warnings = len(findings) - errors
    typer.echo(f"{errors} error(s), {warnings} warning(s) in {catalog}")
    if errors:
        raise typer.Exit(1)


if __name__ == "__main__":
    app()
