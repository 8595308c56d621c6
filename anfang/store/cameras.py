"""Cameras added, edited or removed through the API, kept across restarts.

The YAML file stays the user's; the database only records the API's changes on top of it. :meth:`load`
returns them so the platform can merge: stored configs replace file cameras with the same id, and deleted
ids hide file cameras.
"""

from __future__ import annotations

import logging
import threading
import time

from pydantic import ValidationError
from sqlalchemy import Engine, select
from sqlalchemy.orm import sessionmaker

from anfang.config.models import CameraConfig
from anfang.store.db import CameraRecord

log = logging.getLogger(__name__)


class CameraStore:
    """Persisted API camera configs (upserts; deletion is a tombstone so file cameras stay hidden)."""

    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._lock = threading.Lock()

    def load(self) -> tuple[list[CameraConfig], set[str]]:
        """(cameras added or updated via the API, ids deleted via the API).

        A stored config that no longer validates (the schema moved on) is logged and skipped rather than
        stopping every other camera from starting.
        """
        configs: list[CameraConfig] = []
        deleted: set[str] = set()
        with self._sessions() as session:
            for rec in session.scalars(select(CameraRecord).order_by(CameraRecord.updated_at, CameraRecord.id)):
                if rec.deleted:
                    deleted.add(rec.id)
                    continue
                try:
                    configs.append(CameraConfig.model_validate(rec.config))
                except ValidationError as err:
                    log.error("stored camera %r is no longer a valid config, skipped: %s", rec.id, err)
        return configs, deleted

    def save(self, cfg: CameraConfig) -> None:
        """Insert or replace the camera's config (and undo an earlier deletion of that id)."""
        self._put(cfg.id, cfg.model_dump(mode="json"), deleted=False)

    def delete(self, camera_id: str) -> None:
        """Remember that the camera was removed, so a config-file camera of that id stays away too."""
        self._put(camera_id, None, deleted=True)

    def forget(self, camera_id: str) -> None:
        """Drop any record of the id (undoing a change that could not be applied), tombstone included."""
        with self._lock, self._sessions.begin() as session:
            rec = session.get(CameraRecord, camera_id)
            if rec is not None:
                session.delete(rec)

    def _put(self, camera_id: str, config: dict | None, deleted: bool) -> None:
        with self._lock, self._sessions.begin() as session:
            rec = session.get(CameraRecord, camera_id)
            if rec is None:
                rec = CameraRecord(id=camera_id, source="api")
                session.add(rec)
            rec.config = config
            rec.deleted = deleted
            rec.updated_at = time.time()
