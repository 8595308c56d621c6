"""GB/T 28181 inside the platform: the SIP server as a service, devices → cameras, media sessions.

The protocol itself (sans-IO) lives in :mod:`anfang.gb28181.protocol`; this package runs it next to the
pipelines. Importing it stays cheap: only :mod:`anfang.gb28181.config` is needed by the config models.
"""
