"""GA/T 1400: VIID records accepted per second with pictures, and the edge -> centre replay rate.

    python bench/bench_viid.py [--n 2000] [--batch 50] [--replay 1000]

Accept rate: a real centre platform (``viid.server`` on) behind uvicorn; one httpx client with Digest posts
MotorVehicle objects carrying two real JPEGs (a crop and the scene frame of vtest.avi, ~40 KB of Base64)
in batches to ``/VIID/MotorVehicles``; a record counts once the answer (StatusCode 0 per object) is back,
i.e. its row is committed and its pictures written (fsync) and signed by the media policy. Run twice: with
the default policy (SM2 signature sidecar per picture) and with ``security.sign_media: false``.

Baseline in the same run: a bare FastAPI endpoint on uvicorn that only ``json.loads`` the same bodies and
answers the same ResponseStatusList, so the ratio is what storing costs over HTTP + JSON alone.

Replay: an edge platform with the centre down queues ``--replay`` records in its spool; the centre comes up
and the time until the spool is empty (every record acknowledged) gives the replay rate.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI, Request, Response

from anfang.models.paths import default_models_dir
from anfang.structuring.store import RecordRow
from anfang.video.demo_video import find_demo_video
from anfang.viid import messages
from anfang.viid.component import Viid
from anfang.viid.convert import from_row
from tests.viid_peers import CENTRE_ID, EDGE_ID, frames, free_port, make_rows, platform, records, serve_on

PASSWORD = "bench-pw-1"


def bodies(n: int, batch: int, tmp: Path) -> list[bytes]:
    video = find_demo_video()
    assert video is not None, "vtest.avi (Debian opencv-doc) is needed"
    p = platform(tmp / "source", default_models_dir(), {})
    service = records(p)
    images = frames(video, 20)
    objs = []
    rows = make_rows(service, images * (n // 20 + 1))
    for row in [r for r in rows][: n * 4]:
        row = row | {"type": "motor_vehicle", "object_class": "car", "plate_no": f"京A{len(objs):05d}",
                     "vehicle_color": "white", "plate_color": "blue"}  # fmt: skip
        pics = {k: service.store.read_media(row[f"{k}_path"]) for k in ("crop", "snapshot")}
        objs.append(from_row(RecordRow(**row), pics))
        if len(objs) == n:
            break
    p.engine.dispose()
    return [messages.encode(messages.wrap("motor_vehicle", objs[i:i + batch])) for i in range(0, n, batch)]


def post_all(url: str, payloads: list[bytes], auth: httpx.Auth | None) -> float:
    with httpx.Client(base_url=url, auth=auth, timeout=120,
                      headers={"Content-Type": messages.CONTENT_TYPE}) as client:  # fmt: skip
        t = time.perf_counter()
        for body in payloads:
            r = client.post("/VIID/MotorVehicles", content=body)
            codes = {a["StatusCode"] for a in messages.statuses(r.json())}
            assert r.status_code == 200 and codes == {0}, r.text[:300]
        return time.perf_counter() - t


def bare_app() -> FastAPI:
    app = FastAPI()

    @app.post("/VIID/MotorVehicles")
    async def parse_only(request: Request) -> Response:
        data = json.loads(await request.body())
        objs = data["MotorVehicleListObject"]["MotorVehicleObject"]
        answer = messages.response_list(messages.status_object("/VIID/MotorVehicles", messages.Status.OK,
                                                               o["MotorVehicleID"]) for o in objs)  # fmt: skip
        return Response(messages.encode(answer), media_type=messages.CONTENT_TYPE)

    return app


def serve_bare(port: int) -> uvicorn.Server:
    server = uvicorn.Server(uvicorn.Config(bare_app(), host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off"))  # fmt: skip
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    return server


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=50)
    ap.add_argument("--replay", type=int, default=1000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        payloads = bodies(args.n, args.batch, tmp)
        mb = sum(len(b) for b in payloads) / 1e6
        print(f"{args.n} MotorVehicle objects with 2 JPEGs each, {len(payloads)} posts of {args.batch}, {mb:.1f} MB")
        bare = serve_bare(port := free_port())
        base_s = post_all(f"http://127.0.0.1:{port}", payloads, None)
        bare.should_exit = True
        print(f"baseline: bare FastAPI json.loads endpoint: {args.n / base_s:,.0f} objects/s")
        for label, security in (("signed pictures (default policy)", {}), ("sign_media off", {"sign_media": False})):
            cfg = {"server": {"enabled": True, "server_id": CENTRE_ID,
                              "devices": [{"device_id": EDGE_ID, "password": PASSWORD}]}}  # fmt: skip
            centre = platform(tmp / f"centre-{len(security)}", default_models_dir(), cfg)
            if security:
                centre = type(centre)(centre.config.model_copy(update={"security": centre.config.security.model_copy(
                    update=security)}))  # fmt: skip
            centre.start()
            with serve_on(centre, free_port()) as url:
                s = post_all(url, payloads, httpx.DigestAuth(EDGE_ID, PASSWORD))
            stored = centre.get(Viid).server
            assert stored is not None and stored.received == args.n
            centre.stop()
            print(f"anfang /VIID/MotorVehicles, {label}: {args.n / s:,.0f} records/s "
                  f"({base_s / s * 100:.0f}% of the bare endpoint's rate)")
        # Replay after an outage.
        port = free_port()
        edge = platform(tmp / "edge", default_models_dir(), {"client": {
            "enabled": True, "url": f"http://127.0.0.1:{port}", "device_id": EDGE_ID, "password": PASSWORD,
            "retry_min_s": 0.1, "retry_max_s": 0.2, "batch": args.batch}})  # fmt: skip
        edge.start()
        video = find_demo_video()
        assert video is not None
        service = records(edge)
        rows = make_rows(service, frames(video, 20) * (args.replay // 20))
        service.add_rows(rows)
        client = edge.get(Viid).client
        assert client is not None and client.spool.count() == len(rows)
        centre = platform(tmp / "centre-replay", default_models_dir(), {"server": {
            "enabled": True, "server_id": CENTRE_ID, "devices": [{"device_id": EDGE_ID, "password": PASSWORD}]}})
        centre.start()
        with serve_on(centre, port):
            t = time.perf_counter()
            while client.spool.count():
                time.sleep(0.05)
            replay_s = time.perf_counter() - t
        edge.stop()
        centre.stop()
        print(f"edge -> centre replay of {len(rows)} spooled records (4 types, 2 JPEGs each, signed): "
              f"{len(rows) / replay_s:,.0f} records/s")


if __name__ == "__main__":
    main()
