"""The asyncio server with real peers: SIPp as a fake IPC (UDP and TCP), and a 10,000-datagram fuzz."""

from __future__ import annotations

import asyncio
import random
import socket
from pathlib import Path

import pytest

from anfang.gb28181.protocol.server import GbServer, ServerConfig
from anfang.protocols.sip import parse_message

SIPP_DIR = Path(__file__).resolve().parent.parent / "sipp"
DEV = "34020000001320000001"
needs_sipp = pytest.mark.usefixtures("sipp_command")  # no sipp: the test fails (tests/conftest.py)


def free_port(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def run_sipp_device(transport: str, tmp_path: Path) -> list[str]:
    kind = socket.SOCK_STREAM if transport == "tcp" else socket.SOCK_DGRAM
    server = GbServer(ServerConfig(host="127.0.0.1", port=free_port(kind), transport=transport))  # type: ignore[arg-type]
    events: list[str] = []
    server.on_event = lambda e: events.append(e.type)
    await server.start()
    proc = await asyncio.create_subprocess_exec(
        "sipp", f"127.0.0.1:{server.config.port}", "-sf", str(SIPP_DIR / "gb_device_register.xml"),
        "-oocsf", str(SIPP_DIR / "gb_device_ooc.xml"), "-m", "1", "-i", "127.0.0.1", "-p", str(free_port(kind)),
        "-t", "u1" if transport == "udp" else "t1", "-timeout", "20s", "-timeout_error", "-nostdin",
        cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    try:
        for _ in range(200):  # bounded wait for the REGISTER exchange (SIPp start-up time varies)
            if DEV in server.platform.devices:
                break
            await asyncio.sleep(0.05)
        assert DEV in server.platform.devices, "SIPp device did not register"
        result = await server.query(DEV, "Catalog", timeout=10)
        assert [c.device_id for c in result.payload] == [DEV, "34020000001310000002"]
        assert server.platform.devices[DEV].channels == result.payload
        out, _ = await asyncio.wait_for(proc.communicate(), 30)
        assert proc.returncode == 0, out.decode(errors="replace")[-2000:]
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await server.stop()
    assert events[0] == "device_online" and server.stats.errors == 0
    return events


@needs_sipp
@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_sipp_device_registers_keepalives_answers_catalog(transport: str, tmp_path: Path) -> None:
    events = asyncio.run(run_sipp_device(transport, tmp_path))
    assert "device_online" in events


def mutate(rng: random.Random, data: bytes) -> bytes:
    """One random corruption: flip/insert/delete bytes, truncate, duplicate a slice, or garble a header."""
    b = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.randrange(6)
        pos = rng.randrange(len(b) + 1)
        if op == 0 and b:
            b[min(pos, len(b) - 1)] = rng.randrange(256)
        elif op == 1:
            b[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif op == 2:
            del b[pos:pos + rng.randint(1, 32)]
        elif op == 3:
            b = b[:pos]
        elif op == 4:
            b[pos:pos] = b[rng.randrange(len(b) + 1):][:64]
        else:
            b = b.replace(rng.choice([b"\r\n", b":", b" ", b"SIP/2.0", b"Content-Length", b"<", b"="]),
                          rng.choice([b"", b"\n", b"::", b"\x00", b"\xff\xfe", b"99999999"]), 1)
    return bytes(b)


async def fuzz(samples: list[bytes]) -> str:
    server = GbServer(ServerConfig(host="127.0.0.1", port=0))
    await server.start()
    rng = random.Random(28181)
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(asyncio.DatagramProtocol, remote_addr=("127.0.0.1",
                                                                                                server.config.port))
    try:
        for i in range(10_000):
            data = mutate(rng, rng.choice(samples))
            server.handle_datagram(data, ("127.0.0.1", 9))  # every one processed, deterministically
            if i % 10 == 0:
                transport.sendto(data)  # and some through the real socket
                await asyncio.sleep(0)
        assert server.stats.errors == 0, "an exception escaped the sans-IO core"
        assert server.stats.malformed > 1000
        reply: asyncio.Future[bytes] = loop.create_future()

        class Client(asyncio.DatagramProtocol):
            def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
                if not reply.done():
                    reply.set_result(data)

        client, _ = await loop.create_datagram_endpoint(Client, remote_addr=("127.0.0.1", server.config.port))
        register = ("REGISTER sip:34020000002000000001@3402000000 SIP/2.0\r\n"
                    "Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKafter"
                    f"\r\nFrom: <sip:{DEV}@3402000000>;tag=1\r\nTo: <sip:{DEV}@3402000000>\r\nCall-ID: after\r\n"
                    "CSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n").encode()
        client.sendto(register)
        answer = parse_message(await asyncio.wait_for(reply, 10))
        client.close()
        assert answer.start_line == "SIP/2.0 401 Unauthorized"
        return answer.start_line
    finally:
        transport.close()
        await server.stop()


def test_fuzz_10000_mutated_trace_datagrams(trace_messages: list[tuple[str, str, bytes]]) -> None:
    samples = [raw for _, _, raw in trace_messages[::10]]
    assert asyncio.run(fuzz(samples)) == "SIP/2.0 401 Unauthorized"  # REGISTER still answered after the fuzz
