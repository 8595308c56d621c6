"""Event bus: fan-out across threads, drop-oldest for slow consumers, listener isolation."""

from __future__ import annotations

import asyncio
import threading

from anfang.events.bus import EventBus
from anfang.events.model import Event


def ev(n: int) -> Event:
    return Event(camera_id="c", rule="r", type="intrusion", start_time=float(n))


def test_publish_from_threads_reaches_async_subscriber() -> None:
    bus = EventBus()

    async def main() -> list[float]:
        sub = bus.subscribe(maxsize=1000)
        threads = [
            threading.Thread(target=lambda k=k: [bus.publish(ev(k * 100 + i)) for i in range(50)]) for k in range(4)
        ]
        for t in threads:
            t.start()
        got = [(await sub.get()).start_time for _ in range(200)]
        for t in threads:
            t.join()
        sub.close()
        return got

    got = asyncio.run(main())
    assert sorted(got) == sorted(float(k * 100 + i) for k in range(4) for i in range(50))


def test_slow_subscriber_drops_oldest_and_never_blocks() -> None:
    bus = EventBus()
    sub = bus.subscribe(maxsize=3)
    for i in range(10):
        bus.publish(ev(i))  # nobody reads: must return immediately
    assert sub.dropped == 7
    assert [sub.get_nowait().start_time for _ in range(3)] == [7.0, 8.0, 9.0]
    assert sub.get_nowait() is None


def test_close_ends_async_iteration_and_unsubscribes() -> None:
    bus = EventBus()

    async def main() -> list[float]:
        sub = bus.subscribe()
        assert bus.subscriber_count == 1
        out: list[float] = []

        async def consume() -> None:
            async for e in sub:
                out.append(e.start_time)

        task = asyncio.create_task(consume())
        await asyncio.sleep(0)
        bus.publish(ev(1))
        await asyncio.sleep(0)
        threading.Thread(target=sub.close).start()
        await task
        return out

    assert asyncio.run(main()) == [1.0]
    assert bus.subscriber_count == 0
    bus.publish(ev(2))  # no subscribers left: still fine


def test_listener_errors_are_isolated() -> None:
    bus = EventBus()
    seen: list[str] = []

    def bad(_e: Event) -> None:
        raise RuntimeError("boom")

    bus.add_listener(bad)
    remove = bus.add_listener(lambda e: seen.append(e.id))
    e1 = ev(1)
    bus.publish(e1)
    remove()
    bus.publish(ev(2))
    assert seen == [e1.id]
    assert bus.published == 2
