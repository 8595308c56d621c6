"""Where people walked, as a picture: the camera's person heatmap over its latest frame."""

from __future__ import annotations

import cv2
from fastapi import APIRouter, Depends, HTTPException, Query, Response, status

from anfang.api.deps import get_platform
from anfang.platform import Platform

router = APIRouter(prefix="/cameras", tags=["cameras"])


@router.get(
    "/{camera_id}/heatmap.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}, 404: {"description": "unknown camera"}},
)
def heatmap_png(
    camera_id: str,
    background: bool = Query(True, description="blend over the camera's latest frame"),
    platform: Platform = Depends(get_platform),
) -> Response:
    try:
        latest = platform.latest(camera_id)
    except KeyError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"camera {camera_id!r} not found") from None
    heatmaps = getattr(platform, "heatmaps", None)
    if heatmaps is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "heatmaps are not enabled")
    frame = latest[0].image if (background and latest is not None) else None
    ok, buf = cv2.imencode(".png", heatmaps.get(camera_id).render(frame))
    if not ok:
        raise HTTPException(status.HTTP_500_INTERNAL_SERVER_ERROR, "PNG encoding failed")
    return Response(buf.tobytes(), media_type="image/png", headers={"Cache-Control": "no-store"})
