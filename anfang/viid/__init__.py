"""GA/T 1400 (公安视频图像信息应用系统, the "view library" / 视图库): server and client.

``protocol``-level modules (:mod:`codes`, :mod:`ids`, :mod:`shapes`, :mod:`messages`, :mod:`convert`) are
sans-IO: they build, parse and validate message dicts and never touch a socket or a file, so they are tested
without a server. :mod:`router` is the thin FastAPI layer of the server, :mod:`client` the thin httpx layer of
the client, :mod:`spool` the durable queue between our records and an upper view library.
"""
