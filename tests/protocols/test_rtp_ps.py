"""RTP + PS media path with real files: G.711 PS sample, ffmpeg-made PS, and our muxer through RTP."""

from __future__ import annotations

import random
import subprocess
from collections import Counter
from pathlib import Path

import av
import pytest

from anfang.protocols.rtp import JitterBuffer, PsDemuxer, Rfc4571Framer, RtpError, RtpPacket, packetize
from anfang.protocols.rtp.psmux import mux_frame

FRAMES = 48


def test_rtp_parse_roundtrip_and_errors() -> None:
    pkt = RtpPacket(96, 65535, 3000, 0x1234, True, b"abc", (7,))
    again = RtpPacket.parse(pkt.to_bytes())
    assert again == pkt
    with pytest.raises(RtpError, match="shorter"):
        RtpPacket.parse(b"\x80")
    with pytest.raises(RtpError, match="version"):
        RtpPacket.parse(b"\x40" + bytes(11))
    padded = bytearray(RtpPacket(96, 1, 0, 1, False, b"xy\x00\x03").to_bytes())
    padded[0] |= 0x20
    assert RtpPacket.parse(bytes(padded)).payload == b"x"


def test_jitter_buffer_reorders_wraps_and_counts_loss() -> None:
    jb = JitterBuffer(depth=4)
    seqs = [65534, 65535, 1, 0, 2, 4, 5, 6, 7, 8, 3, 9]  # 3 arrives after the buffer gave up on it
    out = []
    for s in seqs:
        out += [p.sequence for p in jb.push(RtpPacket(96, s, 0, 1, False, b""))]
    out += [p.sequence for p in jb.flush()]
    assert out == [65534, 65535, 0, 1, 2, 4, 5, 6, 7, 8, 9]
    assert jb.lost == 1 and jb.late == 1


def test_rfc4571_framing() -> None:
    packets = [bytes([i]) * (i * 100) for i in range(1, 6)]
    stream = b"".join(Rfc4571Framer.frame(p) for p in packets)
    framer = Rfc4571Framer()
    got = []
    for i in range(0, len(stream), 33):
        got += framer.feed(stream[i:i + 33])
    assert got == packets


def test_demux_g711_sample(shared_data: Path) -> None:
    data = (shared_data / "gb28181" / "Audio_G711_PS2.mpg").read_bytes()
    demux = PsDemuxer()
    units = []
    for i in range(0, len(data), 4096):
        units += demux.feed(data[i:i + 4096])
    units += demux.flush()
    assert demux.stream_types == {0xE0: 0x1B, 0xC0: 0x90}, "PSM read past its wrong map length"
    assert Counter(u.codec for u in units) == {"g711a": 35353}
    assert sum(len(u.data) for u in units) == 2_828_400
    assert all(u.pts is not None for u in units)  # the sample's PTS jump around (device quirk): not checked
    assert demux.skipped == 0


def decode_count(units: list[bytes]) -> int:
    ctx = av.CodecContext.create("h264", "r")
    n = sum(len(ctx.decode(av.Packet(u))) for u in units)
    return n + len(ctx.decode(None))


@pytest.fixture(scope="module")
def h264_units(vtest_video: Path) -> list[bytes]:
    """FRAMES H.264 access units (Annex B) encoded by PyAV/libx264 from the demo CCTV video."""
    enc = av.CodecContext.create("libx264", "w")
    enc.width, enc.height, enc.pix_fmt = 384, 288, "yuv420p"
    enc.time_base = av.time_base and __import__("fractions").Fraction(1, 25)
    enc.options = {"preset": "ultrafast", "bframes": "0", "g": "12"}
    units: list[bytes] = []
    with av.open(str(vtest_video)) as src:
        for i, frame in enumerate(src.decode(video=0)):
            if i == FRAMES:
                break
            frame = frame.reformat(384, 288, "yuv420p")
            frame.pts = i
            units += [bytes(p) for p in enc.encode(frame)]
    units += [bytes(p) for p in enc.encode(None)]
    assert len(units) == FRAMES
    return units


@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_our_ps_over_rtp_decodes_every_frame(h264_units: list[bytes], transport: str, tmp_path: Path) -> None:
    ps = [mux_frame(u, pts=3600 * i, key=i % 12 == 0) for i, u in enumerate(h264_units)]
    (tmp_path / "ours.ps").write_bytes(b"".join(ps))
    probe = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                            "stream=codec_name,nb_read_frames", "-of", "csv=p=0", str(tmp_path / "ours.ps")],
                           capture_output=True, text=True, check=True)
    assert probe.stdout.strip() == f"h264,{FRAMES}", "ffmpeg must read our PS too"
    packets, seq = [], 60000
    for i, frame in enumerate(ps):
        pk = packetize(frame, 3600 * i, 0x0100_0001, seq)
        seq += len(pk)
        packets += pk
    rng = random.Random(1)
    wire = [p.to_bytes() for p in packets]
    if transport == "udp":  # local reordering within the jitter depth
        for i in range(1, len(wire) - 3, 5):  # the very first packet defines the start sequence
            j = i + rng.randrange(1, 4)
            wire[i], wire[j] = wire[j], wire[i]
    else:
        stream = b"".join(Rfc4571Framer.frame(w) for w in wire)
        framer = Rfc4571Framer()
        wire = [x for i in range(0, len(stream), 1000) for x in framer.feed(stream[i:i + 1000])]
    jb, demux, units = JitterBuffer(depth=8), PsDemuxer(), []
    for w in wire:
        for p in jb.push(RtpPacket.parse(w)):
            units += demux.feed(p.payload)
    for p in jb.flush():
        units += demux.feed(p.payload)
    units += demux.flush()
    assert jb.lost == 0
    assert [u.data for u in units] == h264_units
    assert [u.pts for u in units] == [3600 * i for i in range(FRAMES)]
    assert decode_count([u.data for u in units]) == FRAMES


def test_ffmpeg_ps_without_psm_nal_split(vtest_video: Path, tmp_path: Path) -> None:
    out = tmp_path / "ff.ps"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(vtest_video), "-frames:v", "30", "-an", "-c:v",
                    "libx264", "-preset", "ultrafast", "-f", "vob", str(out)], check=True, timeout=120)
    demux = PsDemuxer(split="nal")
    data = out.read_bytes()
    units = []
    for i in range(0, len(data), 2000):
        units += demux.feed(data[i:i + 2000])
    units += demux.flush()
    assert 0xBC not in demux.stream_types and all(u.codec == "h264" for u in units)
    assert len(units) == 30
    assert decode_count([u.data for u in units]) == 30
