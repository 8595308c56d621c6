"""The view library's tables (migration ``viid_0001``, branch ``viid``).

``viid_spool``: what the client still has to deliver upward, one row per (target, record), delivered in
``seq`` order and deleted only once the upper has answered StatusCode 0 for it; a row the upper refused for
its content is ``parked`` (kept, out of the way of the rest). ``viid_received``: the data IDs the server has
stored, so a batch a client re-sends after a lost answer is stored once. ``viid_subscriptions``: the
Subscribes uppers posted to us (they survive a restart).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Double, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from anfang.store.db import Base


class SpoolRow(Base):
    __tablename__ = "viid_spool"

    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    target: Mapped[str] = mapped_column(String(64))  # "direct" or a SubscribeID
    kind: Mapped[str] = mapped_column(String(24))  # record type
    record_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[float] = mapped_column(Double)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    parked: Mapped[bool] = mapped_column(Boolean, default=False)
    last_error: Mapped[str | None] = mapped_column(String(512))

    __table_args__ = (Index("ix_viid_spool_parked_seq", "parked", "seq"),)


class ReceivedRow(Base):
    __tablename__ = "viid_received"

    data_id: Mapped[str] = mapped_column(String(48), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(64))
    peer: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[float] = mapped_column(Double)

    __table_args__ = (Index("ix_viid_received_received_at", "received_at"),)


class SubscriptionRow(Base):
    __tablename__ = "viid_subscriptions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    peer: Mapped[str] = mapped_column(String(20))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[float] = mapped_column(Double)
