"""Rule plug-ins: one module per rule ``type``, holding its config model and its implementation.

Every module here is imported by :func:`anfang.plugins.discover`; a new rule is a new file here.
"""
