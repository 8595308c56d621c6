"""Event search and the evidence pictures stored with each event."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status

from anfang.api.deps import Principal, allowed_cameras, current_user, event_or_404, get_platform
from anfang.api.params import Offset
from anfang.api.routers.evidence import evidence_image  # camera scope, decryption, masking, audit
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
    offset: Offset = 0,
    platform: Platform = Depends(get_platform),
    allowed: frozenset[str] | None = Depends(allowed_cameras),
    user: Principal = Depends(current_user),
) -> EventPage:
    rows, total = platform.events.query(
        camera_id=camera_id,
        type=event_type,
        object_class=object_class,
        since=since,
        until=until,
        limit=limit,
        offset=offset,
        camera_ids=allowed,
    )
    hide = not user.see_identities
    return EventPage(items=[EventOut.of(r, hide) for r in rows], total=total, limit=limit, offset=offset)


@router.get("/{event_id}", response_model=EventOut, responses={404: {"description": "unknown event"}})
def get_event(
    event_id: str,
    platform: Platform = Depends(get_platform),
    allowed: frozenset[str] | None = Depends(allowed_cameras),
    user: Principal = Depends(current_user),
) -> EventOut:
    return EventOut.of(event_or_404(platform, allowed, event_id), not user.see_identities)


def _image(
    request: Request, platform: Platform, user: Principal, event_id: str, kind: Literal["snapshot", "crop"]
) -> Response:
    if not user.can("event.view"):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "not permitted: event.view")
    return evidence_image(request, platform, user, event_id, kind)


_IMAGE_RESPONSES: dict[int | str, dict] = {
    200: {"content": {"image/jpeg": {}}, "description": "JPEG"},
    404: {"description": "unknown event or no such picture"},
}


@router.get("/{event_id}/snapshot.jpg", response_class=Response, responses=_IMAGE_RESPONSES)
def event_snapshot(
    event_id: str, request: Request, platform: Platform = Depends(get_platform), user: Principal = Depends(current_user)
) -> Response:
    return _image(request, platform, user, event_id, "snapshot")


@router.get("/{event_id}/crop.jpg", response_class=Response, responses=_IMAGE_RESPONSES)
def event_crop(
    event_id: str, request: Request, platform: Platform = Depends(get_platform), user: Principal = Depends(current_user)
) -> Response:
    return _image(request, platform, user, event_id, "crop")
