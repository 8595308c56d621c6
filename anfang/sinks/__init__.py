"""Sinks: where events go besides the store (files, message queues, webhooks, ...).

Each sink is a plug-in (kind ``sink``) in its own module here; the :class:`~anfang.sinks.component.Sinks`
component feeds them every event the platform stores. See :mod:`anfang.sinks.base`.
"""
