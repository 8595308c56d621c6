"""Structured records (GA/T 1400 Person / Face / MotorVehicle / NonMotorVehicle).

Revision ID: 0003_records
Revises: 0001
Create Date: 2024-06-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_records"
down_revision = "0001"
branch_labels = ("records",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "records",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("type", sa.String(24), nullable=False),
        sa.Column("object_class", sa.String(32), nullable=True),
        sa.Column("camera_id", sa.String(64), nullable=False),
        sa.Column("track_id", sa.BigInteger(), nullable=True),
        sa.Column("appear_time", sa.Double(), nullable=False),
        sa.Column("disappear_time", sa.Double(), nullable=False),
        sa.Column("shot_time", sa.Double(), nullable=False),
        sa.Column("box", sa.JSON(), nullable=True),
        sa.Column("confidence", sa.Double(), nullable=True),
        sa.Column("quality", sa.Double(), nullable=True),
        sa.Column("coat_color", sa.String(16), nullable=True),
        sa.Column("trousers_color", sa.String(16), nullable=True),
        sa.Column("vehicle_color", sa.String(16), nullable=True),
        sa.Column("plate_no", sa.String(16), nullable=True),
        sa.Column("plate_color", sa.String(16), nullable=True),
        sa.Column("gender", sa.String(8), nullable=True),
        sa.Column("age_low", sa.Integer(), nullable=True),
        sa.Column("age_up", sa.Integer(), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("snapshot_path", sa.String(512), nullable=True),
        sa.Column("crop_path", sa.String(512), nullable=True),
        sa.Column("embedding", sa.LargeBinary(), nullable=True),
        sa.Column("embedding_model", sa.String(32), nullable=True),
        sa.Column("parent_id", sa.String(64), nullable=True),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_records"),
    )
    for name, cols in (
        ("ix_records_type_shot_time", ["type", "shot_time"]),
        ("ix_records_camera_id_shot_time", ["camera_id", "shot_time"]),
        ("ix_records_coat_color_shot_time", ["coat_color", "shot_time"]),
        ("ix_records_trousers_color_shot_time", ["trousers_color", "shot_time"]),
        ("ix_records_vehicle_color_shot_time", ["vehicle_color", "shot_time"]),
        ("ix_records_plate_no", ["plate_no"]),
        ("ix_records_shot_time", ["shot_time"]),
    ):
        op.create_index(name, "records", cols)


def downgrade() -> None:
    op.drop_table("records")
