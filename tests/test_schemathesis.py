"""The HTTP API under Schemathesis: every operation of the OpenAPI schema of the ASGI app, with
generated (valid and invalid) inputs, answers without a 5xx and without a traceback.

Bounded: at most 30 examples per operation (the `dev` profile; `ci` keeps its own, larger budget
when CI=true), no deadline: the file runs in well under a minute.

It found, when written, 500s on a record with an unknown key that is not alphanumeric
(`{"": null}`, `{"foo-bar": 1}`); fixed, with regression tests in test_service.py.
"""

from __future__ import annotations

import json
import os

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from service.app import create_app

app = create_app()
schema = schemathesis.openapi.from_asgi("/openapi.json", app)

# The profile conftest.py loads: `dev` keeps 30 examples per operation; `ci` its own 200.
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev")
MAX_EXAMPLES = 30 if PROFILE == "dev" else settings.get_profile(PROFILE).max_examples


@schemathesis.serializer("application/x-ndjson")
def ndjson(_ctx, value):
    """The batch body: the schema says a string (JSON lines); other generated values go as JSON."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    return json.dumps(value).encode("utf-8")


def test_the_schema_lists_every_operation():
    """Nothing silently skipped: every endpoint of the API is in the schema under test."""
    paths = app.openapi()["paths"]
    assert {"/healthz", "/v1/evaluate", "/v1/best-district", "/v1/whatif", "/v1/batch",
            "/v1/measures", "/v1/measures/{measure_id}", "/v1/windows", "/v1/readings",
            "/v1/examples"} <= set(paths)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
def test_no_server_error(case):
    """No generated request, well-formed or not, gets a 5xx or a traceback."""
    response = case.call()
    assert response.status_code < 500, (case.method, case.formatted_path, case.query, case.body,
                                        response.status_code, response.text[:500])
    assert "Traceback" not in response.text
    case.validate_response(response, checks=[not_a_server_error])
