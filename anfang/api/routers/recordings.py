"""Recorded video: the segment index and timeline, any time range as one MP4, and event clips.

Thin: validation and HTTP shapes only; cutting and concatenating lives in :mod:`anfang.recording.export`.
An exported range is written to a temporary file and deleted after it has been sent, so a long export
never sits in memory. Every route is camera-scoped (404 for a camera not granted); recorded video is copied
H.264/H.265 that cannot be masked, so it needs see_identities, and each view or export is audited.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from anfang.api.deps import (
    Principal,
    allowed_cameras,
    audit,
    current_user,
    event_or_404,
    get_platform,
    require_identities,
    scoped_camera,
    scoped_video,
)
from anfang.platform import Platform
from anfang.recording.component import Recording

router = APIRouter(tags=["recordings"])

MAX_EXPORT_S = 6 * 3600.0  # one request cannot ask the server to concatenate a week of video
_MP4: dict[int | str, dict[str, Any]] = {
    200: {"content": {"video/mp4": {}}, "description": "MP4 (H.264/H.265, remuxed from the segments)"},
    404: {"description": "unknown camera/event, or nothing recorded in the range"},
}
_RECORDED_VIDEO = [Depends(scoped_video("recorded video"))]


def _send_temp(path: Path | None, what: str, filename: str) -> FileResponse:
    if path is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no recording covers {what}")
    return FileResponse(
        path,
        media_type="video/mp4",
        filename=filename,
        content_disposition_type="inline",
        background=BackgroundTask(os.unlink, path),
        headers={"Cache-Control": "no-store"},
    )


@router.get("/recordings/{camera_id}", dependencies=[Depends(scoped_camera)])
def list_recordings(
    camera_id: str,
    since: float | None = Query(None, description="epoch seconds; segments ending after this"),
    until: float | None = Query(None, description="epoch seconds; segments starting before this"),
    platform: Platform = Depends(get_platform),
) -> dict[str, Any]:
    return platform.get(Recording).service.listing(camera_id, since, until)


@router.get(
    "/recordings/{camera_id}/segments/{start_ms}.mp4",
    response_class=FileResponse,
    responses=_MP4,
    dependencies=_RECORDED_VIDEO,
)
def get_segment(
    camera_id: str, start_ms: int, request: Request, platform: Platform = Depends(get_platform)
) -> FileResponse:
    path = platform.get(Recording).service.segment_path(camera_id, start_ms)
    if path is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"camera {camera_id!r} has no segment {start_ms}")
    audit(request, "recording.view", camera_id, {"segment": start_ms})
    return FileResponse(path, media_type="video/mp4", headers={"Cache-Control": "private, max-age=3600"})


@router.get(
    "/recordings/{camera_id}/play.mp4", response_class=FileResponse, responses=_MP4, dependencies=_RECORDED_VIDEO
)
def play(
    camera_id: str,
    request: Request,
    start: float = Query(..., description="epoch seconds"),
    end: float = Query(..., description="epoch seconds, > start"),
    platform: Platform = Depends(get_platform),
) -> FileResponse:
    if not end > start:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "end: must be after start")
    if end - start > MAX_EXPORT_S:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"end: at most {MAX_EXPORT_S:.0f} s per request")
    path = platform.get(Recording).service.export(camera_id, start, end)
    if path is not None:
        audit(request, "recording.export", camera_id, {"start": start, "end": end})
    return _send_temp(path, f"{start:.3f}..{end:.3f}", f"{camera_id}-{int(start)}.mp4")


@router.get("/events/{event_id}/clip.mp4", response_class=FileResponse, responses=_MP4)
def event_clip(
    event_id: str,
    request: Request,
    platform: Platform = Depends(get_platform),
    allowed: frozenset[str] | None = Depends(allowed_cameras),
    user: Principal = Depends(current_user),
) -> FileResponse:
    rec = event_or_404(platform, allowed, event_id)
    require_identities(platform, user, "an event clip")
    path = platform.get(Recording).service.event_clip(rec.camera_id, rec.start_time, rec.end_time)
    if path is not None:
        audit(request, "evidence.view", event_id, {"kind": "clip", "camera_id": rec.camera_id, "masked": False})
    return _send_temp(path, f"event {event_id!r}", f"event-{event_id}.mp4")
