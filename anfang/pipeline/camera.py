"""One camera's pipeline: source → motion gate → detect → track → rules → sink.

:meth:`CameraPipeline.process` is a plain synchronous step (offline ``anfang analyze`` and tests call it
frame by frame); :meth:`CameraPipeline.start` wraps it in a thread that owns the source. Everything a
camera can throw — a missing file, a dead network, a detector bug — is caught in that thread, recorded in
:meth:`status` and retried with back-off, so one bad camera never takes the others down.

Detection is throttled to ``detect_fps`` by *frame* time (not wall time), so an offline analysis that
runs ten times faster than real time samples the same frames as the live camera would. On frames where
detection does not run, ``process`` returns the most recent tracked detections: they are what an overlay
should show, and they are at most one detection period old.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal

from anfang.config.models import CameraConfig
from anfang.core.detections import Detections
from anfang.core.frame import Frame
from anfang.events.model import Event
from anfang.pipeline.motion import MotionGate
from anfang.pipeline.observer import FrameObserver
from anfang.sources.base import Source, create_source
from anfang.video.snapshot import event_images
from anfang.vision.base import Detector

if TYPE_CHECKING:
    from anfang.component import Components

log = logging.getLogger(__name__)

CameraState = Literal["starting", "online", "offline", "error", "stopped"]
RATE_WINDOW_S = 5.0
FAILURE_REPEAT_S = 300.0  # a camera that keeps failing the same way is reported again this often
RECONNECT_SETTLE_S = 1.5  # seconds of frames after a (re)connect left out of fps_in


@dataclass
class CameraStatus:
    """Live counters of one camera, as the API and ``anfang analyze`` report them."""

    camera_id: str
    name: str | None
    state: CameraState
    fps_in: float  # decoded frames per second
    fps_out: float  # analysed frames (tracker + rules ran) per second
    detect_calls: int
    frames_in: int
    events: int
    last_error: str | None
    last_frame_at: float | None  # epoch seconds of the newest frame's timestamp

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class _Rate:
    """Events per second over a sliding window of clock time."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._times: deque[float] = deque()
        self._settle_until = float("-inf")

    def restart(self, settle_s: float = 0.0) -> None:
        """Forget the window and ignore ticks for ``settle_s``: after a reconnect the source delivers its
        buffered frames (a GOP from the server, the decoder's read-ahead) in a burst, which read as 16 fps
        for a 10 fps stream; the rate is measured again once that burst is over."""
        self._times.clear()
        self._settle_until = self._clock() + settle_s

    def tick(self) -> None:
        now = self._clock()
        if now < self._settle_until:
            return
        self._times.append(now)
        while self._times and now - self._times[0] > RATE_WINDOW_S:
            self._times.popleft()

    def value(self) -> float:
        now = self._clock()
        while self._times and now - self._times[0] > RATE_WINDOW_S:
            self._times.popleft()
        if len(self._times) < 2:
            return 0.0
        span = max(now - self._times[0], 1e-6)
        return (len(self._times) - 1) / span


def _make_tracker(camera: CameraConfig) -> Any:
    from anfang.tracking.byte_tracker import ByteTracker

    # The tracker only sees frames the detector ran on, so its frame rate is the detection rate.
    return ByteTracker(camera.tracker, frame_rate=camera.detect_fps)


def _make_rules(camera: CameraConfig) -> Any:
    from anfang.analytics.engine import RuleEngine

    return RuleEngine(camera)


