"""Camera CRUD and the latest frame: thin wrappers over :class:`~anfang.platform.Platform`.

Secrets in a camera config (URL passwords, ``password`` fields) are write-only: every response and audit
entry shows them masked (``rtsp://admin:***@host``), and an update that sends the masked value back keeps
the stored secret (``anfang.security.secrets``).
"""

from __future__ import annotations

import cv2
from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status

from anfang.api.deps import Principal, allowed_cameras, audit, current_user, get_platform, require_role, scoped_camera
from anfang.api.schemas import CameraOut, CameraStatusOut
from anfang.config.models import CameraConfig
from anfang.platform import CameraExistsError, Platform
from anfang.security.component import Security
from anfang.security.secrets import keep_masked, mask, mask_text

router = APIRouter(prefix="/cameras", tags=["cameras"])

_JPEG_QUALITY = 85


def _out(platform: Platform, cam: CameraConfig, statuses: dict[str, dict]) -> CameraOut:
    st = statuses.get(cam.id)
    return CameraOut(
        id=cam.id,
        name=cam.name,
        origin="config" if platform.camera_origin(cam.id) == "config" else "api",
        config=CameraConfig.model_validate(mask(cam.model_dump(mode="json"))),  # secrets never leave
        status=CameraStatusOut.model_validate({k: mask_text(v) if isinstance(v, str) else v for k, v in st.items()})
        if st
        else None,
    )


@router.get("", response_model=list[CameraOut])
def list_cameras(
    platform: Platform = Depends(get_platform), allowed: frozenset[str] | None = Depends(allowed_cameras)
) -> list[CameraOut]:
    statuses = platform.camera_status()
    return [_out(platform, c, statuses) for c in platform.cameras() if allowed is None or c.id in allowed]


@router.get("/{camera_id}", response_model=CameraOut, responses={404: {"description": "unknown camera"}})
def get_camera(
    camera_id: str,
    platform: Platform = Depends(get_platform),
    cam: CameraConfig = Depends(scoped_camera),
) -> CameraOut:
    return _out(platform, cam, platform.camera_status())


@router.post(
    "",
    response_model=CameraOut,
    status_code=status.HTTP_201_CREATED,
    responses={409: {"description": "a camera with this id exists"}, 422: {"description": "invalid config"}},
    dependencies=[Depends(require_role("admin"))],
)
def add_camera(
    camera: CameraConfig, request: Request, response: Response, platform: Platform = Depends(get_platform)
) -> CameraOut:
    try:
        cfg = platform.add_camera(camera)
    except CameraExistsError as err:
        raise HTTPException(status.HTTP_409_CONFLICT, str(err)) from None
    except ValueError as err:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(err)) from None
    audit(request, "camera.add", cfg.id, {"config": mask(cfg.model_dump(mode="json"))})
    response.headers["Location"] = f"/api/cameras/{cfg.id}"
    return _out(platform, cfg, platform.camera_status())


@router.put(
    "/{camera_id}",
    response_model=CameraOut,
    responses={404: {"description": "unknown camera"}, 422: {"description": "invalid config or id mismatch"}},
    dependencies=[Depends(require_role("admin"))],
)
def update_camera(
    camera_id: str, camera: CameraConfig, request: Request, platform: Platform = Depends(get_platform)
) -> CameraOut:
    if camera.id != camera_id:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, f"id: body id {camera.id!r} does not match path id {camera_id!r}"
        )
    try:
        old = platform.camera(camera_id).model_dump(mode="json")
        camera = CameraConfig.model_validate(keep_masked(camera.model_dump(mode="json"), old))  # write-only
        cfg = platform.update_camera(camera_id, camera)
    except KeyError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"camera {camera_id!r} not found") from None
    except ValueError as err:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(err)) from None
    audit(request, "camera.update", camera_id, {"config": mask(cfg.model_dump(mode="json"))})
    return _out(platform, cfg, platform.camera_status())


@router.delete(
    "/{camera_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={404: {"description": "unknown"}},
    dependencies=[Depends(require_role("admin"))],
)
def delete_camera(camera_id: str, request: Request, platform: Platform = Depends(get_platform)) -> Response:
    try:
        platform.remove_camera(camera_id)
    except KeyError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"camera {camera_id!r} not found") from None
    audit(request, "camera.delete", camera_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{camera_id}/frame.jpg",
    response_class=Response,
    responses={
        200: {"content": {"image/jpeg": {}}, "description": "the newest decoded frame"},
        404: {"description": "unknown camera"},
        503: {"description": "no frame decoded yet"},
    },
)
def latest_frame(
    camera_id: str,
    annotated: bool = Query(False, description="draw detections, zones and lines"),
    platform: Platform = Depends(get_platform),
    cam: CameraConfig = Depends(scoped_camera),
    user: Principal = Depends(current_user),
) -> Response:
    latest = platform.latest(camera_id)
    if latest is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, f"camera {camera_id!r} has no frame yet")
    frame, detections = latest
    image = frame.image
    if annotated:
        from anfang.video.snapshot import annotate

        image = annotate(image, detections, cam.zones, cam.lines)
    if not user.see_identities and platform.get(Security).config.mask_faces:
        image = platform.get(Security).masker.mask(image)
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, _JPEG_QUALITY])
    if not ok:
        raise HTTPException(status.HTTP_500_INTERNAL_SERVER_ERROR, "JPEG encoding failed")
    return Response(buf.tobytes(), media_type="image/jpeg", headers={"Cache-Control": "no-store"})
