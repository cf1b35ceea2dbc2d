"""Imported once by the server process that evaluation processes are forked from (service.pool):
the roads imported and one small record evaluated on the shipped catalog, so that a new
evaluation process starts warm (its first answer takes milliseconds, not the half second of first
imports and model builds). A server of another package (`zjtx serve --catalog`) has each new
evaluation process open it when it starts, before its first task (service.pool._serve)."""

from __future__ import annotations

import logging

from models.catalog import open_catalog, using_catalog
from service import answers

RECORD: dict[str, object] = {"id": "WARM", "district": "dongcheng", "as_of": "2026-01-01",
                             "recognitions": [{"tier": "municipal", "date": "2023-03-31"}]}

try:
    with using_catalog(open_catalog(None)):
        answers.evaluation(RECORD, {})
except Exception:  # noqa: BLE001 - a cold start is slower, never broken
    logging.getLogger("zjtx.service").warning("could not warm the evaluation processes",
                                              exc_info=True)
