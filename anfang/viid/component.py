"""GA/T 1400 view library as a component: the ``/VIID`` server (``viid.server``) and the client that pushes
our records to an upper view library (``viid.client``); built when either is enabled.

The routes are :meth:`Viid.root_routers`: mounted at the application root (GA/T 1400 fixes the paths) and
not behind anfang's session gate (peers use Digest). The client hears of new records through the
structuring service's record hook, so every record (from a camera, or one another system posted to our
server) is queued the moment it is committed.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from anfang.component import Component, Context
from anfang.structuring.component import Structuring

if TYPE_CHECKING:
    from fastapi import APIRouter

    from anfang.config.models import AppConfig
    from anfang.viid.client import ViidClient
    from anfang.viid.messages import Subscription
    from anfang.viid.server import ViidServer

DAY = 86400.0


class Viid(Component):
    """``server``: the :class:`ViidServer` (None when ``viid.server.enabled`` is off); ``client``: the
    :class:`ViidClient` (None when ``viid.client.enabled`` is off)."""

    name = "viid"
    needs = (Structuring,)

    @classmethod
    def enabled(cls, config: AppConfig) -> bool:
        return config.viid.server.enabled or config.viid.client.enabled

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        import anfang.viid.tables  # noqa: F401  # the ORM tables, for Base.metadata
        from anfang.viid.server import ViidServer

        self.config = ctx.config.viid
        records = ctx.components.get(Structuring).service
        # Built even with the server off: the client reads the subscriptions it holds.
        self._server = ViidServer(self.config.server, ctx.engine, records)
        self.server: ViidServer | None = self._server if self.config.server.enabled else None
        self.client: ViidClient | None = None
        if self.config.client.enabled:
            from anfang.viid.client import ViidClient
            from anfang.viid.spool import Spool

            self.client = ViidClient(self.config.client, Spool(ctx.engine), records.store,
                                     self._subscriptions, self.config.server.server_id, self._alarm)  # fmt: skip
            records.add_listener(self.client.on_records)

    def _subscriptions(self) -> list[Subscription]:
        return self._server.subscriptions()

    def _alarm(self, type: str, message: str, severity: str) -> None:
        from anfang.events.model import Event

        self.ctx.sink(Event(camera_id="system", rule="system", type=type, start_time=time.time(),
                            attributes={"message": message, "severity": severity}))  # fmt: skip

    @classmethod
    def root_routers(cls) -> Sequence[APIRouter]:
        from anfang.viid.router import router

        return (router,)

    def start(self) -> None:
        if self.client is not None:
            self.client.start()

    def stop(self) -> None:
        if self.client is not None:
            self.client.stop()

    def purge(self, now: float) -> None:
        """Received data IDs are kept as long as records are (a re-send after that is a new record)."""
        days = self.ctx.config.records.retention_days or self.ctx.config.store.retention_days
        self._server.purge(now - days * DAY)
