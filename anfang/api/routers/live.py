"""Live view: MJPEG (works everywhere), HLS (H.264 without re-encoding), and overlay JSON for the canvas.

MJPEG streams are async generators that sleep between frames and stop as soon as the client goes away
(Starlette cancels the generator on disconnect), so an abandoned tab costs nothing. Frames come from the
pipeline's ``latest()``; nothing here touches the camera thread.

Security: every route is camera-scoped (404 for a camera not granted, the websocket refused before it is
accepted). For users without see_identities MJPEG frames are masked before encoding (faces found on the
clean picture, then boxes drawn), and HLS is refused: it is the camera's H.264 copied as is, and masking it
would mean re-encoding. A live view is audited once when a stream starts, not per frame.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

from fastapi import (
    APIRouter,
    Depends,
    HTTPException,
    Query,
    Request,
    Response,
    WebSocket,
    WebSocketDisconnect,
    status,
)
from fastapi.responses import FileResponse, StreamingResponse

from anfang.api.deps import (
    Principal,
    allowed_cameras,
    audit,
    audit_once,
    check_camera,
    current_user,
    get_platform,
    must_mask,
    scoped_camera,
    scoped_video,
)
from anfang.config.models import CameraConfig
from anfang.core.detections import Detections
from anfang.core.frame import Frame
from anfang.platform import Platform
from anfang.recording.component import Recording
from anfang.recording.live import jpeg_of, overlay_of
from anfang.security.component import Security

router = APIRouter(tags=["live"])

MAX_MJPEG_FPS = 15.0
OVERLAY_WS_FPS = 10.0
BOUNDARY = "frame"


def _frame_jpeg(
    platform: Platform, frame: Frame, detections: Detections, camera: CameraConfig | None, mask: bool
) -> bytes:
    """One MJPEG frame; with ``mask``, faces are blurred on the clean picture before boxes are drawn over it
    (drawn boxes and labels would otherwise hide faces from the detector)."""
    if mask:
        frame = replace(frame, image=platform.get(Security).masker.mask(frame.image))
    return jpeg_of(frame, detections, camera)


async def _mjpeg(
    platform: Platform, camera_id: str, overlay: bool, fps: float, mask: bool = False
) -> AsyncIterator[bytes]:
    period = 1.0 / fps
    last_seq: int | None = None
    last_ts: float | None = None
    while True:
        started = time.monotonic()
        try:
            cam = platform.camera(camera_id)
            latest = platform.latest(camera_id)
        except KeyError:
            return  # camera removed while watching
        if latest is not None and (latest[0].seq, latest[0].timestamp) != (last_seq, last_ts):
            frame, detections = latest
            last_seq, last_ts = frame.seq, frame.timestamp
            body = await asyncio.to_thread(_frame_jpeg, platform, frame, detections, cam if overlay else None, mask)
            yield (
                f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(body)}\r\n"
                f"X-Timestamp: {frame.timestamp:.3f}\r\n\r\n"
            ).encode() + body + b"\r\n"
        await asyncio.sleep(max(0.0, period - (time.monotonic() - started)))


@router.get(
    "/cameras/{camera_id}/live.mjpg",
    response_class=StreamingResponse,
    responses={200: {"content": {f"multipart/x-mixed-replace; boundary={BOUNDARY}": {}}}, 404: {}},
    dependencies=[Depends(scoped_camera)],
)
def live_mjpeg(
    camera_id: str,
    request: Request,
    overlay: int = Query(1, ge=0, le=1, description="1: draw boxes, zones and lines"),
    fps: float = Query(5.0, gt=0, le=MAX_MJPEG_FPS),
    platform: Platform = Depends(get_platform),
    user: Principal = Depends(current_user),
) -> StreamingResponse:
    mask = must_mask(platform, user)
    audit(request, "live.view", camera_id, {"format": "mjpeg", "masked": mask})  # once per stream, not per frame
    return StreamingResponse(
        _mjpeg(platform, camera_id, bool(overlay), fps, mask),
        media_type=f"multipart/x-mixed-replace; boundary={BOUNDARY}",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


@router.get("/cameras/{camera_id}/overlay")
def overlay(
    camera_id: str,
    platform: Platform = Depends(get_platform),
    cam: CameraConfig = Depends(scoped_camera),
) -> dict[str, Any]:
    latest = platform.latest(camera_id)
    if latest is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, f"camera {camera_id!r} has no frame yet")
    return overlay_of(cam, *latest)


@router.websocket("/ws/overlay/{camera_id}")
async def overlay_ws(
    websocket: WebSocket,
    camera_id: str,
    platform: Platform = Depends(get_platform),
    allowed: frozenset[str] | None = Depends(allowed_cameras),
) -> None:
    check_camera(allowed, camera_id)  # before accept: the handshake is refused with 404
    await websocket.accept()
    last: tuple[int, float] | None = None
    with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
        while True:
            try:
                cam = platform.camera(camera_id)
                latest = platform.latest(camera_id)
            except KeyError:
                await websocket.close(code=4404)
                return
            if latest is not None and (latest[0].seq, latest[0].timestamp) != last:
                last = (latest[0].seq, latest[0].timestamp)
                await websocket.send_json(overlay_of(cam, *latest))
            await asyncio.sleep(1.0 / OVERLAY_WS_FPS)


_HLS_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/vnd.apple.mpegurl": {}}},
    403: {"description": "the user lacks see_identities: HLS cannot be masked, use live.mjpg"},
    404: {"description": "unknown camera, or not H.264/H.265 (no HLS without re-encoding: use live.mjpg)"},
    503: {"description": "starting: no segment yet; retry after Retry-After seconds"},
}


_HLS_CAMERA = [Depends(scoped_video("live HLS"))]


@router.get("/cameras/{camera_id}/hls/index.m3u8", responses=_HLS_RESPONSES, dependencies=_HLS_CAMERA)
def hls_playlist(camera_id: str, request: Request, platform: Platform = Depends(get_platform)) -> Response:
    """Live HLS playlist; the first request starts the camera's muxer, which stops when nobody asks.

    403 without see_identities: the segments are the camera's H.264 copied unmasked (use live.mjpg).
    """
    try:
        text = platform.get(Recording).service.hls_playlist(camera_id)
    except LookupError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    if text is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "live HLS is starting", headers={"Retry-After": "1"})
    audit_once(request, "live.view", camera_id, {"format": "hls", "masked": False})  # players poll the playlist
    return Response(text, media_type="application/vnd.apple.mpegurl", headers={"Cache-Control": "no-store"})


@router.get("/cameras/{camera_id}/hls/{name}", response_class=FileResponse, dependencies=_HLS_CAMERA)
def hls_segment(camera_id: str, name: str, platform: Platform = Depends(get_platform)) -> FileResponse:
    path = platform.get(Recording).service.hls_segment(camera_id, name)
    if path is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no live segment {name!r}")
    return FileResponse(path, media_type="video/mp2t", headers={"Cache-Control": "max-age=60"})
