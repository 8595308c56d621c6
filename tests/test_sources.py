"""File source on the real demo video: counts, timing, looping, damaged and wrong input."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from anfang.config.models import FileSourceConfig
from anfang.sources.base import SourceError, create_source
from anfang.sources.file import FILE_EPOCH, FileSource

VTEST_FRAMES = 795


def test_vtest_decodes_every_frame_with_monotonic_time(vtest_video: Path) -> None:
    src = create_source("cam1", FileSourceConfig(path=vtest_video, realtime=False))
    assert isinstance(src, FileSource)
    with src:
        assert src.fps == pytest.approx(10.0)
        assert src.frame_count == VTEST_FRAMES
        frames = [(f.seq, f.pts, f.timestamp, f.image.shape, f.image.dtype, f.camera_id) for f in src]
    assert len(frames) == VTEST_FRAMES
    seq, pts, ts, shapes, dtypes, cams = zip(*frames, strict=True)
    assert list(seq) == list(range(VTEST_FRAMES))
    assert np.all(np.diff(pts) > 0) and np.all(np.diff(ts) > 0)
    assert pts[0] == 0.0 and pts[-1] == pytest.approx((VTEST_FRAMES - 1) / 10)
    assert ts[0] == FILE_EPOCH  # deterministic origin: offline runs give the same event times
    assert set(shapes) == {(576, 768, 3)} and set(dtypes) == {np.dtype(np.uint8)} and set(cams) == {"cam1"}


def test_frames_are_bgr_not_rgb(vtest_video: Path) -> None:
    import cv2

    cap = cv2.VideoCapture(str(vtest_video))
    ok, reference = cap.read()  # OpenCV's own decode is BGR
    cap.release()
    assert ok
    with create_source("c", FileSourceConfig(path=vtest_video, realtime=False)) as src:
        first = src.read()
    assert first is not None
    diff_bgr = np.abs(first.image.astype(int) - reference.astype(int)).mean()
    diff_rgb = np.abs(first.image[..., ::-1].astype(int) - reference.astype(int)).mean()
    assert diff_bgr < 3 < diff_rgb


def test_loop_continues_past_the_end_with_increasing_time(vtest_video: Path) -> None:
    with create_source("c", FileSourceConfig(path=vtest_video, realtime=False, loop=True)) as src:
        frames = [src.read() for _ in range(VTEST_FRAMES + 30)]
    assert all(f is not None for f in frames)
    pts = np.array([f.pts for f in frames])  # type: ignore[union-attr]
    assert np.all(np.diff(pts) > 0)
    assert pts[VTEST_FRAMES] == pytest.approx(pts[VTEST_FRAMES - 1] + 0.1)
    assert [f.seq for f in frames] == list(range(VTEST_FRAMES + 30))  # type: ignore[union-attr]
    # the second pass shows the first pass's pictures again
    assert np.array_equal(frames[VTEST_FRAMES].image, frames[0].image)  # type: ignore[union-attr]


def test_realtime_paces_at_the_file_rate(vtest_video: Path) -> None:
    with create_source("c", FileSourceConfig(path=vtest_video, realtime=True)) as src:
        start = time.time()
        frames = [src.read() for _ in range(6)]
        end = time.time()
    assert all(f is not None for f in frames)
    first, last = frames[0], frames[-1]
    assert first is not None and last is not None
    # Frame k is not delivered before its time: 5 intervals of 0.1 s (lower bounds only: load cannot break them).
    assert end - start >= 0.45
    assert start - 0.5 <= first.timestamp <= last.timestamp - 0.45
    assert last.timestamp <= end + 0.05


def test_truncated_file_decodes_what_it_can_then_ends(vtest_video: Path, tmp_path: Path) -> None:
    data = vtest_video.read_bytes()
    cut = tmp_path / "cut.avi"
    cut.write_bytes(data[: len(data) * 3 // 10])
    with create_source("c", FileSourceConfig(path=cut, realtime=False)) as src:
        frames = list(src)
        assert src.read() is None  # stays ended
    assert 50 < len(frames) < VTEST_FRAMES
    assert np.all(np.diff([f.pts for f in frames]) > 0)


def test_non_video_file_is_a_clear_error(tmp_path: Path) -> None:
    for name, content in (("notes.mp4", b"this is a shopping list, not a video\n" * 20), ("readme.txt", b"x" * 5000)):
        path = tmp_path / name
        path.write_bytes(content)
        src = create_source("gate-3", FileSourceConfig(path=path))
        with pytest.raises(SourceError) as err:
            src.open()
        message = str(err.value)
        assert "gate-3" in message and name in message and "not a video" in message


def test_missing_file_names_camera_and_path(tmp_path: Path) -> None:
    src = create_source("lobby", FileSourceConfig(path=tmp_path / "nope.mp4"))
    with pytest.raises(SourceError, match=r"lobby.*nope\.mp4.*does not exist"):
        src.open()


def test_interrupt_ends_a_paced_read(vtest_video: Path) -> None:
    with create_source("c", FileSourceConfig(path=vtest_video, realtime=True)) as src:
        assert src.read() is not None
        src.interrupt()
        assert src.read() is None
