"""``python -m anfang.gb28181`` / ``anfang gb28181``: run the GB/T 28181 platform.

Device events (online, offline, alarms) print as JSON lines. There is no default device password: a
platform that accepts any camera with a well-known password is not secure by default.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import sys

from anfang.gb28181.protocol.ids import DeviceIdError, parse_device_id
from anfang.gb28181.protocol.server import GbServer, ServerConfig

DESCRIPTION = "GB/T 28181 platform: cameras and NVRs register here (SIP + Digest); device events print as JSON."


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options shared by ``anfang gb28181`` and ``python -m anfang.gb28181``."""
    p.add_argument("--host", default="0.0.0.0", help="address to listen on (default 0.0.0.0)")
    p.add_argument("--port", type=int, default=5060, help="SIP port (default 5060)")
    p.add_argument("--transport", choices=["udp", "tcp", "both"], default="udp", help="SIP transport (default udp)")
    p.add_argument("--platform-id", default="34020000002000000001", help="our 20-digit SIP server id (type 200)")
    p.add_argument("--domain", default="3402000000", help="SIP domain = Digest realm (10 digits, default 3402000000)")
    env_pw = os.environ.get("ANFANG_GB_PASSWORD")
    p.add_argument(
        "--password",
        default=env_pw,
        required=env_pw is None,
        help="device password for Digest auth (or $ANFANG_GB_PASSWORD); there is no default",
    )
    p.add_argument("--advertised-host", default="127.0.0.1", help="address devices reach us at (for Via)")
    p.add_argument("--keepalive-interval", type=float, default=60.0, help="device keepalive interval, seconds")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m anfang.gb28181", description=DESCRIPTION)
    add_arguments(p)
    return p


def run_server(args: argparse.Namespace) -> int:
    try:
        parse_device_id(args.platform_id)
    except DeviceIdError as exc:
        print(f"--platform-id: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    config = ServerConfig(
        host=args.host,
        port=args.port,
        transport=args.transport,
        platform_id=args.platform_id,
        domain=args.domain,
        password=args.password,
        advertised_host=args.advertised_host,
        keepalive_interval=args.keepalive_interval,
    )

    async def run() -> None:
        server = GbServer(config, on_event=lambda e: print(json.dumps(e.to_dict(), ensure_ascii=False), flush=True))
        await server.start()
        logging.info(
            "GB28181 platform %s listening on %s %s:%d", config.platform_id, config.transport, config.host, config.port
        )
        await asyncio.Event().wait()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())
    return 0


def main(argv: list[str] | None = None) -> int:
    return run_server(build_parser().parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
