"""Alembic migrations, run by :func:`anfang.store.migrate.upgrade` at start-up."""
