"""In-process event bus: camera threads publish, websockets and sinks consume.

Publishing must never block a camera, whatever a consumer does. So each async subscriber gets a bounded
buffer that drops its *oldest* event when full (a live view wants the newest), and the publisher only
appends under a short lock and schedules a wake-up on the subscriber's event loop. Sync listeners run in
the publisher's thread; they must be quick (hand heavy work to their own thread), and their exceptions
are logged, never raised into the camera.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections import deque
from collections.abc import AsyncIterator, Callable

from anfang.events.model import Event

log = logging.getLogger(__name__)

Listener = Callable[[Event], None]


class Subscription:
    """One consumer's bounded buffer; iterate it with ``async for`` or ``await get()``."""

    def __init__(self, bus: EventBus, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self._bus = bus
        self._items: deque[Event] = deque(maxlen=maxsize)
        self._lock = threading.Lock()
        self._waiter: tuple[asyncio.AbstractEventLoop, asyncio.Future[None]] | None = None
        self.closed = False
        self.dropped = 0  # events lost because this consumer was too slow

    def _push(self, event: Event) -> None:
        """Called from any thread; never blocks beyond the short buffer lock."""
        with self._lock:
            if self.closed:
                return
            if len(self._items) == self._items.maxlen:
                self.dropped += 1
            self._items.append(event)
            waiter, self._waiter = self._waiter, None
        _wake(waiter)

    async def get(self) -> Event:
        """Next event; raises :class:`StopAsyncIteration` once the subscription is closed and drained."""
        while True:
            loop = asyncio.get_running_loop()
            with self._lock:
                if self._items:
                    return self._items.popleft()
                if self.closed:
                    raise StopAsyncIteration
                fut: asyncio.Future[None] = loop.create_future()
                self._waiter = (loop, fut)
            await fut

    def get_nowait(self) -> Event | None:
        """The next buffered event, or ``None`` if there is none yet."""
        with self._lock:
            return self._items.popleft() if self._items else None

    def __aiter__(self) -> AsyncIterator[Event]:
        return self

    async def __anext__(self) -> Event:
        return await self.get()

    def close(self) -> None:
        """Stop receiving; a pending :meth:`get` ends once the buffer is drained."""
        self._bus._remove(self)
        with self._lock:
            self.closed = True
            waiter, self._waiter = self._waiter, None
        _wake(waiter)


def _wake(waiter: tuple[asyncio.AbstractEventLoop, asyncio.Future[None]] | None) -> None:
    if waiter is None:
        return
    loop, fut = waiter

    def _set() -> None:
        if not fut.done():
            fut.set_result(None)

    # RuntimeError: the consumer's loop is already closed, so nobody is waiting any more.
    with contextlib.suppress(RuntimeError):
        loop.call_soon_threadsafe(_set)


class EventBus:
    """Fan-out of events to async subscribers (bounded, drop-oldest) and sync listeners."""

    def __init__(self, default_maxsize: int = 256) -> None:
        self.default_maxsize = default_maxsize
        self._lock = threading.Lock()
        self._subs: tuple[Subscription, ...] = ()
        self._listeners: tuple[Listener, ...] = ()
        self.published = 0

    def publish(self, event: Event) -> None:
        """Deliver ``event`` to everyone; safe from any thread and never blocks on a consumer."""
        with self._lock:
            subs, listeners = self._subs, self._listeners
            self.published += 1
        for sub in subs:
            sub._push(event)
        for listener in listeners:
            try:
                listener(event)
            except Exception:
                log.exception("event listener %r failed on event %s", listener, event.id)

    def subscribe(self, maxsize: int | None = None) -> Subscription:
        """A new bounded buffer of future events; call ``close()`` on it when done."""
        sub = Subscription(self, maxsize or self.default_maxsize)
        with self._lock:
            self._subs = (*self._subs, sub)
        return sub

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(event)`` in the publisher's thread; returns a function that removes it."""
        with self._lock:
            self._listeners = (*self._listeners, listener)

        def remove() -> None:
            with self._lock:
                self._listeners = tuple(x for x in self._listeners if x is not listener)

        return remove

    @property
    def subscriber_count(self) -> int:
        return len(self._subs)

    def _remove(self, sub: Subscription) -> None:
        with self._lock:
            self._subs = tuple(s for s in self._subs if s is not sub)
