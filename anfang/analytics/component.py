"""Person heatmaps as a component: a per-camera observer that accumulates where people were, and the route
that draws it over the camera's latest frame for the console.

Why a component: the heatmaps are an observer plus an API route that must find the same registry; here
both hang off one object the route looks up with ``platform.find(Heatmaps)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from anfang.analytics import heatmap
from anfang.component import Component, Context

if TYPE_CHECKING:
    from fastapi import APIRouter

    from anfang.pipeline.observer import ObserverFactory


class Heatmaps(Component):
    """``maps``: every camera's :class:`~anfang.analytics.heatmap.Heatmap`."""

    name = "heatmaps"

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.maps = heatmap.Heatmaps()

    def observers(self) -> Sequence[ObserverFactory]:
        return (self.maps.observer,)

    @classmethod
    def routers(cls) -> Sequence[APIRouter]:
        from anfang.api.routers import heatmap as route

        return (route.router,)
