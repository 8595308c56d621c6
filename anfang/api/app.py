"""The FastAPI application: routers assembled, one authentication gate, readable validation errors."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from anfang import __version__
from anfang.api.deps import current_user
from anfang.api.routers import (
    audit,
    auth,
    cameras,
    console,
    devices,
    events,
    evidence,
    health,
    live,
    recordings,
    stats,
    users,
    ws,
)
from anfang.api.schemas import ValidationErrorOut
from anfang.platform import Platform
from anfang.web import STATIC_DIR

_REQUEST_PARTS = {"body", "query", "path", "header", "cookie"}


def create_app(platform: Platform) -> FastAPI:
    """An app serving ``platform``; starting and stopping the platform is the caller's job (see server.py)."""
    app = FastAPI(
        title="anfang",
        version=__version__,
        description="Intelligent security platform: cameras, events, live status.",
        responses={422: {"model": ValidationErrorOut, "description": "invalid input; `field` names it"}},
    )
    app.state.platform = platform
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]

    app.include_router(health.router, prefix="/api")
    app.include_router(auth.public, prefix="/api")  # login: the one other route without a user
    # Everything else needs a user: the one dependency is set here, never per route.
    protected = APIRouter(prefix="/api", dependencies=[Depends(current_user)])
    for module in (cameras, console, devices, events, stats, ws, recordings, live):
        protected.include_router(module.router)
    for module in (auth, users, audit, evidence):  # security: sessions, tokens, users, audit, evidence
        protected.include_router(module.router)
    from anfang.api.routers import faces  # face watchlists (å¸æ§), face compare

    protected.include_router(faces.router)
    from anfang.api.routers import records, search  # structured records; attribute/image/plate search

    for module in (records, search):
        protected.include_router(module.router)
    from anfang.api.routers import plugins  # source/detector/rule/sink types with their config schemas

    protected.include_router(plugins.router)
    app.include_router(protected)
    # The live page: static files only (no data); everything it shows comes through the gated API.
    app.mount("/", StaticFiles(directory=STATIC_DIR, html=True), name="web")
    return app


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in _REQUEST_PARTS and len(parts) > 1:
        parts = parts[1:]
    return ".".join(parts) or "(body)"


async def _validation_error(_request: Request, err: RequestValidationError) -> JSONResponse:
    """422 with each error's field as a dotted path (``source.rtsp.url``), like the config loader's."""
    items = [
        {
            "field": _field(tuple(e.get("loc", ()))),
            "msg": str(e.get("msg", "")),
            "type": str(e.get("type", "")),
            "loc": [p if isinstance(p, int) else str(p) for p in e.get("loc", ())],
        }
        for e in err.errors()
    ]
    message = "; ".join(f"{i['field']}: {i['msg']}" for i in items)
    return JSONResponse(
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT, content={"detail": items, "message": message}
    )
