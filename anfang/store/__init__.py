"""Persistence: SQLAlchemy models, Alembic migrations, media files on disk."""
