"""The HTTP API and the web page (`service.app`): every endpoint answers what the CLI's
`--format json` prints, bad input is a 4xx problem body (`application/problem+json` with type,
title, status, detail and field), the page and its assets are served, and no response anywhere
carries a traceback. `zjtx serve` binds to the loopback address unless told otherwise."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import httpx
import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cli import app as cli_app
from models.catalog import load_catalog as _load_catalog
from models.limits import LOOPBACK_HOSTS, MAX_HORIZON_YEARS
from models.yamlio import load_data
from service.app import BATCH_LIMIT_BYTES, BATCH_LIMIT_ROWS, create_app

DISTRICTS = _load_catalog().vocabulary.districts  # the catalog declares them

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
EXAMPLE_FILES = sorted(p for p in EXAMPLES.iterdir() if p.suffix in (".yaml", ".json"))
DONGCHENG = EXAMPLES / "dongcheng-municipal-then-national.yaml"
RELOCATING = EXAMPLES / "relocating-little-giant.yaml"
PROBLEM = "application/problem+json"
NDJSON = {"content-type": "application/x-ndjson"}
runner = CliRunner()  # click >= 8.2: result.stderr is separate


def no_traceback(response: httpx.Response) -> None:
    """Every response of every test: never a traceback, whatever the status."""
    response.read()
    assert "Traceback" not in response.text, (response.request.url, response.text[:2000])


@pytest.fixture(scope="module")
def client():
    # raise_server_exceptions=False: a 5xx is a response to look at, as a real client would see it.
    with TestClient(create_app(), raise_server_exceptions=False) as test_client:
        test_client.event_hooks = {"request": [], "response": [no_traceback]}
        yield test_client


def record_of(path: Path) -> dict:
    """An example file as the JSON body a client would send (dates stay text)."""
    return load_data(path.read_text(encoding="utf-8"))


@cache
def cli_json(*args: str) -> dict:
    """`zjtx ... --format json`, parsed; run once per session."""
    result = runner.invoke(cli_app, [*args, "--format", "json"])
    assert result.exit_code == 0, (args, result.exit_code, result.output, result.exception)
    return json.loads(result.stdout)


def ok(response: httpx.Response) -> dict | list:
    assert response.status_code == 200, (response.status_code, response.text[:1000])
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def assert_problem(response: httpx.Response, status: int, title: str | None = None,
                   field: str | None = None, *fragments: str) -> dict:
    """A problem body: the content type, status in header and body, title, detail, field."""
    assert response.status_code == status, (response.status_code, response.text[:1000])
    assert response.headers["content-type"].startswith(PROBLEM), response.headers["content-type"]
    body = response.json()
    assert body["type"] == "about:blank"
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    if title is not None:
        assert body["title"] == title, body
    if field is not None:
        assert body.get("field") == field, body
    for fragment in fragments:
        assert fragment in body["detail"], (fragment, body)
    return body


# -- health ------------------------------------------------------------------------------------------

def test_healthz(client):
    assert ok(client.get("/healthz")) == {"status": "ok", "measure_families": 19}


# -- evaluate ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_evaluate_equals_the_cli(client, path: Path):
    """POST /v1/evaluate answers exactly `zjtx evaluate --format json`, plus the timeline."""
    body = ok(client.post("/v1/evaluate", json=record_of(path)))
    assert isinstance(body.pop("timeline"), list)
    assert body == cli_json("evaluate", str(path))


def test_evaluate_timeline_follows_the_awards(client):
    body = ok(client.post("/v1/evaluate", json=record_of(DONGCHENG)))
    assert body["total"] == {"min": 900000, "max": 900000, "open_above": False}
    assert body["timeline"], body["timeline"]


def test_evaluate_reading_as_query(client):
    body = ok(client.post("/v1/evaluate", params={"stacking": "difference-only"},
                          json=record_of(DONGCHENG)))
    assert body["readings"]["stacking"] == "difference-only"
    assert body["total"]["min"] == body["total"]["max"] == 800000
    body.pop("timeline")
    assert body == cli_json("evaluate", str(DONGCHENG), "--reading", "stacking=difference-only")


def test_evaluate_unknown_key(client):
    record = {**record_of(DONGCHENG), "recognitons": []}
    assert_problem(client.post("/v1/evaluate", json=record), 422, "RecordError", "recognitons",
                   "unknown key 'recognitons'", "did you mean 'recognitions'?")


def test_evaluate_bad_tier(client):
    record = {**record_of(DONGCHENG), "recognitions": [{"tier": "bogus", "date": "2022-09-30"}]}
    assert_problem(client.post("/v1/evaluate", json=record), 422, "RecordError",
                   "recognitions[0].tier", "'bogus'", "national")


def test_evaluate_bad_date_names_the_field(client):
    record = {**record_of(DONGCHENG), "recognitions": [{"tier": "national", "date": "2022-13-01"}]}
    assert_problem(client.post("/v1/evaluate", json=record), 422, "RecordError",
                   "recognitions[0].date")


def test_evaluate_missing_district(client):
    assert_problem(client.post("/v1/evaluate", json={"id": "E-1"}), 422, "RecordError",
                   "district")


@pytest.mark.parametrize("body", [[1, 2], "a string", 42, None, True],
                         ids=["list", "string", "number", "null", "bool"])
def test_evaluate_body_not_an_object(client, body):
    assert_problem(client.post("/v1/evaluate", json=body), 422)


def test_evaluate_broken_json(client):
    response = client.post("/v1/evaluate", content=b'{"id": "E-1", "district": ',
                           headers={"content-type": "application/json"})
    assert_problem(response, 422, "RequestValidationError", None, "JSON")


def test_evaluate_empty_body(client):
    response = client.post("/v1/evaluate", content=b"", headers={"content-type": "application/json"})
    assert_problem(response, 422)


def test_evaluate_unknown_query_parameter(client):
    response = client.post("/v1/evaluate", params={"stackin": "cumulative"}, json=record_of(DONGCHENG))
    assert_problem(response, 400, "InputError", "stackin", "unknown query parameter 'stackin'",
                   "stacking")


def test_evaluate_bad_reading_value(client):
    response = client.post("/v1/evaluate", params={"stacking": "both"}, json=record_of(DONGCHENG))
    assert_problem(response, 400, "ReadingError", None, "'both'", "difference-only")


def test_date_and_tier_are_not_readings_for_evaluate(client):
    """`date` and `tier` are only skipped by the reading parser; they change nothing."""
    plain = ok(client.post("/v1/evaluate", json=record_of(DONGCHENG)))
    assert ok(client.post("/v1/evaluate", params={"date": "x", "tier": "y"},
                          json=record_of(DONGCHENG))) == plain


# -- best district -----------------------------------------------------------------------------------

def test_best_district_equals_the_cli(client):
    body = ok(client.post("/v1/best-district",
                          json={"record": record_of(RELOCATING), "move_date": "2027-01-15"}))
    cli = cli_json("best-district", str(RELOCATING), "--move-date", "2027-01-15")
    assert len(body["ranking"]) == 16
    assert sorted(o["district"] for o in body["ranking"]) == sorted(DISTRICTS)
    assert body["ranking"] == cli["ranking"]
    assert body.pop("current_district") == record_of(RELOCATING)["district"]
    assert body.pop("current_district_name") == "Haidian"
    assert body == cli


def test_best_district_horizon_and_reading(client):
    body = ok(client.post("/v1/best-district", params={"stacking": "difference-only"},
                          json={"record": record_of(RELOCATING), "move_date": "2027-01-15",
                                "horizon_years": 0}))
    assert body["horizon"] == [2027, 2027]
    assert body["ranking"] == cli_json("best-district", str(RELOCATING), "--move-date",
                                       "2027-01-15", "--horizon-years", "0", "--reading",
                                       "stacking=difference-only")["ranking"]


@pytest.mark.parametrize("move_date", ["2027-13-45", "15/01/2027", "tomorrow", 20270115],
                         ids=["month-13", "dmy", "word", "number"])
def test_best_district_bad_move_date(client, move_date):
    response = client.post("/v1/best-district",
                           json={"record": record_of(RELOCATING), "move_date": move_date})
    assert_problem(response, 422, "RequestValidationError", "move_date")


def test_best_district_move_date_before_a_recorded_move(client):
    record = {"id": "M-1", "district": "dongcheng",
              "moves": [{"from": "outside_beijing", "to": "dongcheng", "date": "2026-01-01"}]}
    response = client.post("/v1/best-district", json={"record": record, "move_date": "2025-01-01"})
    assert_problem(response, 400, "InputError", None, "2026-01-01")


@pytest.mark.parametrize("body, field", [
    ({"move_date": "2027-01-15"}, "record"),
    ({"record": {"id": "x", "district": "dongcheng"}, "horizon_years": -1}, "horizon_years"),
    ({"record": {"id": "x", "district": "dongcheng"}, "horizon_years": MAX_HORIZON_YEARS + 1},
         "horizon_years"),
    ({"record": {"id": "x", "district": "dongcheng"}, "colour": "red"}, "colour"),
], ids=["no-record", "negative-horizon", "long-horizon", "extra-key"])
def test_best_district_bad_request(client, body, field):
    assert_problem(client.post("/v1/best-district", json=body), 422, "RequestValidationError", field)


def test_best_district_bad_record(client):
    response = client.post("/v1/best-district", json={"record": {"id": "x", "district": "atlantis"}})
    assert_problem(response, 422, "RecordError", "district", "'atlantis'")


# -- what if -----------------------------------------------------------------------------------------

def test_whatif_reading_change(client):
    body = ok(client.post("/v1/whatif", json={"record": record_of(DONGCHENG),
                                              "changes": ["stacking=difference-only"]}))
    assert body["delta"] == {"min": -100000, "max": -100000}
    assert body == cli_json("whatif", str(DONGCHENG), "stacking=difference-only")


def test_whatif_empty_changes(client):
    """The schema says at least one change (was: a 400 the schema did not announce)."""
    response = client.post("/v1/whatif", json={"record": record_of(DONGCHENG), "changes": []})
    assert_problem(response, 422, "RequestValidationError", "changes", "at least 1 item")


def test_whatif_no_changes_key(client):
    response = client.post("/v1/whatif", json={"record": record_of(DONGCHENG)})
    assert_problem(response, 422, "RequestValidationError", "changes", "required")


@pytest.mark.parametrize("change", ["stacking", "", "=x"])
def test_whatif_change_not_key_value(client, change):
    """A change is `key=value` (the schema's pattern)."""
    response = client.post("/v1/whatif", json={"record": record_of(DONGCHENG), "changes": [change]})
    assert_problem(response, 422, "RequestValidationError", "changes[0]")


@pytest.mark.parametrize("change", ["colour=red", "shunyi.tier.national.amount=-1",
                                    "expense=leased_equipment:lots@2027", "move=shunyi@someday"])
def test_whatif_unknown_or_bad_change(client, change):
    response = client.post("/v1/whatif", json={"record": record_of(DONGCHENG), "changes": [change]})
    assert_problem(response, 400, "InputError")


def test_whatif_unknown_change_lists_what_is_accepted(client):
    response = client.post("/v1/whatif", json={"record": record_of(DONGCHENG),
                                               "changes": ["colour=red"]})
    assert_problem(response, 400, "InputError", None, "unknown change 'colour'", "move", "recognition")


def test_whatif_too_many_changes(client):
    response = client.post("/v1/whatif", json={"record": record_of(DONGCHENG),
                                               "changes": ["stacking=difference-only"] * 51})
    assert_problem(response, 422, "RequestValidationError", "changes")


# -- batch -------------------------------------------------------------------------------------------

def jsonl(*rows: dict | str) -> bytes:
    return "\n".join(row if isinstance(row, str) else json.dumps(row) for row in rows).encode()


def test_batch_good_bad_and_duplicate_rows(client):
    base = record_of(DONGCHENG)
    body = jsonl({**base, "id": "A"}, {**base, "id": "B"}, {**base, "id": "C"},
                 '{"id": "D", "district": ', {**base, "id": "A"})
    result = ok(client.post("/v1/batch", content=body, headers=NDJSON))
    assert result["rows_in"] == 5 == result["rows_out"] + result["error_rows"]
    assert (result["rows_out"], result["error_rows"]) == (3, 2)
    assert [row["id"] for row in result["results"]] == ["A", "B", "C"]
    assert all(row["total_max"] == 900000 for row in result["results"])
    assert set(result["results"][0]) == set(result["columns"])
    broken, duplicate = result["errors"]
    assert broken["row"] == 4 and "not valid JSON" in broken["message"]
    assert duplicate["row"] == 5 and duplicate["id"] == "A"
    assert "duplicate id 'A'" in duplicate["message"] and "row 1" in duplicate["message"]


def test_batch_rows_that_are_not_records(client):
    body = jsonl("[1]", '"x"', "5", "null", {"id": "E", "district": "atlantis"}, "", "   ")
    result = ok(client.post("/v1/batch", headers=NDJSON, content=body))
    assert (result["rows_in"], result["rows_out"], result["error_rows"]) == (5, 0, 5)
    assert result["errors"][-1]["field"] == "district"


def test_batch_reading_as_query(client):
    body = jsonl({**record_of(DONGCHENG), "id": "A"})
    result = ok(client.post("/v1/batch", headers=NDJSON, params={"stacking": "difference-only"}, content=body))
    assert result["results"][0]["total_max"] == 800000


def test_batch_bad_reading(client):
    assert_problem(client.post("/v1/batch", headers=NDJSON, params={"stacking": "both"}, content=b"{}"), 400,
                   "ReadingError")


def test_batch_body_over_the_limit(client):
    body = b" " * (BATCH_LIMIT_BYTES + 1)
    assert_problem(client.post("/v1/batch", headers=NDJSON, content=body), 413, "PayloadTooLarge", None,
                   "1,000,000")


def test_batch_streamed_body_over_the_limit(client):
    """No Content-Length (chunked): the limit still holds while reading."""
    def chunks():
        for _ in range(11):
            yield b" " * 100_000
    response = client.post("/v1/batch", headers=NDJSON, content=chunks())
    assert_problem(response, 413, "PayloadTooLarge", None, "1,000,000")


def test_batch_too_many_lines(client):
    body = b"{}\n" * (BATCH_LIMIT_ROWS + 1)
    assert_problem(client.post("/v1/batch", headers=NDJSON, content=body), 413, "PayloadTooLarge", None, "2,000")


def test_batch_not_utf8(client):
    """A line that is not UTF-8 is that line's error row, as in `zjtx batch` (was: the whole
    body refused)."""
    body = b'{"id": "\xff"}\n' + jsonl({**record_of(DONGCHENG), "id": "A"})
    result = ok(client.post("/v1/batch", headers=NDJSON, content=body))
    assert (result["rows_in"], result["rows_out"], result["error_rows"]) == (2, 1, 1)
    assert result["errors"][0]["row"] == 1 and "UTF-8" in result["errors"][0]["message"]


def test_batch_empty_body(client):
    result = ok(client.post("/v1/batch", headers=NDJSON, content=b""))
    assert (result["rows_in"], result["rows_out"], result["error_rows"]) == (0, 0, 0)


# -- catalog -----------------------------------------------------------------------------------------

def test_measures(client):
    families = ok(client.get("/v1/measures"))
    assert len(families) == 19
    ids = [family["id"] for family in families]
    assert len(set(ids)) == 19
    assert {"m1", "m8", "dongcheng.tier", "miyun.tier"} <= set(ids)
    m6 = next(family for family in families if family["id"] == "m6")
    assert "m6.exhibition" in m6["measures"] and "010-55578300" in m6["tel"]


def test_measure_by_rule_id(client):
    body = ok(client.get("/v1/measures/m6.exhibition"))
    assert body["id"] == "m6"
    assert body["clause"].startswith("6. Market expansion")
    assert "exhibition" in body["clause"].lower()
    assert "010-55578300" in [source["tel"] for source in body["sources"]]
    assert "m6.exhibition" in {rule["id"] for rule in body["rules"]}


def test_measure_by_family_id(client):
    assert ok(client.get("/v1/measures/m6"))["id"] == "m6"


@pytest.mark.parametrize("measure_id", ["m9", "m6.exhibitions", "nowhere.tier", " "])
def test_unknown_measure(client, measure_id):
    assert_problem(client.get(f"/v1/measures/{measure_id}"), 404, "NotFound", "measure_id",
                   "unknown measure")


def test_readings(client):
    body = ok(client.get("/v1/readings"))
    assert set(body) == {"stacking", "daxing-sentences", "claim-lag", "paying-district",
                         "pinggu-relocation-origin", "entity-scope", "interest-cap",
                         "interest-years", "audience"}
    for spec in body.values():
        assert spec["default"] in spec["alternatives"] and spec["about"]


def test_examples(client):
    body = ok(client.get("/v1/examples"))
    assert [example["name"] for example in body] == [path.stem for path in EXAMPLE_FILES]
    for example in body:
        assert example["record"]["id"] and example["record"]["district"]


def test_an_example_record_evaluates_as_its_file(client):
    """The page's picker sends /v1/examples records back: same answer as the file."""
    example = next(e for e in ok(client.get("/v1/examples")) if e["name"] == DONGCHENG.stem)
    body = ok(client.post("/v1/evaluate", json=example["record"]))
    body.pop("timeline")
    assert body == cli_json("evaluate", str(DONGCHENG))


# -- windows -----------------------------------------------------------------------------------------

def test_windows(client):
    body = ok(client.get("/v1/windows", params={"date": "2024-02-10"}))
    assert body["date"] == "2024-02-10"
    innovative = next(w for w in body["windows"] if w["tier"] == "innovative")
    assert innovative["last_day"] == "2024-02-29"
    assert body == cli_json("windows", "--date", "2024-02-10")


def test_windows_one_tier(client):
    body = ok(client.get("/v1/windows", params={"date": "2024-02-10", "tier": "innovative"}))
    assert [w["tier"] for w in body["windows"]] == ["innovative"]


@pytest.mark.parametrize("date", ["2024-02-30", "10/02/2024", "soon"])
def test_windows_bad_date(client, date):
    assert_problem(client.get("/v1/windows", params={"date": date}), 422,
                   "RequestValidationError", "date")


def test_windows_bad_tier(client):
    response = client.get("/v1/windows", params={"date": "2024-02-10", "tier": "galactic"})
    assert_problem(response, 400, "InputError", None, "'galactic'", "innovative")


# -- the page, its assets and the API docs -----------------------------------------------------------

def test_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert 'id="ranking"' in response.text
    assert "/static/app.js" in response.text


@pytest.mark.parametrize("asset, kind", [("app.js", "javascript"), ("style.css", "text/css"), ("fonts.css", "text/css")])
def test_static_assets(client, asset, kind):
    response = client.get(f"/static/{asset}")
    assert response.status_code == 200
    assert kind in response.headers["content-type"]
    assert response.text.strip()


def test_docs(client):
    response = client.get("/docs")
    assert response.status_code == 200
    assert "swagger" in response.text.lower()


def test_openapi(client):
    schema = ok(client.get("/openapi.json"))
    assert schema["info"]["title"] == "zjtx"
    assert {"/v1/evaluate", "/v1/best-district", "/v1/whatif", "/v1/batch", "/v1/measures",
            "/v1/measures/{measure_id}", "/v1/windows", "/v1/readings", "/v1/examples",
            "/healthz"} <= set(schema["paths"])
    assert "/" not in schema["paths"]


# -- zjtx serve --------------------------------------------------------------------------------------

def test_serve_help_mentions_loopback():
    result = runner.invoke(cli_app, ["serve", "--help"])
    assert result.exit_code == 0, result.output
    assert "127.0.0.1" in result.stdout
    assert "--host" in result.stdout


def test_serve_default_host_is_loopback():
    command = typer.main.get_command(cli_app).commands["serve"]
    defaults = {param.name: param.default for param in command.params}
    assert defaults["host"] == "127.0.0.1"
    assert defaults["port"] == 8000


def test_serve_binds_loopback_by_default(monkeypatch):
    import service.server
    from service.settings import ServiceSettings

    calls = []
    monkeypatch.setattr(service.server, "serve",
                        lambda settings, **options: calls.append((settings, options)) or 0)
    result = runner.invoke(cli_app, ["serve"])
    assert result.exit_code == 0, (result.output, result.exception)
    ((settings, options),) = calls
    assert options["host"] == "127.0.0.1" and options["port"] == 8000 and options["workers"] == 1
    assert settings == ServiceSettings(allowed_hosts=LOOPBACK_HOSTS)  # the shipped catalog


# -- bugs --------------------------------------------------------------------------------------------

NON_ALNUM_KEYS = ["foo-bar", ""]


@pytest.mark.parametrize("key", NON_ALNUM_KEYS)
@pytest.mark.parametrize("endpoint", ["/v1/evaluate", "/v1/best-district"])
def test_unknown_key_with_punctuation_is_a_422_naming_it(client, endpoint, key):
    """Regression (was a bug): an unknown record key that is not letters, digits and underscores
    (`foo-bar`, `""`, `a b`) was a 500 InternalError (IndexError), not a 422 naming the key.

    `models.validation.describe` drops every `loc` part that is not alphanumeric (meant for
    pydantic's `function-after[...]` tags), so for such a key `loc` is empty and `loc[-1]` raises
    IndexError. The CLI has the same bug: `zjtx evaluate` on a file with such a key prints a
    traceback and exits 1. Schemathesis finds it in a second (`{"": null}`).
    """
    record = {"id": "E-1", "district": "dongcheng", key: 1}
    body = record if endpoint == "/v1/evaluate" else {"record": record}
    assert_problem(client.post(endpoint, json=body), 422, "RecordError", key or None)


def test_batch_row_with_a_punctuated_key_is_one_error_row(client):
    """Regression (was a bug): one batch row with an unknown key such as `foo-bar` turned the
    whole /v1/batch request into a 500 (the IndexError of `describe` escapes `evaluate_row`, which only catches
    ZjtxError); the good rows are lost. Expected: that row is an error row. `zjtx batch` dies
    with a traceback on the same line."""
    body = jsonl({"id": "A", "district": "dongcheng"},
                 {"id": "B", "district": "dongcheng", "foo-bar": 1})
    result = ok(client.post("/v1/batch", headers=NDJSON, content=body))
    assert (result["rows_in"], result["rows_out"], result["error_rows"]) == (2, 1, 1)


def test_unknown_punctuated_key_in_a_nested_item_is_named(client):
    """Regression (was a bug): an unknown key such as `x-y` inside recognitions[0] was reported as `unknown key 0`,
    field `recognitions[0]` (the list index taken for the key): the client cannot tell which
    key to fix. Same cause as above (`describe` drops the key from the path)."""
    record = {"id": "E-1", "district": "dongcheng",
              "recognitions": [{"tier": "municipal", "date": "2023-01-01", "x-y": 1}]}
    body = assert_problem(client.post("/v1/evaluate", json=record), 422, "RecordError")
    assert "x-y" in body["detail"] or body.get("field") == "recognitions[0].x-y", body


def test_batch_deeply_nested_line_is_one_error_row(client):
    """Regression (was a bug): a batch line of deeply nested JSON (`[[[[…`, 100,000 deep, well
    under the size limit) made json.loads raise RecursionError, which is not a JSONDecodeError: the whole request is
    a 500 InternalError instead of one error row. (/v1/evaluate answers such a body with 400.)"""
    body = jsonl({"id": "A", "district": "dongcheng"}, "[" * 100_000)
    result = ok(client.post("/v1/batch", headers=NDJSON, content=body))
    assert (result["rows_in"], result["rows_out"], result["error_rows"]) == (2, 1, 1)


@pytest.mark.parametrize("method, path, kwargs", [
    ("POST", "/v1/evaluate", {"content": b'{"id": "\xff"}', "headers": {"content-type": "application/json"}}),
    ("POST", "/v1/evaluate", {"content": b"[" * 100_000, "headers": {"content-type": "application/json"}}),
    ("GET", "/v1/evaluate", {}),
    ("GET", "/v1/nothing-here", {}),
], ids=["json-not-utf8", "json-too-deep", "wrong-method", "unknown-path"])
def test_framework_4xx_answers_are_problem_bodies_too(client, method, path, kwargs):
    """Regression (was a bug): the module promises every bad input is a problem body, but
    FastAPI's and Starlette's own HTTPExceptions were not routed through `problem()`: a JSON body that cannot be decoded (not
    UTF-8, or nested too deep) is `400 {"detail": "There was an error parsing the body"}`,
    a wrong method `405 {"detail": "Method Not Allowed"}`, an unknown path
    `404 {"detail": "Not Found"}`, all as application/json without title/status/field.
    (No handler for starlette.exceptions.HTTPException.)"""
    response = client.request(method, path, **kwargs)
    assert 400 <= response.status_code < 500, response.status_code
    assert_problem(response, response.status_code)


@pytest.mark.parametrize("request_args, field", [
    (("POST", "/v1/evaluate", {"params": {"stacking": "both"},
                               "json": {"id": "E-1", "district": "dongcheng"}}), "stacking"),
    (("GET", "/v1/windows", {"params": {"tier": "galactic"}}), "tier"),
    (("POST", "/v1/best-district", {"json": {
        "record": {"id": "M-1", "district": "dongcheng", "moves": [
            {"from": "outside_beijing", "to": "dongcheng", "date": "2026-01-01"}]},
        "move_date": "2025-01-01"}}), "move_date"),
], ids=["reading", "windows-tier", "move-date"])
def test_problem_field_names_the_request_field_not_a_cli_option(client, request_args, field):
    """Regression (was a bug): problem bodies named CLI options instead of the request's field: a bad reading value in the
    query is field `--reading` (not `stacking`), a bad /v1/windows tier is `--tier` (not `tier`),
    a move date before a recorded move is `--move-date` (not `move_date`). The errors come from
    the shared solver code, which was written for the CLI; the page shows `field` to the user."""
    method, path, kwargs = request_args
    body = assert_problem(client.request(method, path, **kwargs), 400)
    assert body.get("field") == field, body


def broken_evaluation(*_args, **_kwargs):
    """An evaluation whose catalog fails while answering (a condition the loader let through);
    at module level: the evaluation process imports it by name."""
    from models.errors import CatalogError

    raise CatalogError("operator '>=' does not apply to tags in 'industry >= x'",
                       file="daxing.yaml", field="rules[0].conditions[0]")


def test_a_broken_catalog_is_the_servers_fault_not_the_requests(monkeypatch):
    """A catalog that fails while answering is a 500 problem body, never a 400 that blames the
    request (the error travels back from the evaluation process with its type)."""
    import service.answers as service_answers

    monkeypatch.setattr(service_answers, "evaluation", broken_evaluation)
    with TestClient(create_app(), raise_server_exceptions=False) as fresh:
        body = assert_problem(fresh.post("/v1/evaluate", json=record_of(DONGCHENG)), 500,
                              "CatalogError")
    assert "does not apply to tags" in body["detail"]  # the detail names the problem, not the file


# -- every date field reads what people type (issue #21, section 2) ---------------------------------

def test_every_date_field_reads_chinese_and_slashed_dates(client):
    """Record dates, the windows' and worklist's `date`, `move_date`, `at`: each spelling the
    record file and the CLI read gives the answer the ISO spelling gives."""
    assert ok(client.get("/v1/windows", params={"date": "2024年2月10日"})) == \
        ok(client.get("/v1/windows", params={"date": "2024-02-10"}))
    typed = {**record_of(RELOCATING), "as_of": "2026年11月24日"}
    iso = {**record_of(RELOCATING), "as_of": "2026-11-24"}
    assert ok(client.post("/v1/best-district", json={"record": typed, "move_date": "2027年1月15日"})) \
        == ok(client.post("/v1/best-district", json={"record": iso, "move_date": "2027-01-15"}))
    assert ok(client.post("/v1/worklist", json={"records": [typed], "date": "2026/12/1"})) == \
        ok(client.post("/v1/worklist", json={"records": [iso], "date": "2026-12-01"}))
    line = json.dumps(record_of(DONGCHENG)).encode()
    assert ok(client.post("/v1/impact", params=[("at", "2024/1/1"), ("at", "2026年1月1日")],
                          content=line, headers=NDJSON)) == \
        ok(client.post("/v1/impact", params=[("at", "2024-01-01"), ("at", "2026-01-01")],
                       content=line, headers=NDJSON))


def test_a_date_that_is_no_day_is_refused_in_the_request_s_language(client):
    body = assert_problem(client.get("/v1/windows", params={"date": "2026年2月30日", "lang": "zh"}),
                          422, "RequestValidationError", "date")
    assert "2023年6月30日" in body["detail"] and "不是" in body["detail"]


def test_every_date_field_of_the_schema_is_the_day_as_people_type_it(client):
    """/openapi.json says what the service reads: every date field refers to `Day`, whose pattern
    names 2023年6月30日 and not 2023年2月30日 (tests/test_day_pattern.py holds it to the reader)."""
    import re

    schema = ok(client.get("/openapi.json"))
    day = {"$ref": "#/components/schemas/Day"}
    parts = schema["components"]["schemas"]
    assert parts["Record"]["properties"]["as_of"]["anyOf"][0] == day
    for part, field in (("Record.Recognition", "date"), ("Record.Move", "date"),
                        ("Record.Qualification", "date")):
        assert parts[part]["properties"][field] == day, part
    for part, field in (("PlanRequest", "move_date"), ("WorklistRequest", "date"),
                        ("RecognitionsRequest", "date"), ("RecognitionsRequest", "day")):
        assert day in parts[part]["properties"][field]["anyOf"], (part, field)
    pattern = re.compile(parts["Day"]["pattern"])
    assert pattern.search("2023年6月30日") and not pattern.search("2023年2月30日")


def test_what_if_items_read_as_on_the_cli(client):
    """The issue's items as a clerk types them answer as their ids do: the move to Daxing makes
    Daxing the payer of the national reward, the expense pays an exhibition subsidy."""
    record = {"id": "EX-DOOR", "district": "dongcheng", "as_of": "2026-11-24",
              "industries": ["hydrogen_energy", "foreign_trade"],
              "recognitions": [{"tier": "municipal", "date": "2025-09-30"}]}
    typed = ["move=大兴区@2027年1月1日", "recognition=小巨人@2027年3月1日", "expense=国际展会:50万@2026"]
    canonical = ["move=daxing@2027-01-01", "recognition=national@2027-03-01",
                 "expense=exhibition:500000@2026"]
    answer = ok(client.post("/v1/whatif", json={"record": record, "changes": typed}))
    expected = ok(client.post("/v1/whatif", json={"record": record, "changes": canonical}))
    assert answer.pop("scenario") == " ".join(typed) and expected.pop("scenario") == " ".join(canonical)
    assert answer == expected
    assert {award["measure"] for award in answer["gained"]} >= {"daxing.tier", "m6.exhibition"}


def test_the_api_documentation_speaks_chinese_beside_english(client):
    """Swagger UI's own words are English; what the document says is in both languages: its
    description, each tag's and each operation's summary (Chinese first)."""
    import re

    schema = ok(client.get("/openapi.json"))
    chinese = re.compile(r"^[^A-Za-z]*[\u4e00-\u9fff].* · [A-Z]", re.S)
    assert re.search(r"[\u4e00-\u9fff]", schema["info"]["description"])
    assert "Beijing support measures" in schema["info"]["description"]
    tags = {tag for operations in schema["paths"].values() for operation in operations.values()
            for tag in operation["tags"]}
    assert {tag["name"] for tag in schema["tags"]} == tags
    for tag in schema["tags"]:
        assert chinese.match(tag["description"]), tag
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            assert chinese.match(operation["summary"]), (path, operation["summary"])
