"""One call for a dashboard: camera health, the last day's events per hour, rule counters."""

from __future__ import annotations

import time

from fastapi import APIRouter, Depends, Query

from anfang.api.deps import allowed_cameras, get_platform
from anfang.api.schemas import CameraStatusOut, HourCountOut, StatsOut
from anfang.platform import Platform

router = APIRouter(prefix="/stats", tags=["stats"])


@router.get("", response_model=StatsOut)
def stats(
    hours: float = Query(24.0, gt=0, le=24 * 31, description="how far back events_per_hour reaches"),
    platform: Platform = Depends(get_platform),
    allowed: frozenset[str] | None = Depends(allowed_cameras),
) -> StatsOut:
    now = time.time()
    since = now - hours * 3600.0
    statuses = {k: v for k, v in platform.camera_status().items() if allowed is None or k in allowed}
    cameras = [c.id for c in platform.cameras() if allowed is None or c.id in allowed]
    return StatsOut(
        generated_at=now,
        since=since,
        cameras={cid: CameraStatusOut.model_validate(st) for cid, st in statuses.items()},
        events_per_hour=[
            HourCountOut(camera_id=h.camera_id, object_class=h.object_class, hour=h.hour, count=h.count)
            for h in platform.events.counts_by_hour(since, now)
            if allowed is None or h.camera_id in allowed
        ],
        rules={cid: platform.rule_stats(cid) for cid in cameras},
    )
