"""Cameras added, edited or removed through the API, kept across restarts.

The YAML file stays the user's; the database only records the API's changes on top of it. :meth:`load`
returns them so the platform can merge: stored configs replace file cameras with the same id, and deleted
ids hide file cameras.

Secrets in a stored config (URL passwords, ``password`` fields) are sealed with SM4 by the
:class:`~anfang.security.secrets.SecretBox` before the row is written and opened when it is loaded: the
database never holds a device password in clear.
"""

from __future__ import annotations

import logging
import threading
import time

from pydantic import ValidationError
from sqlalchemy import Engine, select
from sqlalchemy.orm import sessionmaker

from anfang.config.models import CameraConfig
from anfang.security.secrets import SecretBox, mask_text
from anfang.security.sm import DecryptionError
from anfang.store.db import CameraRecord

log = logging.getLogger(__name__)


class CameraStore:
    """Persisted API camera configs (upserts; deletion is a tombstone so file cameras stay hidden)."""

    def __init__(self, engine: Engine, secrets: SecretBox | None = None) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.secrets = secrets  # None: configs stored as given (tests of the store alone)
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
                    raw = self.secrets.open(rec.config) if self.secrets is not None else rec.config
                    configs.append(CameraConfig.model_validate(raw))
                except ValidationError as err:
                    log.error("stored camera %r is no longer a valid config, skipped: %s", rec.id, mask_text(str(err)))
                except DecryptionError as err:
                    log.error("stored camera %r: its secrets do not open with keys/secrets.sm4 (%s), skipped", rec.id,
                              err)  # fmt: skip
        return configs, deleted

    def save(self, cfg: CameraConfig) -> None:
        """Insert or replace the camera's config (and undo an earlier deletion of that id)."""
        raw = cfg.model_dump(mode="json")
        self._put(cfg.id, self.secrets.seal(raw) if self.secrets is not None else raw, deleted=False)

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
