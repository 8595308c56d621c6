"""``anfang search records|image|plates``: the search API's questions, answered straight from the database.

Talks to ``--data-dir`` directly (no running server needed, e.g. on an evidence workstation holding a copy
of the data folder) and prints one JSON object per line, so results pipe into ``jq`` or a spreadsheet.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from anfang.search.service import SearchError, SearchService, record_dict


def _service(args: argparse.Namespace) -> SearchService:
    from anfang.store.db import make_engine
    from anfang.store.migrate import upgrade
    from anfang.structuring.config import RecordsConfig
    from anfang.structuring.service import open_service

    cfg = RecordsConfig.model_validate({})
    models_dir: Path | None = None
    url = None
    if args.config:
        from anfang.config.loader import load_config

        app = load_config(args.config)
        cfg, models_dir, url = app.records, app.models_dir, app.store.url
        data_dir = Path(args.data_dir or app.data_dir)
    else:
        data_dir = Path(args.data_dir or "./anfang-data")
    engine = make_engine(url, data_dir)
    upgrade(engine)
    return SearchService(open_service(engine, data_dir, cfg, models_dir))


def _print(items: list[dict[str, Any]]) -> None:
    for item in items:
        print(json.dumps(item, ensure_ascii=False))


def _records(args: argparse.Namespace) -> int:
    svc = _service(args)
    attrs = {k: getattr(args, k) for k in ("coat_color", "trousers_color", "vehicle_color", "plate_color")}
    rows = svc.attributes(args.type, args.camera_id, args.since, args.until, args.limit, **attrs)
    _print([record_dict(r) for r in rows])
    return 0


def _image(args: argparse.Namespace) -> int:
    svc = _service(args)
    hits = svc.by_image(Path(args.image).read_bytes(), args.k, args.camera_id, args.since, args.until)
    _print([record_dict(h.row) | {"score": round(h.score, 4)} for h in hits])
    return 0


def _plates(args: argparse.Namespace) -> int:
    svc = _service(args)
    hits = svc.plates(args.q, args.mode, args.camera_id, args.since, args.until, args.limit, args.max_distance)
    _print([record_dict(h.row) | {"distance": h.score} for h in hits])
    return 0


def _run(func: Any) -> Any:
    def wrapped(args: argparse.Namespace) -> int:
        try:
            return func(args)
        except (SearchError, OSError) as err:
            print(f"anfang search: {err}", file=sys.stderr)
            return 2

    return wrapped


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("search", help="search structured records by attributes, picture or plate (JSON lines)")
    ssub = p.add_subparsers(dest="search_command", metavar="KIND", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", help="anfang data folder (default ./anfang-data or the config's)")
    common.add_argument("-c", "--config", help="YAML config (data dir, store URL, ReID model)")
    common.add_argument("--camera-id", action="append", help="limit to this camera (repeatable)")
    common.add_argument("--since", type=float, help="epoch seconds, inclusive")
    common.add_argument("--until", type=float, help="epoch seconds, exclusive")
    r = ssub.add_parser("records", parents=[common], help="by attributes, e.g. --type person --coat-color red")
    r.add_argument("--type", help="person, motor_vehicle, non_motor_vehicle, face")
    for name in ("coat-color", "trousers-color", "vehicle-color", "plate-color"):
        r.add_argument(f"--{name}")
    r.add_argument("--limit", type=int, default=50)
    r.set_defaults(func=_run(_records))
    i = ssub.add_parser("image", parents=[common], help="nearest records to a person picture")
    i.add_argument("image", help="JPEG/PNG of one person")
    i.add_argument("-k", type=int, default=20)
    i.set_defaults(func=_run(_image))
    pl = ssub.add_parser("plates", parents=[common], help="by plate: exact, wildcard (* ?) or fuzzy")
    pl.add_argument("q", help="plate or pattern, e.g. '皖A*E18'")
    pl.add_argument("--mode", choices=["exact", "wildcard", "fuzzy"], default="exact")
    pl.add_argument("--max-distance", type=float, default=1.0)
    pl.add_argument("--limit", type=int, default=50)
    pl.set_defaults(func=_run(_plates))
