"""A video file as a camera: offline analysis, demos and tests.

Decoding goes through PyAV (FFmpeg) with threaded decoding; frames come out as BGR ndarrays. With
``realtime`` the file is paced at its own frame rate so it behaves like a live camera (and benchmarks of
"cameras per core" mean something); without it frames come as fast as the consumer takes them, stamped
from a fixed epoch origin so an offline analysis gives the same event times on every run.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import av
import av.error

from anfang.core.frame import Frame
from anfang.plugins import PluginConfig
from anfang.sources.base import Source, SourceError, register
from anfang.video.decode import ReadAhead, to_bgr

if TYPE_CHECKING:
    from anfang.component import Components

log = logging.getLogger(__name__)

# 2024-01-01T00:00:00Z: origin of non-realtime timestamps (deterministic, plausible as a date).
FILE_EPOCH = 1_704_067_200.0
# FFmpeg happily "decodes" any text file as ANSI art (tty demuxer); that is not a camera.
_NOT_VIDEO_CODECS = frozenset({"ansi"})


class FileSourceConfig(PluginConfig):
    type: Literal["file"] = "file"
    path: Path
    loop: bool = False
    realtime: bool = True  # pace frames at the file's frame rate, like a live camera


def mp4_truncation(path: Path) -> str | None:
    """Where an MP4/MOV file is cut off, by walking its top-level boxes; ``None`` if it is not one or is whole.

    FFmpeg says only "Invalid data found" (or "moov atom not found") for a copy that stopped early or a
    recording that never finished; the box walk says which box runs past the end, at which byte. A few
    header reads, no parsing library needed.
    """
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(8)
            if len(head) < 8 or head[4:8] != b"ftyp":
                return None
            offset, seen = 0, set()
            while offset < size:
                f.seek(offset)
                header = f.read(16)
                if len(header) < 8:
                    return f"the file ends at byte {size} inside a box header at byte {offset}"
                box_size, kind = int.from_bytes(header[:4], "big"), header[4:8].decode("latin-1")
                if box_size == 1 and len(header) == 16:
                    box_size = int.from_bytes(header[8:16], "big")
                elif box_size == 0:
                    box_size = size - offset
                if box_size < 8:
                    return f"box {kind!r} at byte {offset} has an impossible size {box_size}"
                seen.add(kind)
                if offset + box_size > size:
                    return (
                        f"the file ends at byte {size}, inside the {kind!r} box that starts at byte {offset} "
                        f"and needs {box_size} bytes" + ("" if "moov" in seen else " (no 'moov' index before it)")
                    )
                offset += box_size
    except OSError:
        return None
    if "moov" not in seen:
        return f"no 'moov' index in {size} bytes (a recording that did not finish?)"
    return None


@register("file", FileSourceConfig, title={"en": "Video file", "zh": "视频文件"}, order=0)
class FileSource(Source):
    """Frames of one video file; ``cfg`` is a :class:`FileSourceConfig`."""

    def __init__(
        self, camera_id: str, cfg: Any, components: Components | None = None, origin: float | None = None
    ) -> None:
        super().__init__(camera_id, cfg, components)
        self.path = Path(cfg.path)
        self.realtime: bool = bool(getattr(cfg, "realtime", True))
        self.loop: bool = bool(getattr(cfg, "loop", False))
        self.origin = FILE_EPOCH if origin is None else origin
        self.corrupt_packets = 0
        self.frame_count: int | None = None
        self._container: Any = None
        self._stream: Any = None
        self._frames: ReadAhead | None = None
        self._fps = 0.0
        self._seq = 0
        self._offset = 0.0  # added to pts on each loop pass so time keeps increasing
        self._pass_first: float | None = None  # pts of the first frame of the current pass
        self._pass_frames = 0
        self._last_pts = float("-inf")
        self._t0_mono: float | None = None  # monotonic time of pts 0 (realtime pacing)
        self._t0_wall = 0.0

    @property
    def fps(self) -> float:
        return self._fps

    def open(self) -> None:
        if not self.path.exists():
            raise SourceError(self.camera_id, f"video file {str(self.path)!r} does not exist")
        if not self.path.is_file():
            raise SourceError(self.camera_id, f"{str(self.path)!r} is not a file")
        self._open_container()
        self.state = "online"

    def _open_container(self) -> None:
        try:
            container = av.open(str(self.path), mode="r")
        except av.error.FFmpegError as exc:
            cut = mp4_truncation(self.path)
            if cut is not None:
                raise SourceError(self.camera_id, f"{str(self.path)!r} is truncated: {cut}") from exc
            raise SourceError(self.camera_id, f"{str(self.path)!r} is not a video file ({exc.strerror})") from exc
        streams = [s for s in container.streams.video if s.codec_context.name not in _NOT_VIDEO_CODECS]
        if not streams:
            container.close()
            raise SourceError(self.camera_id, f"{str(self.path)!r} is not a video: it has no video stream")
        stream = streams[0]
        stream.thread_type = "AUTO"  # slice + frame threads inside FFmpeg; releases the GIL
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        self._fps = float(rate) if rate else 25.0
        self.frame_count = int(stream.frames) or None  # from the container header; may be absent
        self._container = container
        self._stream = stream
        self._frames = ReadAhead(container, stream, on_corrupt=self._corrupt, on_packet=self.packet_tap)
        self._pass_first = None
        self._pass_frames = 0

    def _corrupt(self, exc: BaseException) -> None:
        self.corrupt_packets += 1
        log.debug("camera %s: skipping corrupt packet: %s", self.camera_id, exc)

    def read(self) -> Frame | None:
        while not self._stop.is_set():
            if self._frames is None:
                return None
            vframe = next(self._frames, None)
            if vframe is None:
                if self._frames.error is not None:
                    cut = mp4_truncation(self.path)
                    log.warning(
                        "camera %s: %s ends early (%s): %s",
                        self.camera_id, self.path, f"truncated: {cut}" if cut else "damaged", self._frames.error,
                    )  # fmt: skip
                if not self.loop or self._pass_frames == 0:
                    self._release()
                    return None
                self._offset = self._last_pts + 1.0 / self._fps
                self._release()
                self._open_container()
                continue
            return self._to_frame(vframe)
        return None

    def _to_frame(self, vframe: Any) -> Frame | None:
        t = vframe.time
        if t is None:
            t = self._pass_frames / self._fps
        if self._pass_first is None:
            self._pass_first = t
        pts = self._offset + (t - self._pass_first)
        if pts <= self._last_pts:  # defensive: odd timestamps must never make time run backwards
            pts = self._last_pts + 1.0 / self._fps
        self._last_pts = pts
        self._pass_frames += 1
        self.stream_time = (self._stream, t)
        image = to_bgr(vframe)
        if self.realtime:
            now = time.monotonic()
            if self._t0_mono is None:
                self._t0_mono = now - pts
                self._t0_wall = time.time() - pts
            delay = self._t0_mono + pts - now
            if delay > 0 and self._stop.wait(delay):
                return None
            timestamp = self._t0_wall + pts
        else:
            timestamp = self.origin + pts
        frame = Frame(camera_id=self.camera_id, seq=self._seq, pts=pts, timestamp=timestamp, image=image)
        self._seq += 1
        return frame

    def _release(self) -> None:
        if self._frames is not None:
            self._frames.close()
            self._frames = None
        if self._container is not None:
            self._container.close()
            self._container = None
