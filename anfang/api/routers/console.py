"""Small routes the browser console needs: event acknowledgement, heatmaps and host health, as one router."""

from __future__ import annotations

from fastapi import APIRouter

from anfang.api.routers import ack, heatmap, system

router = APIRouter()
for _module in (ack, heatmap, system):
    router.include_router(_module.router)
