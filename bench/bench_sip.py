"""SIP transactions per second of our GB/T 28181 server under SIPp load, against a baseline in the same run.

Each SIPp call is a device's life in brief: REGISTER → 401 → REGISTER with Digest → 200 → keepalive MESSAGE
→ 200, i.e. 3 transactions; device ids come from an injection file, so every call registers a new device.
Both servers run in a child process pinned to one CPU: ours (``GbServer``: parse, transaction cache, Digest
check, registrar, MANSCDP), and a baseline that only copies the headers back (a trivial Python UDP
responder: the floor of "Python + asyncio + a socket"). The second part registers 10,000 devices through the
sans-IO core directly and reports RSS.

Usage: python bench/bench_sip.py [--calls 3000] [--rate 4000] [--cpu 0]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PASSWORD = "12345678"
SCENARIO = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="gb28181 register + keepalive load">
  <send retrans="500"><![CDATA[
REGISTER sip:34020000002000000001@3402000000 SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];rport;branch=[branch]
From: <sip:[field0]@3402000000>;tag=[call_number]
To: <sip:[field0]@3402000000>
Call-ID: [call_id]
CSeq: 1 REGISTER
Contact: <sip:[field0]@[local_ip]:[local_port]>
Max-Forwards: 70
Expires: 3600
Content-Length: 0

]]></send>
  <recv response="401" auth="true"/>
  <send retrans="500"><![CDATA[
REGISTER sip:34020000002000000001@3402000000 SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];rport;branch=[branch]
From: <sip:[field0]@3402000000>;tag=[call_number]
To: <sip:[field0]@3402000000>
Call-ID: [call_id]
CSeq: 2 REGISTER
Contact: <sip:[field0]@[local_ip]:[local_port]>
[field1]
Max-Forwards: 70
Expires: 3600
Content-Length: 0

]]></send>
  <recv response="200"/>
  <send retrans="500"><![CDATA[
MESSAGE sip:34020000002000000001@3402000000 SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];rport;branch=[branch]
From: <sip:[field0]@3402000000>;tag=ka[call_number]
To: <sip:34020000002000000001@3402000000>
Call-ID: ka///[call_id]
CSeq: 3 MESSAGE
Content-Type: Application/MANSCDP+xml
Max-Forwards: 70
Content-Length: [len]

<?xml version="1.0" encoding="GB2312"?>
<Notify><CmdType>Keepalive</CmdType><SN>1</SN><DeviceID>[field0]</DeviceID><Status>OK</Status></Notify>
]]></send>
  <recv response="200"/>
</scenario>
"""
_COPY = re.compile(rb"^(Via|From|To|Call-ID|CSeq):.*$", re.M | re.I)


