"""Audit entries get a MAC column (HMAC-SM3 under a key outside the database).

Revision ID: security_0002_audit_mac
Revises: 0002_security
Create Date: 2026-12-02

On the ``security`` branch. Existing rows keep ``mac`` NULL: ``anfang audit verify`` reports them as
"before MAC" (still covered by the hash chain and signed checkpoints). A database whose audit table was
created from the current model already has the column (0002 creates the tables from the models).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "security_0002_audit_mac"
down_revision = "0002_security"
branch_labels = None
depends_on = None


def _has_mac() -> bool:
    cols = sa.inspect(op.get_bind()).get_columns("audit_log")
    return any(c["name"] == "mac" for c in cols)


def upgrade() -> None:
    if not _has_mac():
        op.add_column("audit_log", sa.Column("mac", sa.String(64), nullable=True))


def downgrade() -> None:
    if _has_mac():
        with op.batch_alter_table("audit_log") as batch:
            batch.drop_column("mac")
