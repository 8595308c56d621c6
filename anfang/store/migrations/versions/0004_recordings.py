"""Recording segment index (feature branch "recordings").

Revision ID: 0004_recordings
Revises: 0001
Create Date: 2024-01-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_recordings"
down_revision = "0001"
branch_labels = ("recordings",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recording_segments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("camera_id", sa.String(64), nullable=False),
        sa.Column("start", sa.Double(), nullable=False),
        sa.Column("end", sa.Double(), nullable=False),
        sa.Column("path", sa.String(512), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.Column("codec", sa.String(16), nullable=False),
        sa.Column("frames", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_recording_segments"),
    )
    op.create_index("ix_recording_segments_camera_id_start", "recording_segments", ["camera_id", "start"])


def downgrade() -> None:
    op.drop_index("ix_recording_segments_camera_id_start", table_name="recording_segments")
    op.drop_table("recording_segments")
