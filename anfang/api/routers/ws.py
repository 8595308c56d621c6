"""Live events over a websocket: each new event's ``to_dict()`` as one JSON text message.

The subscription is bounded and drops the oldest events for a slow client, so a stalled browser tab
costs a little memory, never a camera's frame rate.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from fastapi import APIRouter, Depends, WebSocket, WebSocketDisconnect

from anfang.api.deps import Principal, allowed_cameras, current_user, get_platform
from anfang.platform import Platform
from anfang.security.identities import hide_identities

router = APIRouter(tags=["events"])
log = logging.getLogger(__name__)


@router.websocket("/ws/events")
async def events_ws(
    websocket: WebSocket,
    platform: Platform = Depends(get_platform),
    allowed: frozenset[str] | None = Depends(allowed_cameras),
    user: Principal = Depends(current_user),
) -> None:
    # Subscribe before accepting: once the client's handshake completes, it will not miss an event.
    sub = platform.bus.subscribe()
    try:
        await websocket.accept()
    except Exception:
        sub.close()
        raise
    # Incoming messages are ignored, but reading them is how a disconnect is noticed while idle.
    reader = asyncio.create_task(_drain_until_closed(websocket, sub.close))
    try:
        async for event in sub:
            if allowed is None or event.camera_id in allowed:
                data = event.to_dict()
                if not user.see_identities:  # watchlist names, as on the events routes
                    data["attributes"] = hide_identities(data.get("attributes") or {})
                await websocket.send_json(data)
    except (WebSocketDisconnect, RuntimeError, OSError):
        pass  # the client went away mid-send
    finally:
        sub.close()
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await reader
        if sub.dropped:
            log.info("websocket client was slow: %d events dropped", sub.dropped)


async def _drain_until_closed(websocket: WebSocket, on_close: Callable[[], None]) -> None:
    try:
        while True:
            msg = await websocket.receive()
            if msg["type"] == "websocket.disconnect":
                break
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        on_close()
