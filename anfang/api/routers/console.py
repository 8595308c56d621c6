"""Small routes the browser console needs: event acknowledgement and host health, as one router.

(The heatmap route comes with the heatmaps component, :mod:`anfang.analytics.component`.)
"""

from __future__ import annotations

from fastapi import APIRouter

from anfang.api.routers import ack, system

router = APIRouter()
for _module in (ack, system):
    router.include_router(_module.router)
