"""Initial schema: events and API-managed cameras.

Revision ID: 0001
Revises:
Create Date: 2024-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("camera_id", sa.String(64), nullable=False),
        sa.Column("rule", sa.String(128), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("object_class", sa.String(32), nullable=True),
        sa.Column("track_id", sa.BigInteger(), nullable=True),
        sa.Column("start_time", sa.Double(), nullable=False),
        sa.Column("end_time", sa.Double(), nullable=True),
        sa.Column("box", sa.JSON(), nullable=True),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("snapshot_path", sa.String(512), nullable=True),
        sa.Column("crop_path", sa.String(512), nullable=True),
        sa.Column("acknowledged", sa.Boolean(), nullable=False),
        sa.Column("ack_time", sa.Double(), nullable=True),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_events"),
    )
    op.create_index("ix_events_camera_id", "events", ["camera_id"])
    op.create_index("ix_events_start_time", "events", ["start_time"])
    op.create_index("ix_events_type", "events", ["type"])
    op.create_index("ix_events_object_class", "events", ["object_class"])
    op.create_table(
        "cameras",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("config", sa.JSON(), nullable=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cameras"),
    )


def downgrade() -> None:
    op.drop_table("cameras")
    op.drop_index("ix_events_object_class", table_name="events")
    op.drop_index("ix_events_type", table_name="events")
    op.drop_index("ix_events_start_time", table_name="events")
    op.drop_index("ix_events_camera_id", table_name="events")
    op.drop_table("events")
