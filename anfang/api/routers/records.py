"""Structured records: list, read, pictures, and GA/T 1400 export (one record or a filtered batch)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status

from anfang.api.deps import Principal, allowed_cameras, audit, current_user, get_platform, must_mask
from anfang.api.params import Offset
from anfang.platform import Platform
from anfang.search.service import SearchError, SearchService, record_dict
from anfang.security.component import Security
from anfang.structuring.component import Structuring
from anfang.structuring.gat1400 import export
from anfang.structuring.service import RecordService
from anfang.structuring.store import RecordRow

router = APIRouter(prefix="/records", tags=["records"])
MAX_LIMIT = 1000
Scope = frozenset[str] | None


def _url_base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def record_service(platform: Platform) -> RecordService:
    return platform.get(Structuring).service


def search_service(platform: Platform) -> SearchService:
    return SearchService(record_service(platform))


@contextmanager
def search_errors() -> Iterator[None]:
    """A :class:`SearchError` (a bad filter or query) becomes 422 with its message."""
    try:
        yield
    except SearchError as err:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(err)) from None


def attributes_page(
    platform: Platform,
    allowed: Scope,
    record_type: str | None,
    camera_id: list[str] | None,
    since: float | None,
    until: float | None,
    limit: int,
    offset: int,
    **attrs: str | None,
) -> dict[str, Any]:
    """One page of records, newest first, as ``{"items", "limit", "offset"}``; 422 for a bad filter."""
    with search_errors():
        rows = search_service(platform).attributes(
            record_type, camera_id, since, until, limit, offset, scope=allowed, **attrs
        )
    return {"items": [record_dict(r) for r in rows], "limit": limit, "offset": offset}


def _scoped(platform: Platform, record_id: str, allowed: Scope) -> RecordRow:
    row = record_service(platform).store.get(record_id)
    if row is None or (allowed is not None and row.camera_id not in allowed):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"record {record_id!r} not found")
    return row


@router.get("", summary="Records, newest first")
def list_records(
    record_type: str | None = Query(None, alias="type", description="person, motor_vehicle, non_motor_vehicle, face"),
    camera_id: list[str] | None = Query(None),
    since: float | None = Query(None, description="epoch seconds, inclusive"),
    until: float | None = Query(None, description="epoch seconds, exclusive"),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: Offset = 0,
    platform: Platform = Depends(get_platform),
    allowed: Scope = Depends(allowed_cameras),
) -> dict[str, Any]:
    return attributes_page(platform, allowed, record_type, camera_id, since, until, limit, offset)


@router.get("/export/gat1400", summary="GA/T 1400 list objects for a filtered batch of records")
def export_gat1400(
    request: Request,
    record_type: str | None = Query(None, alias="type"),
    camera_id: list[str] | None = Query(None),
    since: float | None = None,
    until: float | None = None,
    limit: int = Query(200, ge=1, le=MAX_LIMIT),
    platform: Platform = Depends(get_platform),
    allowed: Scope = Depends(allowed_cameras),
) -> dict[str, Any]:
    with search_errors():
        rows = search_service(platform).attributes(record_type, camera_id, since, until, limit, scope=allowed)
    return export(rows, _url_base(request))


@router.get("/{record_id}", summary="One record with its attributes and how sure each is")
def get_record(
    record_id: str, platform: Platform = Depends(get_platform), allowed: Scope = Depends(allowed_cameras)
) -> dict[str, Any]:
    return record_dict(_scoped(platform, record_id, allowed))


@router.get("/{record_id}/gat1400", summary="One record as a GA/T 1400 list object")
def get_record_gat1400(
    record_id: str,
    request: Request,
    platform: Platform = Depends(get_platform),
    allowed: Scope = Depends(allowed_cameras),
) -> dict[str, Any]:
    return export([_scoped(platform, record_id, allowed)], _url_base(request))


@dataclass(frozen=True)
class _Viewer:
    """Who asks for a record picture, and what they may see."""

    request: Request
    platform: Platform
    user: Principal
    allowed: Scope


def _viewer(
    request: Request,
    platform: Platform = Depends(get_platform),
    user: Principal = Depends(current_user),
    allowed: Scope = Depends(allowed_cameras),
) -> _Viewer:
    return _Viewer(request, platform, user, allowed)


def _picture(viewer: _Viewer, record_id: str, kind: Literal["snapshot", "crop"]) -> Response:
    """A record picture as the caller may see it — the same policy as event evidence (``evidence_image``):
    camera-scoped, decrypted, masked for users without see_identities, and audited as an evidence view.
    A record's pictures identify people as much as an alarm's do, so they get no softer treatment."""
    platform = viewer.platform
    row = _scoped(platform, record_id, viewer.allowed)
    data = record_service(platform).store.read_media(getattr(row, f"{kind}_path"))
    if data is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"record {record_id!r} has no {kind}")
    masked = must_mask(platform, viewer.user)
    if masked:
        data = platform.get(Security).masker.mask_jpeg(data)
    detail = {"kind": kind, "record": True, "camera_id": row.camera_id, "masked": masked}
    audit(viewer.request, "evidence.view", record_id, detail)
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=86400"})


_IMAGE_RESPONSES: dict[int | str, dict] = {
    200: {"content": {"image/jpeg": {}}, "description": "JPEG (faces/plates masked without see_identities)"},
    404: {"description": "unknown record or no such picture"},
}


@router.get("/{record_id}/snapshot.jpg", response_class=Response, responses=_IMAGE_RESPONSES,
            summary="The full frame of the best view")  # fmt: skip
def record_snapshot(record_id: str, viewer: _Viewer = Depends(_viewer)) -> Response:
    return _picture(viewer, record_id, "snapshot")


@router.get("/{record_id}/crop.jpg", response_class=Response, responses=_IMAGE_RESPONSES,
            summary="The object's best crop")  # fmt: skip
def record_crop(record_id: str, viewer: _Viewer = Depends(_viewer)) -> Response:
    return _picture(viewer, record_id, "crop")
