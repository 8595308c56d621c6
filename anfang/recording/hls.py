"""Live HLS from the packet feed: H.264/H.265 to the browser without decoding or re-encoding.

A muxer exists only while someone watches: the first playlist request subscribes it to the camera's
:class:`~anfang.recording.feed.PacketFeed`, and it stops (files deleted) after ``IDLE_S`` without a
request. FFmpeg's ``hls`` muxer does the segmenting: MPEG-TS segments cut at the first keyframe after
``SEGMENT_S`` (so segments follow the camera's GOP), a sliding playlist of ``LIST_SIZE`` entries, old
segments deleted. It runs in the feed thread, before the segment writer sees the same packets (the two
set packet timestamps in turn, never at once).

Non-H.264/H.265 sources (the recorder's encode path) have no HLS: the live view keeps MJPEG for them.
"""

from __future__ import annotations

import contextlib
import logging
import re
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av

from anfang.recording.feed import Batch, Template

log = logging.getLogger(__name__)

SEGMENT_S = 1.0
LIST_SIZE = 6
IDLE_S = 30.0
PLAYLIST = "index.m3u8"
SEGMENT_NAME = re.compile(r"^seg\d{1,9}\.ts$")


class HlsMuxer:
    """One camera's live HLS output in ``directory`` (see the module docstring)."""

    def __init__(self, camera_id: str, directory: Path, on_idle: Callable[[], None] | None = None) -> None:
        self.camera_id = camera_id
        self.on_idle = on_idle
        self.directory = directory
        self.last_request = time.monotonic()
        self.closed = False
        self.error: str | None = None
        self._out: Any = None
        self._ostream: Any = None
        self._shape: tuple[Any, ...] | None = None
        self._start = 0.0
        self._lock = threading.Lock()
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True, exist_ok=True)

    def touch(self) -> None:
        self.last_request = time.monotonic()

    @property
    def idle(self) -> bool:
        return time.monotonic() - self.last_request > IDLE_S

    def playlist(self) -> str | None:
        """The playlist text, or ``None`` until the first segment is finished."""
        self.touch()
        path = self.directory / PLAYLIST
        try:
            text = path.read_text()
        except OSError:
            return None
        return text if "#EXTINF" in text else None

    def segment(self, name: str) -> Path | None:
        self.touch()
        if not SEGMENT_NAME.match(name):
            return None
        path = self.directory / name
        return path if path.is_file() else None

    # ------------------------------------------------------------ feed thread

    def __call__(self, batch: Batch) -> None:
        if self.idle:
            log.info("camera %s: live HLS stopped (no viewer for %.0f s)", self.camera_id, IDLE_S)
            self.close()
            if self.on_idle is not None:
                self.on_idle()
            return
        with self._lock:
            if self.closed:
                return
            try:
                for packet, pts, dts, template in batch:
                    self._write(packet, pts, dts, template)
            except Exception as exc:  # a broken stream restarts at the next keyframe
                log.warning("camera %s: live HLS error: %s", self.camera_id, exc)
                self.error = str(exc) or type(exc).__name__
                self._close_output()

    def _write(self, packet: Any, pts: float, dts: float, template: Template) -> None:
        shape = (template.codec, template.width, template.height)
        if self._out is not None and shape != self._shape:
            self._close_output()  # new resolution or codec: a fresh muxer (the player reloads)
        if self._out is None:
            if not packet.is_keyframe:
                return
            self._open(template.stream, shape, dts)
        tb = template.tb
        packet.pts = round((pts - self._start) / tb)
        packet.dts = round((dts - self._start) / tb)
        packet.stream = self._ostream
        self._out.mux(packet)

    def _open(self, template: Any, shape: tuple[Any, ...], start: float) -> None:
        options = {
            "hls_time": f"{SEGMENT_S:g}",
            "hls_list_size": str(LIST_SIZE),
            "hls_flags": "delete_segments+independent_segments+program_date_time+omit_endlist",
            "hls_segment_type": "mpegts",
            "hls_segment_filename": str(self.directory / "seg%05d.ts"),
        }
        self._out = av.open(str(self.directory / PLAYLIST), mode="w", format="hls", options=options)
        self._ostream = self._out.add_stream_from_template(template)
        self._shape = shape
        self._start = start

    def _close_output(self) -> None:
        out, self._out = self._out, None
        if out is not None:
            with contextlib.suppress(Exception):
                out.close()

    def close(self) -> None:
        """Stop and delete the files (idle, camera gone, or shutdown)."""
        with self._lock:
            self.closed = True
            self._close_output()
        shutil.rmtree(self.directory, ignore_errors=True)
