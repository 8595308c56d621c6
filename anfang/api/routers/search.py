"""Search: records by attributes, by an uploaded picture, by (partial or misread) plate number."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, File, Query, UploadFile

from anfang.api.deps import allowed_cameras, get_platform
from anfang.api.params import Offset
from anfang.api.routers.records import MAX_LIMIT, Scope, attributes_page, search_errors, search_service
from anfang.api.uploads import read_picture
from anfang.platform import Platform
from anfang.search.plates import Mode
from anfang.search.service import ImageKind, record_dict

router = APIRouter(prefix="/search", tags=["search"])


@router.get("/records", summary="Records by attributes (colours use the 12-name palette)")
def search_records(
    record_type: str | None = Query(None, alias="type", description="person, motor_vehicle, non_motor_vehicle, face"),
    coat_color: str | None = None,
    trousers_color: str | None = None,
    vehicle_color: str | None = None,
    plate_color: str | None = None,
    camera_id: list[str] | None = Query(None),
    since: float | None = None,
    until: float | None = None,
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: Offset = 0,
    platform: Platform = Depends(get_platform),
    allowed: Scope = Depends(allowed_cameras),
) -> dict[str, Any]:
    return attributes_page(
        platform, allowed, record_type, camera_id, since, until, limit, offset,
        coat_color=coat_color, trousers_color=trousers_color, vehicle_color=vehicle_color, plate_color=plate_color,
    )  # fmt: skip


@router.post("/by-image", summary="Records nearest to an uploaded picture: faces (Face records) or bodies (Person)")
async def search_by_image(
    image: UploadFile = File(..., description="JPEG or PNG of one person or face"),
    k: int = Query(20, ge=1, le=200),
    kind: ImageKind = Query("auto", description="face, body, or auto (face when the picture shows one)"),
    camera_id: list[str] | None = Query(None),
    since: float | None = None,
    until: float | None = None,
    platform: Platform = Depends(get_platform),
    allowed: Scope = Depends(allowed_cameras),
) -> dict[str, Any]:
    picture = await read_picture(image, "image")
    with search_errors():
        hits = search_service(platform).by_image(picture, k, camera_id, since, until, scope=allowed, kind=kind)
    return {
        "kind": hits[0].kind if hits else None,
        "items": [record_dict(h.row) | {"score": round(h.score, 4)} for h in hits],
    }


@router.get("/plates", summary="Motor vehicle records by plate: exact, wildcard (* ?) or fuzzy (OCR-aware)")
def search_plates(
    q: str = Query(..., min_length=1, description="plate or pattern, e.g. 皖A*E18"),
    mode: Mode = "exact",
    max_distance: float = Query(1.0, ge=0, le=2),
    camera_id: list[str] | None = Query(None),
    since: float | None = None,
    until: float | None = None,
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    platform: Platform = Depends(get_platform),
    allowed: Scope = Depends(allowed_cameras),
) -> dict[str, Any]:
    with search_errors():
        hits = search_service(platform).plates(q, mode, camera_id, since, until, limit, max_distance, scope=allowed)
    return {"items": [record_dict(h.row) | {"distance": h.score} for h in hits]}
