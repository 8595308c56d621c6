"""``anfang analyze VIDEO``: run the full pipeline offline over a file, as fast as it decodes.

Writes events as JSON lines, tracks in MOTChallenge format (for scoring with motmetrics) and
optionally an annotated video — the same stages as a live camera, so offline results predict live ones.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from tqdm import tqdm

from anfang.config.loader import ConfigError, load_config, parse_config
from anfang.config.models import AppConfig, CameraConfig
from anfang.vision.registry import detector_types


def _floats(text: str, what: str) -> list[float]:
    try:
        return [float(v) for v in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{what}: expected comma-separated numbers, got {text!r}") from None


def parse_zone(spec: str) -> dict[str, Any]:
    """``NAME=x1,y1,x2,y2,x3,y3,...`` → zone dict (at least three points)."""
    name, _, coords = spec.partition("=")
    vals = _floats(coords, f"--zone {spec}")
    if not name or len(vals) < 6 or len(vals) % 2:
        raise argparse.ArgumentTypeError(f"--zone {spec!r}: expected NAME=x1,y1,x2,y2,x3,y3[,...]")
    return {"name": name, "points": [[vals[i], vals[i + 1]] for i in range(0, len(vals), 2)]}


def parse_line(spec: str) -> dict[str, Any]:
    """``NAME=x1,y1,x2,y2`` → line dict."""
    name, _, coords = spec.partition("=")
    vals = _floats(coords, f"--line {spec}")
    if not name or len(vals) != 4:
        raise argparse.ArgumentTypeError(f"--line {spec!r}: expected NAME=x1,y1,x2,y2")
    return {"name": name, "a": vals[:2], "b": vals[2:]}


def build_camera(args: argparse.Namespace, fps: float) -> tuple[AppConfig, CameraConfig]:
    """Camera config for the offline run: from --config (first or --camera) plus --zone/--line rules."""
    if args.config:
        app = load_config(args.config)
        cams = [c for c in app.cameras if args.camera in (None, c.id)]
        if not cams:
            raise ConfigError(f"{args.config}: no camera {args.camera!r}" if args.camera else "no cameras")
        base = cams[0].model_dump(mode="json")
    else:
        app = parse_config({}, "<defaults>")
        base = {"id": "video", "zones": [], "lines": [], "rules": []}
    if args.detector:
        app = parse_config({**app.model_dump(mode="json"), "detector": {"type": args.detector}}, "--detector")
    base["source"] = {"type": "file", "path": str(args.video), "realtime": False, "loop": False}
    for z in args.zone:
        base["zones"].append(z)
        base["rules"].append({"name": f"{z['name']}_intrusion", "type": "intrusion", "zone": z["name"]})
    for line in args.line:
        base["lines"].append(line)
        base["rules"].append({"name": f"{line['name']}_crossing", "type": "line_crossing", "line": line["name"]})
    base["detect_fps"] = args.detect_fps or fps or 1000.0
    if args.no_motion_gate:
        base.setdefault("motion", {})["enabled"] = False
    cam = parse_config({"cameras": [base]}, "analyze options").cameras[0]
    return app, cam


def _mot_rows(frame_no: int, dets: Any) -> list[str]:
    if dets.track_id is None:
        return []
    rows = []
    for (x1, y1, x2, y2), tid, conf in zip(dets.xyxy, dets.track_id, dets.confidence, strict=True):
        if tid < 0:
            continue
        rows.append(f"{frame_no},{tid},{x1:.2f},{y1:.2f},{x2 - x1:.2f},{y2 - y1:.2f},{conf:.4f},-1,-1,-1")
    return rows


def analyze(args: argparse.Namespace) -> int:
    from anfang.models.paths import default_models_dir
    from anfang.pipeline.camera import CameraPipeline
    from anfang.sources.base import SourceError, create_source
    from anfang.sources.file import FileSourceConfig
    from anfang.video.snapshot import annotate
    from anfang.vision.registry import create_detector

    video = Path(args.video)
    if not video.is_file():
        print(f"anfang analyze: {video}: no such file", file=sys.stderr)
        return 1
    probe = create_source("probe", FileSourceConfig(path=video, realtime=False))
    try:
        probe.open()
        fps = float(probe.fps or 0.0)
    except SourceError as err:
        print(f"anfang analyze: {err}", file=sys.stderr)
        return 1
    finally:
        probe.close()
    try:
        app, cam = build_camera(args, fps)
    except ConfigError as err:
        print(err, file=sys.stderr)
        return 1
    detector = create_detector(app.detector, app.models_dir or default_models_dir())
    events_out = open(args.events_out, "w", encoding="utf-8") if args.events_out else None  # noqa: SIM115
    snap_dir = Path(args.snapshots_dir) if args.snapshots_dir else None
    if snap_dir:
        snap_dir.mkdir(parents=True, exist_ok=True)
    n_events = 0

    def sink(event: Any) -> None:
        nonlocal n_events
        n_events += 1
        if snap_dir and event.snapshot:
            event.snapshot_path = str(snap_dir / f"{event.id}_snapshot.jpg")
            Path(event.snapshot_path).write_bytes(event.snapshot)
        if snap_dir and event.crop:
            event.crop_path = str(snap_dir / f"{event.id}_crop.jpg")
            Path(event.crop_path).write_bytes(event.crop)
        if events_out:
            events_out.write(json.dumps(event.to_dict(), ensure_ascii=False) + "\n")

    pipeline = CameraPipeline(cam, detector, sink)
    source = create_source(cam.id, cam.source)
    tracks: list[str] = []
    writer = None
    try:
        source.open()
        total = getattr(source, "frame_count", None) or None
        with tqdm(total=total, unit="frame", desc=video.name, disable=args.quiet) as bar:
            while (frame := source.read()) is not None:
                dets, _events = pipeline.process(frame)
                tracks.extend(_mot_rows(frame.seq + 1, dets))
                if args.video_out:
                    writer = writer or _open_writer(args.video_out, frame.width, frame.height, fps or 10.0)
                    writer.write(annotate(frame.image, dets, cam.zones, cam.lines))
                bar.update(1)
    except SourceError as err:
        print(f"anfang analyze: {err}", file=sys.stderr)
        return 1
    finally:
        source.close()
        if events_out:
            events_out.close()
        if writer is not None:
            writer.release()
    if args.tracks_out:
        Path(args.tracks_out).write_text("\n".join(tracks) + ("\n" if tracks else ""), encoding="utf-8")
    status = pipeline.status()
    if args.quiet:
        return 0
    print(
        f"{video}: {status.frames_in} frames, {status.detect_calls} detector calls, {n_events} events"
        + (f", tracks → {args.tracks_out}" if args.tracks_out else "")
        + (f", events → {args.events_out}" if args.events_out else "")
    )
    return 0


def _open_writer(path: str, width: int, height: int, fps: float) -> Any:
    import cv2

    writer = cv2.VideoWriter(path, cv2.VideoWriter.fourcc(*"mp4v"), fps, (width, height))
    if not writer.isOpened():
        raise SystemExit(f"anfang analyze: cannot write video {path}")
    return writer


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "analyze",
        help="analyse a video file offline: events as JSONL, tracks in MOTChallenge format",
        description="Runs decode → motion gate → detect → track → rules over VIDEO as fast as possible.",
    )
    p.add_argument("video", help="video file to analyse")
    p.add_argument("--config", help="take the camera's zones, lines and rules (and the detector) from this YAML")
    p.add_argument("--camera", help="which camera of --config to use (default: the first)")
    p.add_argument(
        "--zone",
        action="append",
        default=[],
        type=parse_zone,
        metavar="NAME=x1,y1,x2,y2,x3,y3...",
        help="add a zone with an intrusion rule (repeatable)",
    )
    p.add_argument(
        "--line",
        action="append",
        default=[],
        type=parse_line,
        metavar="NAME=x1,y1,x2,y2",
        help="add a line with a line-crossing rule, both directions (repeatable)",
    )
    p.add_argument("--detector", choices=detector_types(), help="override the detector")
    p.add_argument("--detect-fps", type=float, help="detection rate (default: every frame)")
    p.add_argument("--no-motion-gate", action="store_true", help="run the detector on every frame")
    p.add_argument("--events-out", help="write events as JSON lines to this file")
    p.add_argument("--snapshots-dir", help="write event snapshots and crops (JPEG) here")
    p.add_argument("--tracks-out", help="write tracks as MOTChallenge rows frame,id,x,y,w,h,conf,-1,-1,-1")
    p.add_argument("--video-out", help="write an annotated video (mp4)")
    p.set_defaults(func=analyze)
