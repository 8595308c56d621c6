"""Where people walked, as a picture: the camera's person heatmap over its latest frame.

Camera-scoped like every camera route; the background is a live frame, so it is masked for users without
see_identities like ``frame.jpg``.
"""

from __future__ import annotations

import cv2
from fastapi import APIRouter, Depends, HTTPException, Query, Response, status

from anfang.analytics.component import Heatmaps
from anfang.api.deps import Principal, current_user, get_platform, must_mask, scoped_camera
from anfang.platform import Platform
from anfang.security.component import Security

router = APIRouter(prefix="/cameras", tags=["cameras"])


@router.get(
    "/{camera_id}/heatmap.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}, 404: {"description": "unknown camera"}},
    dependencies=[Depends(scoped_camera)],
)
def heatmap_png(
    camera_id: str,
    background: bool = Query(True, description="blend over the camera's latest frame"),
    platform: Platform = Depends(get_platform),
    user: Principal = Depends(current_user),
) -> Response:
    latest = platform.latest(camera_id)
    heatmaps = platform.find(Heatmaps)
    if heatmaps is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "heatmaps are not enabled")
    frame = latest[0].image if (background and latest is not None) else None
    if frame is not None and must_mask(platform, user):
        frame = platform.get(Security).masker.mask(frame)
    ok, buf = cv2.imencode(".png", heatmaps.maps.get(camera_id).render(frame))
    if not ok:
        raise HTTPException(status.HTTP_500_INTERNAL_SERVER_ERROR, "PNG encoding failed")
    return Response(buf.tobytes(), media_type="image/png", headers={"Cache-Control": "no-store"})
