"""An operator's verdict on an event: acknowledged, or a false alarm, with an optional note.

The verdict is written to the event's row in one transaction (``acknowledged``, ``ack_time`` and
``attributes.ack = {status, note, by, time}``), so it survives a crash the moment the call returns.
Needs the ``event.ack`` permission (operator, admin) and the event's camera in the caller's scope (404 otherwise,
as for an unknown event).
"""

from __future__ import annotations

import contextlib
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Request, status
from pydantic import BaseModel, Field

from anfang.api.deps import allowed_cameras, event_or_404, get_platform, require_permission
from anfang.api.schemas import EventOut
from anfang.platform import Platform
from anfang.security.component import Security

router = APIRouter(prefix="/events", tags=["events"])


class AckIn(BaseModel):
    status: Literal["acknowledged", "false_alarm"] = "acknowledged"
    note: str | None = Field(None, max_length=1000)


@router.post(
    "/{event_id}/ack",
    response_model=EventOut,
    responses={404: {"description": "unknown event"}},
    dependencies=[Depends(require_permission("event.ack"))],
)
def acknowledge(
    event_id: str,
    body: AckIn,
    request: Request,
    platform: Platform = Depends(get_platform),
    allowed: frozenset[str] | None = Depends(allowed_cameras),
) -> EventOut:
    who = getattr(getattr(request.state, "principal", None), "name", "anonymous")
    event_or_404(platform, allowed, event_id)  # scope first: an event outside it is "not found"
    rec = platform.events.acknowledge(event_id, verdict={"status": body.status, "note": body.note, "by": who})
    if rec is None:  # deleted between the check and the write
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"event {event_id!r} not found")
    security = platform.find(Security)
    if security is not None:
        with contextlib.suppress(Exception):  # an audit failure must not undo the acknowledgement
            security.audit.append(who, "event.ack", event_id, {"status": body.status})
    principal = getattr(request.state, "principal", None)
    return EventOut.of(rec, not getattr(principal, "see_identities", False))
