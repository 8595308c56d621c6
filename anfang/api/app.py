"""The FastAPI application: routers assembled, one authentication gate, readable validation errors."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from anfang import __version__
from anfang.api.deps import current_user
from anfang.api.routers import cameras, console, events, health, stats, ws
from anfang.api.schemas import ValidationErrorOut
from anfang.platform import Platform
from anfang.security.media import EvidenceTampered
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
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(EvidenceTampered, _evidence_tampered)

    classes = platform.registered  # every registered component, enabled or not: the API is the same
    app.include_router(health.router, prefix="/api")
    for cls in classes:  # the few routes without a user (login)
        for router in cls.public_routers():
            app.include_router(router, prefix="/api")
    # Everything else needs a user: the one dependency is set here, never per route.
    protected = APIRouter(prefix="/api", dependencies=[Depends(current_user)])
    for module in (cameras, console, events, stats, ws):  # the core's routes
        protected.include_router(module.router)
    from anfang.api.routers import plugins  # source/detector/rule/sink types with their config schemas

    protected.include_router(plugins.router)
    for cls in classes:  # each feature's routes (security, records, recordings, faces, heatmaps, devices)
        for router in cls.routers():
            protected.include_router(router)
    app.include_router(protected)
    for cls in classes:  # standard-fixed paths with their own authentication (GA/T 1400 /VIID, Digest)
        for router in cls.root_routers():
            app.include_router(router)
    # The live page: static files only (no data); everything it shows comes through the gated API.
    app.mount("/", StaticFiles(directory=STATIC_DIR, html=True), name="web")
    return app


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in _REQUEST_PARTS and len(parts) > 1:
        parts = parts[1:]
    return ".".join(parts) or "(body)"


async def _validation_error(_request: Request, err: Exception) -> JSONResponse:
    """422 with each error's field as a dotted path (``source.rtsp.url``), like the config loader's."""
    assert isinstance(err, RequestValidationError)  # registered for that class only
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


async def _evidence_tampered(request: Request, exc: Exception) -> JSONResponse:
    """409 for any read of stored evidence that fails its at-rest signature (never the tampered bytes).

    The media policy has already audited the finding and raised the alarm; this adds who asked for it.
    """
    from anfang.api.deps import audit

    assert isinstance(exc, EvidenceTampered)
    audit(request, "evidence.refused", exc.path.name, {"path": request.url.path})
    return JSONResponse(
        status_code=status.HTTP_409_CONFLICT,
        content={"detail": f"{exc}; the stored evidence was modified and is refused (audited, alarm raised)"},
    )
