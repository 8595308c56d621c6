"""``python -m anfang.protocols.gb28181``: run the GB/T 28181 platform and print device events as JSON lines."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging

from anfang.protocols.gb28181.ids import DeviceIdError, parse_device_id
from anfang.protocols.gb28181.server import GbServer, ServerConfig


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m anfang.protocols.gb28181",
                                description="GB/T 28181 platform: cameras and NVRs register here (SIP + Digest).")
    p.add_argument("--host", default="0.0.0.0", help="address to listen on (default 0.0.0.0)")
    p.add_argument("--port", type=int, default=5060, help="SIP port (default 5060)")
    p.add_argument("--transport", choices=["udp", "tcp", "both"], default="udp", help="SIP transport (default udp)")
    p.add_argument("--platform-id", default="34020000002000000001", help="our 20-digit SIP server id (type 200)")
    p.add_argument("--domain", default="3402000000", help="SIP domain = Digest realm (10 digits, default 3402000000)")
    p.add_argument("--password", default="12345678", help="device password for Digest auth")
    p.add_argument("--advertised-host", default="127.0.0.1", help="address devices reach us at (for Via)")
    p.add_argument("--keepalive-interval", type=float, default=60.0, help="device keepalive interval, seconds")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        parse_device_id(args.platform_id)
    except DeviceIdError as exc:
        build_parser().error(f"--platform-id: {exc}")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    config = ServerConfig(host=args.host, port=args.port, transport=args.transport, platform_id=args.platform_id,
                          domain=args.domain, password=args.password, advertised_host=args.advertised_host,
                          keepalive_interval=args.keepalive_interval)

    async def run() -> None:
        server = GbServer(config, on_event=lambda e: print(json.dumps(e.to_dict(), ensure_ascii=False), flush=True))
        await server.start()
        logging.info("GB28181 platform %s listening on %s %s:%d", config.platform_id, config.transport,
                     config.host, config.port)
        await asyncio.Event().wait()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
