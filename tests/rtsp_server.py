"""A real RTSP server for tests: GStreamer's gst-rtsp-server serving an H.264 file.

Run with Debian's Python (``/usr/bin/python3``), which has the GObject bindings; the packages are listed in
``.ci/apt-packages.txt``. Usage: ``rtsp_server.py PORT FILE.mp4`` serves ``rtsp://127.0.0.1:PORT/cam``,
prints ``READY`` once listening, and runs until killed. Each client gets its own pipeline from the file's
start, paced at the file's frame rate like a camera.
"""

import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def main() -> None:
    port, path = sys.argv[1], sys.argv[2]
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(port)
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(
        f'( filesrc location="{path}" ! qtdemux ! h264parse ! rtph264pay name=pay0 pt=96 config-interval=1 )'
    )
    factory.set_shared(False)
    server.get_mount_points().add_factory("/cam", factory)
    if server.attach(None) == 0:
        print(f"cannot listen on port {port}", file=sys.stderr, flush=True)
        sys.exit(2)
    print("READY", flush=True)
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
