"""The sink interface: gets each stored event, never blocks a camera.

:meth:`Sink.submit` is called on the camera's thread (through the event bus): it only puts the event on a
bounded queue; a sink's own thread calls :meth:`Sink.write`. When the queue is full (a slow disk, a dead
server) the event is dropped and counted in ``dropped`` — a camera must never wait for a sink. A ``write``
that raises is logged and counted in ``errors``; the sink keeps going.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, Field

from anfang import plugins
from anfang.events.model import Event
from anfang.plugins import PluginConfig

log = logging.getLogger(__name__)
S = TypeVar("S", bound="type[Sink]")
_STOP = object()


class SinkConfigBase(PluginConfig):
    """Fields every sink has."""

    queue_size: int = Field(default=1000, ge=1)  # events buffered before new ones are dropped (and counted)


class Sink(ABC):
    """Base of sinks: a bounded queue and one worker thread; subclasses implement :meth:`write`."""

    def __init__(self, cfg: Any, data_dir: Path) -> None:
        self.cfg = cfg
        self.data_dir = data_dir
        self.name: str = str(getattr(cfg, "type", type(self).__name__))
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=int(getattr(cfg, "queue_size", 1000)))
        self._thread: threading.Thread | None = None
        self.written = 0
        self.dropped = 0  # queue full: the sink is slower than the cameras
        self.errors = 0  # write() raised

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=f"sink-{self.name}", daemon=True)
            self._thread.start()

    def submit(self, event: Event) -> None:
        """Queue ``event`` for writing; never blocks (a full queue drops it and counts it)."""
        try:
            self._queue.put_nowait(event)
        except queue.Full:
            self.dropped += 1

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            try:
                self.write(item)
                self.written += 1
            except Exception:
                self.errors += 1
                log.exception("sink %s could not write event %s", self.name, getattr(item, "id", "?"))

    @abstractmethod
    def write(self, event: Event) -> None:
        """Deliver one event (on the sink's thread)."""

    def flush(self) -> None:  # noqa: B027 - optional hook
        """Make written events durable (called on close)."""

    def close(self, timeout: float = 5.0) -> None:
        """Write what is queued (up to ``timeout``), then stop the thread and flush."""
        if self._thread is not None:
            with contextlib.suppress(queue.Full):  # a stuck sink: give up after timeout, the thread is a daemon
                self._queue.put(_STOP, timeout=timeout)
            self._thread.join(timeout)
            self._thread = None
        self.flush()

    def stats(self) -> dict[str, Any]:
        return {
            "type": self.name,
            "written": self.written,
            "dropped": self.dropped,
            "errors": self.errors,
            "queued": self._queue.qsize(),
        }


def register(
    type_name: str, config: type[BaseModel], *, title: dict[str, str] | None = None, order: int = 100
) -> Callable[[S], S]:
    """Class decorator: make a sink available under its config ``type`` with its config model."""
    return plugins.register("sink", type_name, config, title=title, order=order)


def create_sink(cfg: Any, data_dir: Path) -> Sink:
    """Build (not start) the sink a ``SinkConfig`` describes; relative paths are under ``data_dir``."""
    sink: Sink = plugins.get("sink", str(cfg.type)).factory(cfg, data_dir)
    return sink
