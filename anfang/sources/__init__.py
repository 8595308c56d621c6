"""Where frames come from: file, RTSP (and later GB/T 28181), each a small class in a registry."""
