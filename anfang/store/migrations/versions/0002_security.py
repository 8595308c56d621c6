"""Security tables: users, sessions/API tokens, audit chain and checkpoints.

Revision ID: 0002_security
Revises: 0001
Create Date: 2024-01-02

A branch of its own (label ``security``) so it evolves independently of other features' tables. The
table definitions are the security package's own models, so the migration and the code cannot drift.
"""

from __future__ import annotations

from alembic import op

revision = "0002_security"
down_revision = "0001"
branch_labels = ("security",)
depends_on = None


def _metadatas():  # imported here: migrations must not import the package at module load
    from anfang.security.audit import AuditBase
    from anfang.security.users import SecurityBase

    return SecurityBase.metadata, AuditBase.metadata


def upgrade() -> None:
    bind = op.get_bind()
    for metadata in _metadatas():
        metadata.create_all(bind, checkfirst=True)


def downgrade() -> None:
    bind = op.get_bind()
    for metadata in _metadatas():
        metadata.drop_all(bind, checkfirst=True)
