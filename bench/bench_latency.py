"""Glass-to-glass latency in the browser: when a frame leaves the source vs when Chromium shows it.

A synthetic camera plays a video whose frames carry their own index as a 16-bit barcode (top row of
blocks). The server side records each index's source timestamp (``Frame.timestamp``, wall clock) with an
observer. Then, in the same run:

* **server**: a Python client fetches ``frame.jpg`` in a loop; frame → served = receive time − source time;
* **browser MJPEG**: headless Chromium shows ``live.mjpg`` in an ``<img>``; each animation frame it draws
  the image to a canvas, reads the barcode and notes when a new index first appears on screen;
* **browser polled JPEG**: the same, with the console's fallback (``frame.jpg`` reloaded in a loop).

* **browser HLS**: the same camera's H.264 packets copied into 1 s MPEG-TS segments, played by hls.js (the
  console's npm dependency, loaded from console/node_modules) in a ``<video>`` with the console's settings.

The camera's file is H.264 (GOP 1 s, no B-frames, like an IP camera), so all paths show the same frames.
It prints medians/p90 and each browser path's ratio against the server-side latency.

Run: ``.venv/bin/python bench/bench_latency.py [--seconds 8]`` (needs /usr/bin/chromium and playwright).
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import cv2
import httpx
import numpy as np

W, H, FPS, N_FRAMES, BITS, CELL = 640, 360, 25, 250, 16, 32
HLS_JS = Path(__file__).resolve().parent.parent / "console" / "node_modules" / "hls.js" / "dist" / "hls.min.js"
HLS_PLAY = """(url) => { const v = document.createElement('video'); v.id = 'polled'; v.muted = true; v.autoplay = true;
  document.body.append(v); const p = new Hls({ liveSyncDurationCount: 2, maxLiveSyncPlaybackRate: 1.5 });
  p.loadSource(url); p.attachMedia(v); }"""

DECODE_JS = """(args) => new Promise((resolve) => {
  const [selector, seconds, bits, cell] = args;
  const img = document.querySelector(selector);
  const c = document.createElement('canvas'); c.width = 640; c.height = 360;
  const ctx = c.getContext('2d', { willReadFrequently: true });
  const seen = []; let last = -1; const end = performance.now() + seconds * 1000;
  function tick() {
    if (img.naturalWidth || img.videoWidth) {
      ctx.drawImage(img, 0, 0);
      const row = ctx.getImageData(0, 0, bits * cell, cell).data; let v = 0;
      for (let b = 0; b < bits; b++) {
        const i = ((cell >> 1) * bits * cell + b * cell + (cell >> 1)) * 4;
        v = (v << 1) | (row[i] > 127 ? 1 : 0);
      }
      if (v !== last) { seen.push([v, (performance.timeOrigin + performance.now()) / 1000]); last = v; }
    }
    if (performance.now() < end) requestAnimationFrame(tick); else resolve(seen);
  }
  requestAnimationFrame(tick);
})"""

POLL_JS = """(url) => { const img = document.createElement('img'); img.id = 'polled'; document.body.append(img);
  const next = () => { const n = new Image(); n.onload = () => { img.src = n.src; setTimeout(next, 0); };
    n.onerror = () => setTimeout(next, 200); n.src = url + '?t=' + Date.now(); }; next(); }"""


def make_video(path: Path) -> None:
    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), FPS, (W, H))
    for i in range(N_FRAMES):
        img = np.full((H, W, 3), 60, np.uint8)
        cv2.circle(img, (int(W / 2 + 200 * np.sin(i / 10)), H // 2 + 40), 30, (0, 200, 255), -1)  # motion
        for b in range(BITS):
            if (i >> (BITS - 1 - b)) & 1:
                img[0:CELL, b * CELL : (b + 1) * CELL] = 255
            else:
                img[0:CELL, b * CELL : (b + 1) * CELL] = 0
        out.write(img)
    out.release()
    h264 = path.with_suffix(".mp4")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(path), "-c:v", "libx264", "-preset", "ultrafast",
                    "-bf", "0", "-g", str(FPS), "-pix_fmt", "yuv420p", str(h264)], check=True)


def decode(img: np.ndarray) -> int:
    v = 0
    for b in range(BITS):
        v = (v << 1) | int(img[CELL // 2, b * CELL + CELL // 2].mean() > 127)
    return v


class SourceTimes:
    """Observer factory recording each barcode index's latest source timestamp."""

    def __init__(self) -> None:
        self.times: dict[int, list[float]] = {}

    def __call__(self, camera):  # noqa: ANN001 - the FrameObserver protocol
        outer = self

        class _Obs:
            def on_frame(self, frame, tracked, detected):  # noqa: ANN001
                outer.times.setdefault(decode(frame.image), []).append(frame.timestamp)

            def close(self) -> None:
                pass

        return _Obs()

    def latency(self, index: int, shown: float) -> float | None:
        """Shown time minus the latest source time of ``index`` not after it (indexes repeat as the file loops)."""
        cands = [t for t in self.times.get(index, []) if t <= shown + 0.05]
        return (shown - max(cands)) if cands else None