def _echo_server(port: int, cpu: int, ready: mp.Event) -> None:  # type: ignore[valid-type]
    """Baseline: answer 401 to an unauthenticated REGISTER, else 200, copying the five headers (no checks)."""
    os.sched_setaffinity(0, {cpu})

    class Echo(asyncio.DatagramProtocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.t = transport

        def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
            head = data.split(b"\r\n\r\n", 1)[0]
            challenge = data.startswith(b"REGISTER") and b"Authorization:" not in head
            lines = [m.group(0).rstrip(b"\r") for m in _COPY.finditer(head)]
            if challenge:
                lines.append(b'WWW-Authenticate: Digest realm="3402000000", nonce="abc", algorithm=MD5')
            status = b"SIP/2.0 401 Unauthorized" if challenge else b"SIP/2.0 200 OK"
            self.t.sendto(b"\r\n".join([status, *lines, b"Content-Length: 0", b"", b""]), addr)  # type: ignore[attr-defined]

    async def run() -> None:
        await asyncio.get_running_loop().create_datagram_endpoint(Echo, local_addr=("127.0.0.1", port))
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(run())


def _our_server(port: int, cpu: int, ready: mp.Event) -> None:  # type: ignore[valid-type]
    os.sched_setaffinity(0, {cpu})
    logging_off()
    from anfang.gb28181.protocol.server import GbServer, ServerConfig

    async def run() -> None:
        server = GbServer(ServerConfig(host="127.0.0.1", port=port, password=PASSWORD))
        await server.start()
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(run())


def logging_off() -> None:
    import logging

    logging.disable(logging.WARNING)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_load(target: object, label: str, calls: int, rate: int, cpu: int, work: Path) -> float:
    """Start ``target`` pinned to ``cpu``, drive it with SIPp; returns transactions/s of successful calls."""
    port = _free_port()
    ready = mp.Event()
    proc = mp.Process(target=target, args=(port, cpu, ready), daemon=True)
    proc.start()
    try:
        if not ready.wait(30):
            raise RuntimeError(f"{label} server did not start")
        stat = work / f"{label}.csv"
        t0 = time.perf_counter()
        sipp = subprocess.run(
            ["sipp", f"127.0.0.1:{port}", "-sf", str(work / "load.xml"), "-inf", str(work / "devices.csv"),
             "-r", str(rate), "-m", str(calls), "-l", "2000", "-t", "u1", "-i", "127.0.0.1", "-p", str(_free_port()),
             "-nostdin", "-timeout", "120s", "-trace_stat", "-stf", str(stat), "-fd", "1", "-recv_timeout", "5000"],
            cwd=work, capture_output=True, timeout=180)
        elapsed = time.perf_counter() - t0
    finally:
        proc.kill()
        proc.join()
    rows = [line.split(";") for line in stat.read_text().splitlines() if line.strip()]
    col = rows[0].index("SuccessfulCall(C)")
    ok = int(rows[-1][col])
    tps = 3 * ok / elapsed
    print(f"{label:>9}: {ok}/{calls} calls ok in {elapsed:5.2f} s → {tps:8.0f} transactions/s "
          f"(sipp rc {sipp.returncode}, offered {3 * rate}/s)")
    return tps


def rss_10k(n: int = 10_000) -> None:
    """Register ``n`` devices through the sans-IO core (401 + Digest REGISTER each) and report RSS."""
    from anfang.gb28181.protocol.core import GbCore, GbCoreConfig
    from anfang.protocols.sip import Request, digest_response, parse_auth_params

    def rss_mb() -> float:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    platform = GbCore(GbCoreConfig(password=PASSWORD))
    before = rss_mb()
    uri = "sip:34020000002000000001@3402000000"
    t0 = time.perf_counter()
    for i in range(n):
        dev = f"3402000000132{i:07d}"

        def req(auth: str | None, dev: str = dev, i: int = i) -> Request:
            r = Request("REGISTER", uri)
            for name, value in (("Via", f"SIP/2.0/UDP 10.0.{i >> 8 & 255}.{i & 255}:5060;branch=z9hG4bK{i}"),
                                ("From", f"<sip:{dev}@3402000000>;tag={i}"), ("To", f"<sip:{dev}@3402000000>"),
                                ("Call-ID", f"{i}@x"), ("CSeq", "1 REGISTER"),
                                ("Contact", f"<sip:{dev}@10.0.0.1:5060>"), ("Expires", "3600")):
                r.headers.add(name, value)
            if auth:
                r.headers.add("Authorization", auth)
            return r

        challenge = platform.handle_request(req(None), ("10.0.0.1", 5060), time.time())
        assert challenge is not None and challenge.status == 401
        nonce = parse_auth_params(challenge.headers.get("WWW-Authenticate") or "")[1]["nonce"]
        answer = digest_response("MD5", dev, "3402000000", PASSWORD, "REGISTER", uri, nonce)
        ok = platform.handle_request(req(f'Digest username="{dev}", realm="3402000000", nonce="{nonce}", '
                                         f'uri="{uri}", response="{answer}", algorithm=MD5'),
                                     ("10.0.0.1", 5060), time.time())
        assert ok is not None and ok.status == 200
    elapsed = time.perf_counter() - t0
    platform.pop_events()
    after = rss_mb()
    print(f"sans-IO : {n} devices registered in {elapsed:.2f} s ({2 * n / elapsed:,.0f} transactions/s, no sockets); "
          f"RSS {after:.0f} MB total, +{after - before:.1f} MB for the devices (goal ≤ 200 MB)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=3000)
    ap.add_argument("--rate", type=int, default=4000, help="SIPp calls/s offered (3 transactions each)")
    ap.add_argument("--cpu", type=int, default=0, help="the one CPU the server process may use")
    args = ap.parse_args()
    if shutil.which("sipp") is None:
        raise SystemExit("sipp not installed (Debian: sip-tester)")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "load.xml").write_text(SCENARIO)
        (work / "devices.csv").write_text("SEQUENTIAL\n" + "".join(
            f"3402000000132{i:07d};[authentication username=3402000000132{i:07d} password={PASSWORD}];\n"
            for i in range(args.calls)))
        base = run_load(_echo_server, "baseline", args.calls, args.rate, args.cpu, work)
        ours = run_load(_our_server, "anfang", args.calls, args.rate, args.cpu, work)
        print(f"ratio anfang/baseline: {ours / base:.2f}  (goal ≥ 2,000 transactions/s)")
    rss_10k()


if __name__ == "__main__":
    main()
