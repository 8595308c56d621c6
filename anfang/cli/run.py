"""``anfang run -c CONFIG`` and ``anfang demo``: start the platform and serve the API."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from importlib import resources
from pathlib import Path

import yaml

from anfang.config.loader import ConfigError, load_config, parse_config
from anfang.config.models import AppConfig
from anfang.vision.registry import detector_types, needs_model_pack

log = logging.getLogger("anfang")


def demo_config(video: Path, data_dir: Path | None = None) -> AppConfig:
    """The packaged demo config with ``video`` as its camera."""
    text = resources.files("anfang.config").joinpath("demo.yaml").read_text(encoding="utf-8")
    text = text.replace('"{video}"', json.dumps(str(video.resolve())))
    cfg = parse_config(yaml.safe_load(text), "anfang/config/demo.yaml")
    cfg.data_dir = (data_dir or Path("anfang-data")).resolve()
    return cfg


def ensure_model_pack(cfg: AppConfig) -> None:
    """Build the model pack first if the configured detector needs it and it is missing."""
    if not needs_model_pack(cfg.detector):
        return
    from anfang.models.paths import default_models_dir

    models_dir = cfg.models_dir or default_models_dir()
    if (models_dir / "manifest.json").is_file():
        return
    log.info("model pack not found in %s: building it now (one-off, a few minutes)", models_dir)
    from anfang.models.build import build_pack

    build_pack(models_dir)


def serve(cfg: AppConfig) -> int:
    from anfang.api.server import serve as serve_api
    from anfang.platform import Platform

    ensure_model_pack(cfg)
    platform = Platform(cfg)
    url = f"http://{cfg.api.host}:{cfg.api.port}/"
    cams = ", ".join(c.id for c in cfg.cameras) or "none"
    print(f"anfang: {len(cfg.cameras)} camera(s) [{cams}], data in {cfg.data_dir}", flush=True)
    print(f"anfang: open {url}  (REST API docs: {url}docs) — Ctrl-C to stop", flush=True)
    serve_api(platform, cfg.api.host, cfg.api.port)
    return 0


def _apply_overrides(cfg: AppConfig, args: argparse.Namespace) -> AppConfig:
    if args.host:
        cfg.api.host = args.host
    if args.port is not None:
        cfg.api.port = args.port
    if args.data_dir:
        cfg.data_dir = Path(args.data_dir).resolve()
    return cfg


def _run(args: argparse.Namespace) -> int:
    try:
        cfg = load_config(args.config)
    except ConfigError as err:
        print(err, file=sys.stderr)
        return 1
    return serve(_apply_overrides(cfg, args))


def _demo(args: argparse.Namespace) -> int:
    from anfang.video.demo_video import fetch_demo_video

    if args.video:
        video = Path(args.video)
        if not video.is_file():
            print(f"anfang demo: --video {video}: no such file", file=sys.stderr)
            return 1
    else:
        video = fetch_demo_video()
    cfg = demo_config(video)
    if args.detector:
        try:
            cfg = parse_config({**cfg.model_dump(mode="json"), "detector": {"type": args.detector}}, "--detector")
        except ConfigError as err:  # e.g. yolo needs a model path: use a config file for that
            print(err, file=sys.stderr)
            return 1
    return serve(_apply_overrides(cfg, args))


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", help="address the API listens on (default from config: 127.0.0.1)")
    p.add_argument("--port", type=int, help="API port (default from config: 8080)")
    p.add_argument("--data-dir", help="where the database and snapshots go")


def add_parser(sub: argparse._SubParsersAction) -> None:
    r = sub.add_parser("run", help="run the platform from a YAML config")
    r.add_argument("-c", "--config", required=True, help="YAML config (see examples/)")
    _common(r)
    r.set_defaults(func=_run)
    d = sub.add_parser(
        "demo",
        help="run the platform on real campus CCTV (vtest.avi) with a zone, a line and loitering/crowd rules",
        description="Plays the demo video as a live camera at its real frame rate, looping, and serves the API.",
    )
    d.add_argument("--video", help="use this video file instead of vtest.avi")
    d.add_argument("--detector", choices=detector_types(), help="override the detector")
    _common(d)
    d.set_defaults(func=_demo)
