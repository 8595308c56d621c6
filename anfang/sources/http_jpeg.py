"""``http_jpeg``: a camera's (or NVR's) snapshot URL polled at an interval — the lowest common denominator.

Nearly every IP camera and NVR serves its current picture as a JPEG over HTTP (``/ISAPI/Streaming/
channels/101/picture``, ``/cgi-bin/snapshot.cgi``, ``/snap.jpg``, ...), often behind basic or digest auth.
Like the RTSP source, ``read()`` never raises for network trouble: a failed request marks the source
offline with the cause (the URL without credentials), waits with exponential back-off
(``reconnect_initial_s`` doubling up to ``reconnect_max_s``) and tries again; the first good picture
makes it online again. Only the standard library and OpenCV's JPEG decoder are used.
"""

from __future__ import annotations

import http.client
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from anfang.core.frame import Frame
from anfang.plugins import PluginConfig
from anfang.sources.base import Source, register, url_without_credentials

if TYPE_CHECKING:
    from anfang.component import Components

log = logging.getLogger(__name__)
MAX_BYTES = 32 * 1024 * 1024  # a snapshot larger than this is not a snapshot


class HttpJpegSourceConfig(PluginConfig):
    type: Literal["http_jpeg"] = "http_jpeg"
    url: str
    interval_s: float = Field(default=1.0, gt=0)  # time between snapshots (1 / frame rate)
    username: str | None = None
    password: str | None = None
    auth: Literal["basic", "digest"] = "basic"
    timeout_s: float = Field(default=5.0, gt=0)
    reconnect_initial_s: float = Field(default=1.0, gt=0)
    reconnect_max_s: float = Field(default=30.0, gt=0)

    @field_validator("url")
    @classmethod
    def _http_url(cls, v: str) -> str:
        if not v.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return v

    @model_validator(mode="after")
    def _credentials_pair(self) -> HttpJpegSourceConfig:
        if (self.username is None) != (self.password is None):
            raise ValueError("username and password go together")
        return self


class _Unusable(Exception):
    """The server answered, but not with a picture."""


@register("http_jpeg", HttpJpegSourceConfig, title={"en": "HTTP snapshot (JPEG)", "zh": "HTTP 抓图（JPEG）"})
class HttpJpegSource(Source):
    """Snapshots of one URL as frames; ``cfg`` is a :class:`HttpJpegSourceConfig`."""

    def __init__(self, camera_id: str, cfg: Any, components: Components | None = None) -> None:
        super().__init__(camera_id, cfg, components)
        parts = urllib.parse.urlsplit(cfg.url)
        # Credentials in the URL (http://user:pw@cam/snap.jpg) are used like username/password.
        self._url_user = (urllib.parse.unquote(parts.username or ""), urllib.parse.unquote(parts.password or ""))
        self.url: str = urllib.parse.urlunsplit(
            (parts.scheme, parts.netloc.rsplit("@", 1)[-1], parts.path, parts.query, "")
        )
        self.interval_s = float(cfg.interval_s)
        self.timeout_s = float(cfg.timeout_s)
        self.backoff_initial_s = float(cfg.reconnect_initial_s)
        self.backoff_max_s = float(cfg.reconnect_max_s)
        self._backoff = self.backoff_initial_s
        self.requests = 0
        self._opener = self._make_opener(cfg)
        self._seq = 0
        self._t0 = time.monotonic()
        self._next = 0.0  # monotonic time of the next request

    def _make_opener(self, cfg: Any) -> urllib.request.OpenerDirector:
        handlers: list[urllib.request.BaseHandler] = []
        user, password = (cfg.username, cfg.password) if cfg.username is not None else self._url_user
        if user:
            mgr = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            mgr.add_password(None, self.url, user, password)
            handler_cls = (
                urllib.request.HTTPDigestAuthHandler if cfg.auth == "digest" else urllib.request.HTTPBasicAuthHandler
            )
            handlers.append(handler_cls(mgr))
        return urllib.request.build_opener(*handlers)

    @property
    def fps(self) -> float:
        return 1.0 / self.interval_s

    def safe_url(self) -> str:
        """The URL without credentials, for logs and status."""
        return url_without_credentials(self.url)

    def open(self) -> None:
        """Nothing to connect: the first ``read()`` fetches the first snapshot."""
        self.state = "starting"
        self._t0 = time.monotonic()
        self._next = self._t0

    def _fetch(self) -> np.ndarray:
        import cv2

        self.requests += 1
        with self._opener.open(self.url, timeout=self.timeout_s) as resp:
            kind = resp.headers.get_content_type()
            body = resp.read(MAX_BYTES + 1)
        if len(body) > MAX_BYTES:
            raise _Unusable(f"answer larger than {MAX_BYTES // (1024 * 1024)} MiB")
        image = cv2.imdecode(np.frombuffer(body, np.uint8), cv2.IMREAD_COLOR) if body else None
        if image is None:
            raise _Unusable(f"answer is not a picture (Content-Type {kind}, {len(body)} bytes)")
        return np.asarray(image)

    def read(self) -> Frame | None:
        while not self._stop.is_set():
            delay = self._next - time.monotonic()
            if delay > 0 and self._stop.wait(delay):
                break
            try:
                image = self._fetch()
            except urllib.error.HTTPError as exc:
                why = "wrong user name or password" if exc.code == 401 else exc.reason
                self.mark_offline(f"{self.safe_url()} answered HTTP {exc.code} ({why})")
            except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
                reason = getattr(exc, "reason", None) or exc or type(exc).__name__
                self.mark_offline(f"cannot fetch {self.safe_url()}: {reason}")
            except _Unusable as exc:
                self.mark_offline(f"{self.safe_url()}: {exc}")
            else:
                if self.state != "online":
                    log.info("camera %s: snapshots from %s", self.camera_id, self.safe_url())
                    self.state = "online"
                    self._backoff = self.backoff_initial_s
                now = time.monotonic()
                self._next = max(self._next + self.interval_s, now)  # keep the pace; never burst to catch up
                frame = Frame(
                    camera_id=self.camera_id, seq=self._seq, pts=now - self._t0, timestamp=time.time(), image=image
                )
                self._seq += 1
                return frame
            self._next = time.monotonic() + self._backoff
            self._backoff = min(self._backoff * 2, self.backoff_max_s)
        return None

    def _release(self) -> None:
        """Nothing held between requests."""
