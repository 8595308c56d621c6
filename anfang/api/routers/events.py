"""Event search and the evidence pictures stored with each event."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.responses import FileResponse

from anfang.api.deps import get_platform
from anfang.api.schemas import EventOut, EventPage
from anfang.platform import Platform

router = APIRouter(prefix="/events", tags=["events"])

MAX_LIMIT = 500


@router.get("", response_model=EventPage)
def list_events(
    camera_id: str | None = None,
    event_type: str | None = Query(None, alias="type", description="intrusion, line_crossing, ..."),
    object_class: str | None = None,
    since: float | None = Query(None, description="epoch seconds, inclusive"),
    until: float | None = Query(None, description="epoch seconds, exclusive"),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0),
    platform: Platform = Depends(get_platform),
) -> EventPage:
    rows, total = platform.events.query(
        camera_id=camera_id,
        type=event_type,
        object_class=object_class,
        since=since,
        until=until,
        limit=limit,
        offset=offset,
    )
    return EventPage(items=[EventOut.of(r) for r in rows], total=total, limit=limit, offset=offset)


@router.get("/{event_id}", response_model=EventOut, responses={404: {"description": "unknown event"}})
def get_event(event_id: str, platform: Platform = Depends(get_platform)) -> EventOut:
    rec = platform.events.get(event_id)
    if rec is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"event {event_id!r} not found")
    return EventOut.of(rec)


def _image(platform: Platform, event_id: str, kind: Literal["snapshot", "crop"]) -> FileResponse:
    rec = platform.events.get(event_id)
    if rec is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"event {event_id!r} not found")
    path = platform.events.media_path(getattr(rec, f"{kind}_path"))
    if path is None or not path.is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"event {event_id!r} has no {kind}")
    # Evidence never changes once written, so clients may cache it.
    return FileResponse(path, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=86400"})


_IMAGE_RESPONSES: dict[int | str, dict] = {
    200: {"content": {"image/jpeg": {}}, "description": "JPEG"},
    404: {"description": "unknown event or no such picture"},
}


@router.get("/{event_id}/snapshot.jpg", response_class=FileResponse, responses=_IMAGE_RESPONSES)
def event_snapshot(event_id: str, platform: Platform = Depends(get_platform)) -> FileResponse:
    return _image(platform, event_id, "snapshot")


@router.get("/{event_id}/crop.jpg", response_class=FileResponse, responses=_IMAGE_RESPONSES)
def event_crop(event_id: str, platform: Platform = Depends(get_platform)) -> FileResponse:
    return _image(platform, event_id, "crop")
