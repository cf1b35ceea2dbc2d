"""A seeded, generated corpus of hostile inputs (issue 14), run through the CLI, `zjtx batch` and
the API: no traceback, no 5xx, every batch row accounted for. Each document is a valid record with
one or two mutations of the kinds a careless user or an attacker produces."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cli import app as cli_app
from service.app import create_app

SEED = 14
SIZE = 60
BASE = {"id": "H-0", "district": "daxing", "as_of": "2026-01-01", "industries": ["hydrogen_energy"],
        "recognitions": [{"tier": "municipal", "date": "2022-06-30"}],
        "moves": [], "expenses": [{"id": "e1", "category": "exhibition", "amount": 100000, "year": 2025}],
        "listings": [], "patents": [], "qualifications": [], "rewards_received": []}
NASTY_TEXT = ["\x00", "a\nb", "\x1b[31mred\x1b[0m", "[bold red]x[/bold red]", "\u2028", "\ufeff",
              "x" * 5000, "💥", "../../etc/passwd", "%s%n", "' OR 1=1 --", ""]
NASTY_VALUES = [10**30, -1, 2**63, 1.5, float("nan"), True, None, "9" * 40, "", [], {},
                "9999-12-31", "0001-01-01", "2024-02-30", [[[[[]]]]], {"$ref": "#"}]


def mutate(rnd: random.Random, n: int) -> bytes:
    """One hostile document (bytes, as a file or a body would carry it)."""
    record = json.loads(json.dumps(BASE))
    record["id"] = f"H-{n}"
    for _ in range(rnd.randint(1, 2)):
        kind = rnd.randrange(9)
        if kind == 0:
            record[rnd.choice(["id", "district", "as_of", "name", "entity_type"])] = rnd.choice(NASTY_VALUES + NASTY_TEXT)
        elif kind == 1:
            record["expenses"][0][rnd.choice(["amount", "year", "id", "category", "project_year"])] = rnd.choice(NASTY_VALUES + NASTY_TEXT)
        elif kind == 2:
            record["recognitions"][0]["date"] = rnd.choice(NASTY_VALUES + NASTY_TEXT)
        elif kind == 3:
            record["expenses"] = [dict(record["expenses"][0], id=f"e{i}") for i in range(rnd.choice([0, 300, 10_001]))]
        elif kind == 4:
            record[rnd.choice(["foo-bar", "", "Id", "expenses "])] = 1
        elif kind == 5:
            record["industries"] = rnd.choice([["x" * 300], list(range(300)), "hydrogen_energy", [None]])
        elif kind == 6:
            record["id"] = rnd.choice(NASTY_TEXT) or "H"
        elif kind == 7:
            record["moves"] = [{"from": "outside_beijing", "to": "daxing", "date": rnd.choice(["9999-12-31", "2020-01-01", "1900-01-01"])}]
        else:
            record["expenses"][0]["amount"] = rnd.choice([10**13, 10**13 + 1])
    text = json.dumps(record, ensure_ascii=rnd.random() < 0.5, allow_nan=True)
    raw = text.encode("utf-8")
    tweak = rnd.randrange(12)
    if tweak == 0:
        raw = raw.replace(b'"daxing"', b'"dax\xffing"', 1)  # not UTF-8
    elif tweak == 1:
        raw = raw.replace(b'"as_of"', b'"district": "haidian", "as_of"', 1)  # a duplicate key
    elif tweak == 2:
        raw = raw.replace(b"100000", b"9" * 5000, 1)  # a number of 5,000 digits
    elif tweak == 3:
        raw = b"[" * 5000 + raw + b"]" * 5000
    return raw


CORPUS = [mutate(random.Random(SEED * 1000 + n), n) for n in range(SIZE)]


def test_the_corpus_is_hostile_and_seeded():
    assert CORPUS == [mutate(random.Random(SEED * 1000 + n), n) for n in range(SIZE)]
    assert len({doc for doc in CORPUS}) > SIZE // 2


@pytest.mark.parametrize("command", ["evaluate", "timeline"])
def test_cli_never_a_traceback(tmp_path: Path, command: str):
    runner = CliRunner()
    for n, doc in enumerate(CORPUS):
        path = tmp_path / f"doc-{n}.json"
        path.write_bytes(doc)
        result = runner.invoke(cli_app, [command, str(path), "--format", "json"])
        assert result.exit_code in (0, 2), (n, doc[:300], result.output[-500:], result.exception)
        assert "Traceback" not in result.output, (n, result.output[-500:])


def test_batch_accounts_for_every_row(tmp_path: Path):
    source = tmp_path / "corpus.jsonl"
    source.write_bytes(b"\n".join(doc.replace(b"\n", b" ") for doc in CORPUS) + b"\n")
    out, errors = tmp_path / "out.csv", tmp_path / "errors.csv"
    result = CliRunner().invoke(cli_app, ["batch", str(source), "--out", str(out),
                                          "--errors", str(errors)])
    assert result.exit_code in (0, 1), (result.output[-1000:], result.exception)
    assert "Traceback" not in result.output
    with out.open(encoding="utf-8-sig", newline="") as handle:
        done = list(csv.DictReader(handle))
    with errors.open(encoding="utf-8-sig", newline="") as handle:
        failed = list(csv.DictReader(handle))
    assert len(done) + len(failed) == SIZE


def test_api_never_a_5xx():
    with TestClient(create_app(), raise_server_exceptions=False) as client:
        for n, doc in enumerate(CORPUS):
            for path, body in (("/v1/evaluate", doc), ("/v1/best-district", b'{"record": ' + doc + b"}")):
                response = client.post(path, content=body, headers={"content-type": "application/json"})
                assert response.status_code < 500, (n, path, doc[:300], response.text[:500])
                assert "Traceback" not in response.text
        batch = b"\n".join(doc.replace(b"\n", b" ") for doc in CORPUS)
        response = client.post("/v1/batch", content=batch, headers={"content-type": "application/x-ndjson"})
        assert response.status_code in (200, 413), response.text[:500]
        if response.status_code == 200:
            result = response.json()
            assert result["rows_in"] == result["rows_out"] + result["error_rows"] == SIZE