class CameraPipeline:
    """Runs one camera; see the module docstring for the throttling and skipping policy."""

    def __init__(
        self,
        camera: CameraConfig,
        detector: Detector,
        sink: Callable[[Event], None],
        clock: Callable[[], float] = time.time,
        observers: Sequence[FrameObserver] = (),
        components: Components | None = None,
    ) -> None:
        self.camera = camera
        self.components = components  # passed to the source: what it may look up (e.g. the GB/T 28181 service)
        self.observers = list(observers)
        self.detector = detector
        self.sink = sink
        self.clock = clock
        self.motion = MotionGate(camera.motion, clock)
        self.tracker = _make_tracker(camera)
        self.rules = _make_rules(camera)
        self.frames_in = 0
        self.detect_calls = 0
        self.events = 0
        self.still_skips = 0  # detection due but skipped by the motion gate
        self.last_error: str | None = None
        self._failing: tuple[str, int, float] | None = None  # (message, tries, last logged) while failing
        self._period = 1.0 / camera.detect_fps
        self._last_detect_ts: float | None = None
        self._tracked = Detections.empty()
        self._latest: tuple[Frame, Detections] | None = None
        self._last_frame_at: float | None = None
        self._in_rate = _Rate(clock)
        self._out_rate = _Rate(clock)
        self._state: CameraState = "starting"
        self._source: Source | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    # ------------------------------------------------------------ synchronous step

    def reset(self) -> None:
        """Forget tracks, rule state and motion history (a new source session starts from scratch)."""
        self.tracker.reset()
        self.rules.reset()
        self.motion.reset()
        self._last_detect_ts = None
        self._tracked = Detections.empty()

    def _due(self, ts: float) -> bool:
        last = self._last_detect_ts
        # 0.1 % slack absorbs float jitter in pts (10 fps source, 5 fps detection → every 2nd frame exactly).
        if last is None or ts < last or ts - last >= self._period * 0.999:
            self._last_detect_ts = ts
            return True
        return False

    def process(self, frame: Frame) -> tuple[Detections, list[Event]]:
        """Analyse one frame: returns the current tracked detections and the events it raised.

        The detector runs when a detection is due (``detect_fps``) and the motion gate sees motion. When the
        scene is still, the rules still advance with the last known detections (a person standing still in
        a zone keeps loitering) but the detector and tracker are not called.
        """
        self.frames_in += 1
        self._in_rate.tick()
        self._last_frame_at = frame.timestamp
        events: list[Event] = []
        detected = False
        if self._due(frame.timestamp):
            if self.motion.has_motion(frame.image, frame.timestamp):
                raw = self.detector.detect(frame.image)
                self.detect_calls += 1
                self._tracked = self.tracker.update(raw)
                detected = True
            else:
                self.still_skips += 1
            self._out_rate.tick()
            events = list(self.rules.update(frame.timestamp, self._tracked))
        for observer in self.observers:
            events.extend(observer.on_frame(frame, self._tracked, detected) or ())
        for event in events:
            self._emit(event, frame)
        self._latest = (frame, self._tracked)
        if self._thread is None:
            self._state = "online"
        return self._tracked, events

    def _emit(self, event: Event, frame: Frame) -> None:
        label = event.object_class or event.type
        if event.track_id is not None:
            label += f" #{event.track_id}"
        if event.snapshot is None:
            event.snapshot, crop = event_images(frame.image, event.box, f"{event.rule}: {label}")
            if event.crop is None:
                event.crop = crop
        self.events += 1
        try:
            self.sink(event)
        except Exception as exc:  # a failing sink loses this event's delivery, not the camera
            log.exception("camera %s: event sink failed", self.camera.id)
            self.last_error = f"event sink failed: {exc}"

    # ------------------------------------------------------------ thread

    def start(self) -> None:
        """Run source → process → sink on a thread until :meth:`stop`."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._state = "starting"
        self._thread = threading.Thread(target=self._run, name=f"anfang-camera-{self.camera.id}", daemon=True)
        self._thread.start()

    def _log_failure(self, message: str, backoff: float) -> None:
        """One ERROR line when the failure changes, then a reminder at most every ``FAILURE_REPEAT_S``.

        A missing file camera used to log ERROR with a full traceback on every retry, forever; the traceback
        is for developers (DEBUG), the operator needs to know what is wrong and that it still is.
        """
        now = time.monotonic()
        log.debug("camera %s: failure detail", self.camera.id, exc_info=True)
        if self._failing is None or self._failing[0] != message:
            log.error("camera %s: %s; retrying in %.1f s", self.camera.id, message, backoff)
            self._failing = (message, 1, now)
            return
        _, tries, logged_at = self._failing
        tries += 1
        if now - logged_at >= FAILURE_REPEAT_S:
            log.error("camera %s: still failing after %d tries: %s", self.camera.id, tries, message)
            logged_at = now
        self._failing = (message, tries, logged_at)

    def _backoff_limits(self) -> tuple[float, float]:
        src = self.camera.source
        return float(getattr(src, "reconnect_initial_s", 1.0)), float(getattr(src, "reconnect_max_s", 30.0))

    def _run(self) -> None:
        initial, maximum = self._backoff_limits()
        backoff = initial
        while not self._stop.is_set():
            source: Source | None = None
            try:
                source = create_source(self.camera.id, self.camera.source, self.components)
                self._source = source
                for observer in self.observers:  # e.g. the recorder taps compressed packets for remuxing
                    attach = getattr(observer, "attach_source", None)
                    if attach is not None:
                        attach(source)
                source.open()
                while not self._stop.is_set():
                    failures = source.failures
                    frame = source.read()
                    if frame is None:
                        break
                    if source.failures != failures:  # reconnected inside read(): its burst is not the camera's rate
                        self._in_rate.restart(RECONNECT_SETTLE_S)
                    self.process(frame)
                    self._state = "online"
                    backoff = initial
                    if self._failing is not None:
                        log.info("camera %s: recovered after %d failed tries", self.camera.id, self._failing[1])
                        self._failing = None
                if not self._stop.is_set():  # a file without loop ended: nothing more will come
                    log.info("camera %s: end of stream", self.camera.id)
                    break
            except Exception as exc:
                self._log_failure(str(exc) or type(exc).__name__, backoff)
                self.last_error = str(exc) or type(exc).__name__
                self._state = "error"
                if self._stop.wait(backoff):
                    break
                backoff = min(backoff * 2, maximum)
                self.reset()
            finally:
                if source is not None:
                    source.close()
                self._source = None
        self._state = "stopped"

    def stop(self, timeout: float = 15.0) -> None:
        """Stop the thread and wait for it (a blocked network read returns within the socket timeout)."""
        self._stop.set()
        source = self._source
        if source is not None:
            source.interrupt()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("camera %s: thread did not stop within %.0f s", self.camera.id, timeout)
        self._state = "stopped"
        self.close_observers()

    def close_observers(self) -> None:
        """Let observers finish their files; a failing one is logged, the others still close."""
        for observer in self.observers:
            try:
                observer.close()
            except Exception:
                log.exception("camera %s: observer %s failed to close", self.camera.id, type(observer).__name__)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # ------------------------------------------------------------ observation

    def status(self) -> CameraStatus:
        state = self._state
        last_error = self.last_error
        source = self._source
        if source is not None and source.state == "offline" and state in ("starting", "online"):
            state = "offline"
            last_error = source.last_error or last_error
        return CameraStatus(
            camera_id=self.camera.id,
            name=self.camera.name,
            state=state,
            fps_in=round(self._in_rate.value(), 2),
            fps_out=round(self._out_rate.value(), 2),
            detect_calls=self.detect_calls,
            frames_in=self.frames_in,
            events=self.events,
            last_error=last_error,
            last_frame_at=self._last_frame_at,
        )

    def latest(self) -> tuple[Frame, Detections] | None:
        """The newest frame and the detections shown on it (for the API's live view)."""
        return self._latest

    def rule_stats(self) -> dict[str, Any]:
        return dict(self.rules.stats())
