"""Evidence access: pictures (audited, masked without see_identities), signed bundles, track erasure."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from pydantic import BaseModel

from anfang.api.deps import Principal, allowed_cameras, audit, current_user, event_or_404, get_platform, require_role
from anfang.api.params import TrackId
from anfang.platform import Platform
from anfang.security.component import Security
from anfang.security.export import export_event

router = APIRouter(tags=["evidence"])


def evidence_image(
    request: Request, platform: Platform, user: Principal, event_id: str, kind: Literal["snapshot", "crop"]
) -> Response:
    """A stored picture as the caller may see it: camera-scoped, decrypted, masked, and audited."""
    rec = event_or_404(platform, user.cameras, event_id)
    data = platform.events.read_media(getattr(rec, f"{kind}_path"))
    if data is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"event {event_id!r} has no {kind}")
    masked = not user.see_identities and platform.get(Security).config.mask_faces
    if masked:
        data = platform.get(Security).masker.mask_jpeg(data)
    audit(request, "evidence.view", event_id, {"kind": kind, "camera_id": rec.camera_id, "masked": masked})
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=86400"})


@router.get(
    "/events/{event_id}/evidence.zip",
    response_class=Response,
    responses={
        200: {"content": {"application/zip": {}}, "description": "signed bundle"},
        404: {"description": "unknown"},
    },
)
def export_evidence(
    event_id: str,
    request: Request,
    user: Principal = Depends(current_user),
    allowed: frozenset[str] | None = Depends(allowed_cameras),
    platform: Platform = Depends(get_platform),
) -> Response:
    """A self-verifying bundle (``anfang evidence verify``) of the event's clear pictures and metadata."""
    if not user.can("evidence.export"):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "not permitted: evidence.export")
    if not user.see_identities:  # an export is unmasked evidence: only for users allowed to see identities
        raise HTTPException(status.HTTP_403_FORBIDDEN, "exporting evidence needs the see_identities permission")
    rec = event_or_404(platform, allowed, event_id)
    with tempfile.TemporaryDirectory(prefix="anfang-export-") as tmp:
        out = Path(tmp) / f"{event_id}.zip"
        export_event(platform.events, platform.keys.signer(), event_id, out, {"exported_by": user.name})
        data = out.read_bytes()
    audit(request, "evidence.export", event_id, {"camera_id": rec.camera_id, "bytes": len(data)})
    return Response(
        data,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="evidence-{event_id}.zip"', "Cache-Control": "no-store"},
    )


class DeletedOut(BaseModel):
    deleted_events: int


@router.delete(
    "/tracks/{camera_id}/{track_id}",
    response_model=DeletedOut,
    dependencies=[Depends(require_role("admin"))],
    responses={404: {"description": "no events for this track"}},
)
def delete_track_route(
    camera_id: str, track_id: TrackId, request: Request, platform: Platform = Depends(get_platform)
) -> DeletedOut:
    """Erase a tracked object's events and pictures (e.g. a data-subject request); audited."""
    n = platform.events.delete_track(camera_id, track_id)
    if n == 0:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no events for track {track_id} on camera {camera_id!r}")
    audit(request, "evidence.delete", f"{camera_id}/{track_id}", {"events": n})
    return DeletedOut(deleted_events=n)
