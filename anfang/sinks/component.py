"""The sinks component: hands every event the platform stores to the configured sinks (``sinks:``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from anfang.component import Component, Context
from anfang.sinks.base import Sink, create_sink


class Sinks(Component):
    """Listens on the event bus (the platform publishes each event right after storing it) and queues it
    on every sink; sinks write on their own threads, so a slow sink drops (and counts) instead of
    slowing a camera."""

    name = "sinks"

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.sinks: list[Sink] = [create_sink(cfg, ctx.data_dir) for cfg in ctx.config.sinks]
        self._remove: Callable[[], None] | None = None

    @classmethod
    def enabled(cls, config: Any) -> bool:
        return bool(config.sinks)

    def _deliver(self, event: Any) -> None:
        for sink in self.sinks:
            sink.submit(event)

    def start(self) -> None:
        for sink in self.sinks:
            sink.start()
        self._remove = self.ctx.bus.add_listener(self._deliver)

    def stop(self) -> None:
        if self._remove is not None:
            self._remove()
            self._remove = None
        for sink in self.sinks:
            sink.close()

    def stats(self) -> list[dict[str, Any]]:
        return [s.stats() for s in self.sinks]
