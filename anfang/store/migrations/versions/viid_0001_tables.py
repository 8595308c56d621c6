"""GA/T 1400 view library: the client's delivery spool, the server's received IDs, posted subscriptions.

Revision ID: viid_0001
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "viid_0001"
down_revision = "0001"
branch_labels = ("viid",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "viid_spool",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("target", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("record_id", sa.String(64), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("parked", sa.Boolean(), nullable=False),
        sa.Column("last_error", sa.String(512), nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_viid_spool")),
    )
    op.create_index("ix_viid_spool_parked_seq", "viid_spool", ["parked", "seq"])
    op.create_table(
        "viid_received",
        sa.Column("data_id", sa.String(48), nullable=False),
        sa.Column("record_id", sa.String(64), nullable=False),
        sa.Column("peer", sa.String(20), nullable=False),
        sa.Column("received_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("data_id", name=op.f("pk_viid_received")),
    )
    op.create_index("ix_viid_received_received_at", "viid_received", ["received_at"])
    op.create_table(
        "viid_subscriptions",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("peer", sa.String(20), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_viid_subscriptions")),
    )


def downgrade() -> None:
    op.drop_table("viid_subscriptions")
    op.drop_table("viid_received")
    op.drop_table("viid_spool")