def summary(values: list[float]) -> tuple[float, float]:
    vals = sorted(values)
    return statistics.median(vals) * 1000, vals[int(len(vals) * 0.9) - 1 if len(vals) > 1 else 0] * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=8.0)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    from anfang.api.server import make_server
    from anfang.config import parse_config
    from anfang.platform import Platform
    from anfang.vision.hog import HogDetector

    tmp = Path(tempfile.mkdtemp(prefix="anfang-latency-"))
    video = tmp / "barcode.avi"
    make_video(video)
    source = {"type": "file", "path": str(video.with_suffix(".mp4")), "loop": True, "realtime": True}
    cam = {"id": "lat", "source": source, "detect_fps": 1}
    platform = Platform(parse_config({"data_dir": str(tmp / "data"), "cameras": [cam]}), detector=HogDetector())
    times = SourceTimes()
    platform.observer_factories.append(times)
    platform.manager.observer_factories.append(times)
    headers: dict[str, str] = {}
    cookie = None
    if getattr(platform, "users", None) is not None:
        from anfang.api.deps import SESSION_COOKIE

        platform.users.create("bench", None, "admin", see_identities=True)  # HLS is refused without it
        _, token = platform.users.issue("bench", "session", "bench")
        headers["Authorization"] = f"Bearer {token}"
        cookie = (SESSION_COOKIE, token)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = make_server(platform, "127.0.0.1", sock.getsockname()[1])
    platform.start()
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    try:
        while not server.started:
            time.sleep(0.05)
        time.sleep(2.0)  # camera running
        paths = httpx.get(base + "/openapi.json").json()["paths"]
        has_mjpeg = "/api/cameras/{camera_id}/live.mjpg" in paths
        has_hls = "/api/cameras/{camera_id}/hls/index.m3u8" in paths and HLS_JS.is_file()
        if has_hls:  # start the muxer and wait for its first segments (a player would retry the same way)
            for _ in range(100):
                r = httpx.get(base + "/api/cameras/lat/hls/index.m3u8", headers=headers)
                if r.status_code == 200 and r.text.count("#EXTINF") >= 3:
                    break
                time.sleep(0.2)

        server_lat: list[float] = []
        with httpx.Client(base_url=base, headers=headers) as client:
            end = time.time() + args.seconds
            while time.time() < end:
                r = client.get("/api/cameras/lat/frame.jpg")
                got = time.time()
                if r.status_code == 200:
                    img = cv2.imdecode(np.frombuffer(r.content, np.uint8), cv2.IMREAD_COLOR)
                    lat = times.latency(decode(img), got)
                    if lat is not None:
                        server_lat.append(lat)

        results: dict[str, list[float]] = {}
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                      "--autoplay-policy=no-user-gesture-required"],
            )
            ctx = browser.new_context()
            if cookie:
                ctx.add_cookies([{"name": cookie[0], "value": cookie[1], "url": base}])
            page = ctx.new_page()
            page.goto(base + "/api/health")
            modes = [("browser polled JPEG", "poll")] + ([("browser MJPEG", "mjpeg")] if has_mjpeg else [])
            modes += [("browser HLS (hls.js)", "hls")] if has_hls else []
            for label, mode in modes:
                page.goto(base + "/api/health")
                if mode == "mjpeg":
                    page.evaluate(
                        "(u) => { const i = document.createElement('img'); i.id = 'polled'; i.src = u;"
                        " document.body.append(i); }",
                        "/api/cameras/lat/live.mjpg?overlay=0&fps=15",
                    )
                elif mode == "hls":
                    page.add_script_tag(path=str(HLS_JS))
                    page.evaluate(HLS_PLAY, "/api/cameras/lat/hls/index.m3u8")
                    page.wait_for_function("() => document.querySelector('#polled').currentTime > 0.5", timeout=30_000)
                else:
                    page.evaluate(POLL_JS, "/api/cameras/lat/frame.jpg")
                page.wait_for_function("() => (document.querySelector('#polled').naturalWidth || "
                                       "document.querySelector('#polled').videoWidth) > 0")
                seen = page.evaluate(DECODE_JS, ["#polled", args.seconds, BITS, CELL])
                results[label] = [x for v, t in seen if (x := times.latency(v, t)) is not None]
            browser.close()
    finally:
        server.should_exit = True
        time.sleep(0.5)
        platform.stop()

    s_med, s_p90 = summary(server_lat)
    print("## Glass-to-glass latency (browser display vs source frame time)\n")
    print(f"Synthetic {W}x{H} @ {FPS} fps camera, barcode-stamped frames, {args.seconds:.0f} s per path.\n")
    print("| path | samples | median ms | p90 ms | ratio vs server (median) |")
    print("|---|---:|---:|---:|---:|")
    print(f"| server frame → served (frame.jpg) | {len(server_lat)} | {s_med:.0f} | {s_p90:.0f} | 1.00 |")
    for label, vals in results.items():
        if vals:
            med, p90 = summary(vals)
            print(f"| {label} | {len(vals)} | {med:.0f} | {p90:.0f} | {med / s_med:.2f} |")
        else:
            print(f"| {label} | 0 | — | — | — |")
    if not has_mjpeg:
        print("\n(live.mjpg route not present: MJPEG not measured)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
