"""Camera health from video quality diagnosis: every camera's state, one camera's check history, and the
site report (which cameras need a technician) as CSV.

Camera-scoped like every camera route: a user sees only granted cameras, and a camera outside the grant
is 404. When diagnosis is off (``quality.enabled: false``) the routes answer 503.
"""

from __future__ import annotations

import csv
import io
import time
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Response, status

from anfang.api.deps import allowed_cameras, get_platform, scoped_camera
from anfang.config.models import CameraConfig
from anfang.platform import Platform
from anfang.quality.component import Quality

router = APIRouter(tags=["quality"])


def _quality(platform: Platform) -> Quality:
    q = platform.find(Quality)
    if q is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "video quality diagnosis is not enabled")
    return q


def _summaries(platform: Platform, allowed: frozenset[str] | None) -> list[dict[str, Any]]:
    q = _quality(platform)
    out: list[dict[str, Any]] = []
    for cam in platform.cameras():
        if allowed is not None and cam.id not in allowed:
            continue
        health = q.cameras.get(cam.id)
        if health is None:  # configured but never started (disabled, or the platform not running)
            out.append(
                {
                    "camera_id": cam.id,
                    "name": cam.name,
                    "status": "unknown",
                    "needs_technician": False,
                    "active": {},
                    "last_check": None,
                    "last_ms": None,
                    "baselined": False,
                    "results": {},
                }
            )
        else:
            out.append(health.summary())
    return out


@router.get("/quality")
def quality_all(
    platform: Platform = Depends(get_platform), allowed: frozenset[str] | None = Depends(allowed_cameras)
) -> list[dict[str, Any]]:
    """Health of every camera the caller may see: status ok / degraded / critical / unknown, active defects."""
    return _summaries(platform, allowed)


@router.get("/quality/report.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def quality_report(
    platform: Platform = Depends(get_platform), allowed: frozenset[str] | None = Depends(allowed_cameras)
) -> Response:
    """The site report: one row per active defect (cameras needing a technician first), one per healthy camera."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["camera_id", "name", "status", "needs_technician", "defect", "severity", "since", "score"])
    rows = sorted(_summaries(platform, allowed), key=lambda s: (not s["needs_technician"], s["camera_id"]))
    for s in rows:
        if not s["active"]:
            w.writerow([s["camera_id"], s["name"] or "", s["status"], "no", "", "", "", ""])
        for defect, a in sorted(s["active"].items()):
            since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(a["since"]))
            w.writerow([s["camera_id"], s["name"] or "", s["status"], "yes", defect, a["severity"], since, a["score"]])
    return Response(
        buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="quality-report.csv"', "Cache-Control": "no-store"},
    )


@router.get("/cameras/{camera_id}/quality")
def quality_camera(
    camera: CameraConfig = Depends(scoped_camera),
    limit: int = Query(60, ge=1, le=10_000, description="newest checks to return"),
    platform: Platform = Depends(get_platform),
) -> dict[str, Any]:
    """One camera's health and its newest checks (scores, thresholds, verdicts, ms per check)."""
    q = _quality(platform)
    health = q.cameras.get(camera.id)
    summary = next(s for s in _summaries(platform, None) if s["camera_id"] == camera.id)
    return {**summary, "history": health.recent(limit) if health is not None else []}
