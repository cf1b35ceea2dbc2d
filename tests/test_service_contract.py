"""The service's contract (issue 23): every operation declares its response model, /openapi.json
describes real bodies (no untyped object anywhere in an answer), and every refusal is documented as
what it is, `application/problem+json`. The answers themselves are encoded through their models
(service.answers.encoded), so an answer that strays from its schema is a bug the endpoint tests
see, never a silent drift."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import ValidationError

from service.answers import encoded
from service.app import create_app
from service.schemas import EvaluationOut, Health

SCHEMA = create_app().openapi()
OPERATIONS = [(path, method, operation) for path, operations in SCHEMA["paths"].items()
              for method, operation in operations.items()]


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = SCHEMA["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def subschemas(schema: dict[str, Any], seen: set[str]) -> Iterator[dict[str, Any]]:
    """Every schema reachable from `schema` (each component once)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        if name in seen:
            return
        seen.add(name)
        schema = resolve(schema)
    yield schema
    for key in ("properties", "$defs"):
        for child in schema.get(key, {}).values():
            yield from subschemas(child, seen)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            yield from subschemas(schema[key], seen)
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        for child in schema.get(key, []):
            yield from subschemas(child, seen)


@pytest.mark.parametrize("path, method, operation", OPERATIONS,
                         ids=[f"{m.upper()} {p}" for p, m, _ in OPERATIONS])
def test_every_answer_is_a_typed_body(path: str, method: str, operation: dict[str, Any]):
    """The 200 answer has a schema, and no object inside it is left untyped: each declares its
    properties (and forbids others), or types the values of its keys."""
    body = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert body, (path, "no response schema")
    for schema in subschemas(body, set()):
        if schema.get("type") == "object":
            if "properties" in schema:
                assert schema.get("additionalProperties") is False, (path, schema.get("title"))
            else:
                values = schema.get("additionalProperties")
                assert isinstance(values, dict) and values, (path, schema)


@pytest.mark.parametrize("path, method, operation", OPERATIONS,
                         ids=[f"{m.upper()} {p}" for p, m, _ in OPERATIONS])
def test_every_refusal_is_documented_as_a_problem(path: str, method: str, operation: dict[str, Any]):
    refusals = {status: answer for status, answer in operation["responses"].items()
                if status != "200"}
    assert {"400", "413"} <= set(refusals), (path, sorted(refusals))
    for status, answer in refusals.items():
        assert list(answer["content"]) == ["application/problem+json"], (path, status)
        assert resolve(answer["content"]["application/problem+json"]["schema"])["title"] == "Problem"


def test_evaluating_operations_document_the_busy_answer_and_the_readings():
    for path in ("/v1/evaluate", "/v1/best-district", "/v1/whatif", "/v1/batch", "/v1/worklist"):
        operation = SCHEMA["paths"][path]["post"]
        assert "503" in operation["responses"], path
        readings = {p["name"]: p for p in operation["parameters"] if p["in"] == "query"}
        assert readings["stacking"]["schema"]["enum"] == ["cumulative", "difference-only"], path


def test_an_answer_that_strays_from_its_model_is_refused():
    """What the pool sends is held to the model: an undeclared key or a wrong type is an error,
    never a body that the schema does not describe."""
    assert encoded(Health, {"status": "ok", "measure_families": 19}) == \
        b'{"status":"ok","measure_families":19}'
    with pytest.raises(ValidationError):
        encoded(Health, {"status": "ok", "measure_families": 19, "extra": 1})
    with pytest.raises(ValidationError):
        encoded(EvaluationOut, {"enterprise": "E"})


def test_the_window_and_worklist_answers_are_derived_from_the_solver_s_types():
    """One contract: /v1/windows's WindowOut is solver.planner.Window's fields as its as_dict
    writes them (so are the worklist's details: solver.worklist's ClaimDetail, …), each with the name views.words.with_names puts beside it — not a second copy."""
    from service.schemas import WindowOut, answer_model
    from solver.planner import Window

    declared = [f.name for f in dataclasses.fields(Window)]
    assert [f for f in WindowOut.model_fields if not f.endswith("_name")] == declared
    assert {f for f in WindowOut.model_fields if f.endswith("_name")} == \
        {"tier_name", "who_name", "contact_name", "tel_name"}

    from service import schemas
    from solver import worklist

    for derived, source in ((schemas.ClaimDetail, worklist.ClaimDetail),
                            (schemas.ApplyDetail, worklist.ApplyDetail),
                            (schemas.NearMissDetail, worklist.NearMissDetail)):
        assert [f for f in derived.model_fields if not f.endswith("_name")] == \
            [f.name for f in dataclasses.fields(source)]

    @dataclasses.dataclass(frozen=True)
    class Opening:
        tier: str
        opens: dt.date | None
        contact: str
        note: int

    model = answer_model(Opening, "OpeningOut")
    assert list(model.model_fields) == ["tier", "tier_name", "opens", "contact", "contact_name", "note"]
    assert model(tier="national", tier_name="x", opens="2027-01-01", contact="x",
                 contact_name="x", note=1).opens == "2027-01-01"
    with pytest.raises(ValidationError):  # the derived model forbids what it does not declare
        model(tier="national", tier_name="x", opens=None, contact="x", contact_name="x",
              note=1, extra=2)
