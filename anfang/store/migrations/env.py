"""Alembic environment: runs migrations on the connection anfang hands over (online only).

anfang migrates programmatically at start-up, so there is no alembic.ini and no offline/SQL mode; the
caller puts an open connection into ``config.attributes["connection"]``.
"""

from __future__ import annotations

from alembic import context

from anfang.store.db import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("anfang migrations need config.attributes['connection'] (use anfang.store.migrate)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite cannot ALTER most things; batch mode rebuilds the table so later migrations stay portable.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
