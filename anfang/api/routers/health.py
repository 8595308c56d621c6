"""Liveness for load balancers and service managers: no authentication, no database hit."""

from __future__ import annotations

import time

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from anfang import __version__
from anfang.api.deps import get_platform
from anfang.platform import Platform

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    version: str
    running: bool
    uptime_s: float | None


@router.get("/health", response_model=Health)
def health(platform: Platform = Depends(get_platform)) -> Health:
    started = platform.started_at
    return Health(
        status="ok",
        version=__version__,
        running=platform.running,
        uptime_s=None if started is None else round(time.time() - started, 3),
    )
