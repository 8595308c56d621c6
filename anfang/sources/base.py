"""The source interface; sources are plug-ins (:mod:`anfang.plugins`, kind ``source``).

A source turns one camera's config into a stream of :class:`~anfang.core.Frame`. Each kind of source is a
small class registered with its config model under its config ``type`` (``@register("rtsp", RtspSourceConfig)``)
in its own module, so adding one (GB/T 28181, ONVIF, HTTP snapshots, ...) is one new file.
Sources report their own health (``state``/``last_error``) because only they know whether a silent
``read()`` means a stalled network or a slow scene.
"""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic import BaseModel

from anfang import plugins
from anfang.core.frame import Frame

if TYPE_CHECKING:
    from anfang.component import Components

log = logging.getLogger(__name__)

SourceState = Literal["starting", "online", "offline", "closed"]

S = TypeVar("S", bound="type[Source]")


class SourceError(Exception):
    """A source cannot deliver frames; the message names the camera and the cause."""

    def __init__(self, camera_id: str, message: str) -> None:
        super().__init__(f"camera {camera_id!r}: {message}")
        self.camera_id = camera_id
        self.reason = message


def url_without_credentials(url: str) -> str:
    """``url`` with any ``user:password@`` removed: what logs and status lines may show of a camera URL."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    authority, slash, path = rest.partition("/")
    return f"{scheme}{sep}{authority.rsplit('@', 1)[-1]}{slash}{path}"


class Source(ABC):
    """One camera's frame stream.

    ``read()`` blocks until the next frame and returns ``None`` only at a true end of stream (a file
    without ``loop``, or after :meth:`interrupt`/:meth:`close`). Live sources ride out network faults
    inside ``read()`` instead of raising, so the caller's loop stays simple.
    """

    def __init__(self, camera_id: str, cfg: Any, components: Components | None = None) -> None:
        self.camera_id = camera_id
        self.cfg = cfg
        # The running components (e.g. a protocol service a source pulls from); None offline and in tests.
        self.components = components
        self.state: SourceState = "starting"
        self.last_error: str | None = None
        self.failures = 0  # failed connects / reads, counted by mark_offline()
        # Set by interrupt()/close(): wakes pacing sleeps and reconnect back-offs from another thread.
        self._stop = threading.Event()
        # Optional packet tap (the recorder): called on the demux thread with each compressed video packet
        # before decoding; ``stream_time`` is (input stream, decoder time in s) of the last frame read, which
        # lets a tap map packet times to frame timestamps. Unused (None) unless someone sets the tap.
        self.packet_tap: Callable[[Any], None] | None = None
        self.stream_time: tuple[Any, float] | None = None

    @abstractmethod
    def open(self) -> None:
        """Prepare to read; raises :class:`SourceError` for faults retrying cannot fix (e.g. not a video)."""

    @abstractmethod
    def read(self) -> Frame | None:
        """The next frame, or ``None`` at end of stream."""

    @abstractmethod
    def _release(self) -> None:
        """Free decoder/container resources (called once by :meth:`close`)."""

    @property
    @abstractmethod
    def fps(self) -> float:
        """Nominal frame rate (0.0 while unknown, e.g. before a live stream connects)."""

    def mark_offline(self, message: str) -> None:
        """Count a failure and go offline with ``message`` as ``last_error``: one WARNING per change of
        state, not one per retry, so a dead camera does not flood the log."""
        self.failures += 1
        if self.state != "offline":
            log.warning("camera %s: offline: %s", self.camera_id, message)
        self.state = "offline"
        self.last_error = message

    def interrupt(self) -> None:
        """Ask a blocked ``read()`` to return ``None`` soon; safe to call from any thread."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def close(self) -> None:
        self._stop.set()
        if self.state != "closed":
            self._release()
            self.state = "closed"

    def __enter__(self) -> Source:
        self.open()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __iter__(self) -> Any:
        while (frame := self.read()) is not None:
            yield frame


def register(
    type_name: str, config: type[BaseModel], *, title: dict[str, str] | None = None, order: int = 100
) -> Callable[[S], S]:
    """Class decorator: make a source available under its config ``type`` with its config model."""
    return plugins.register("source", type_name, config, title=title, order=order)


def create_source(camera_id: str, cfg: Any, components: Components | None = None) -> Source:
    """Build (but do not open) the source a ``SourceConfig`` describes."""
    kind = str(getattr(cfg, "type", None))
    try:
        cls = plugins.get("source", kind).factory
    except KeyError as err:
        raise SourceError(camera_id, str(err.args[0])) from None
    source: Source = cls(camera_id, cfg, components)
    return source
