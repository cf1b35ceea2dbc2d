"""What Schemathesis needs to know to speak to zjtx (loaded by schemathesis.toml): how to send a
/v1/batch or /v1/impact body, JSON lines (`application/x-ndjson`, `application/jsonl`) — the schema says a
string of lines; other generated values go as one JSON line."""

from __future__ import annotations

import json

import schemathesis


@schemathesis.serializer("application/x-ndjson", "application/jsonl")
def json_lines(_ctx: object, value: object) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    return json.dumps(value).encode("utf-8")
