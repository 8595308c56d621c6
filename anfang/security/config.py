"""The ``security:`` section of the config: media protection, sessions, login throttling, privacy, retention.

Defined here rather than in ``anfang/config/models.py`` so the security feature owns its knobs; the app
config only holds one field of this type. Defaults are the secure choice wherever that costs nothing
(signing on, masking on, short sessions); encryption at rest is opt-in because it needs a key to keep.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt security option must be an error, not a no-op


class RetentionConfig(_Strict):
    """Days to keep each kind of data; ``None`` keeps it (events fall back to ``store.retention_days``)."""

    events_days: float | None = Field(default=None, gt=0)
    snapshots_days: float | None = Field(default=None, gt=0)  # pictures go earlier than the event rows
    audit_days: float | None = Field(default=None, gt=0)  # pruned only up to a signed checkpoint


class LoginConfig(_Strict):
    max_failures: int = Field(default=5, ge=1)
    window_s: float = Field(default=300.0, gt=0)
    lockout_s: float = Field(default=900.0, gt=0)
    max_failures_per_ip: int = Field(default=20, ge=1)


class SecurityConfig(_Strict):
    sign_media: bool = True  # SM3 + SM2 sidecar next to every snapshot and crop
    # Seconds between background checks of every stored picture against its sidecar (None: no check).
    evidence_check_interval_s: float | None = Field(default=3600.0, gt=0)
    encrypt_media: bool = False
    sm4_key_file: Path | None = None  # default <data_dir>/keys/media.sm4, created on first start
    session_ttl_h: float = Field(default=12.0, gt=0)
    api_token_ttl_days: float | None = Field(default=None, gt=0)  # default lifetime of API tokens; None = until revoked
    mask_faces: bool = True  # blur faces for users without the see_identities permission
    # Older name of ``faces.detector.backend`` (the one face detector, shared with recognition; its other
    # settings live there too). When both are set, ``faces.detector.backend`` wins.
    face_detector: Literal["auto", "blazeface", "haar"] = "auto"
    login: LoginConfig = Field(default_factory=LoginConfig)
    retention: RetentionConfig = Field(default_factory=RetentionConfig)
