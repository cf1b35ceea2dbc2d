"""Planning: the best district to move to, what-if scenarios, the worklist, application windows."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from service import answers
from service.deps import TAKES_READINGS, AppWorkers, EncodedJSON, request_readings
from service.problems import COMMON, INVALID, WORK
from service.schemas import (Day, PlanRequest, RankingOut, RecognitionsOut, RecognitionsRequest,
                             WhatIfOut, WhatifRequest, WindowsOut, WorklistOut, WorklistRequest)
from solver.planner import windows
from views.words import with_names

router = APIRouter(tags=["planner"], responses=COMMON)


@router.post("/v1/best-district", response_model=RankingOut, responses=WORK,
             openapi_extra=TAKES_READINGS)
async def rank_districts(request: Request, body: PlanRequest, workers: AppWorkers) -> Response:
    """The same JSON as `zjtx best-district --format json`."""
    readings = request_readings(request)
    return EncodedJSON(await workers.run(answers.ranking, body, readings))


@router.post("/v1/whatif", response_model=WhatIfOut, responses=WORK, openapi_extra=TAKES_READINGS)
async def what_if(request: Request, body: WhatifRequest, workers: AppWorkers) -> Response:
    """The same JSON as `zjtx whatif --format json`."""
    readings = request_readings(request)
    return EncodedJSON(await workers.run(answers.what_if, body, readings))


@router.post("/v1/worklist", response_model=WorklistOut, responses=WORK,
             openapi_extra=TAKES_READINGS)
async def work(request: Request, body: WorklistRequest, workers: AppWorkers) -> Response:
    """The same rows as `zjtx worklist --format json`: per enterprise and action (claim,
    apply, near_miss), sorted by date then amount; invalid records as error rows."""
    readings = request_readings(request)
    return EncodedJSON(await workers.run(answers.work, body, readings))


@router.post("/v1/recognitions/import", response_model=RecognitionsOut, responses=WORK,
             openapi_extra=TAKES_READINGS)
async def import_recognitions(request: Request, body: RecognitionsRequest,
                              workers: AppWorkers) -> Response:
    """`zjtx recognitions import LIST --registry REGISTRY`: each list row matched by credit code,
    else by normalized company name (never on a guess), and `zjtx worklist UPDATED --new-since
    REGISTRY`: who newly qualifies, for what, from whom, before when; both as XLSX too."""
    readings = request_readings(request)
    return EncodedJSON(await workers.run(answers.recognitions, body, readings))


@router.get("/v1/windows", response_model=WindowsOut, responses=INVALID)
def open_windows(date: Annotated[Day | None, Query(description="The day to look at (default today): 2026-12-01, 2026/12/1 or 2026年12月1日.")] = None,
                 tier: Annotated[str | None, Query(description="innovative, municipal or national")] = None,
                 ) -> object:
    """The application windows open on a date."""
    day = date or dt.date.today()
    return with_names({"date": day.isoformat(), "windows": [w.as_dict() for w in windows(day, tier)]})
