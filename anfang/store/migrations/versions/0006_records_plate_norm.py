"""records.plate_norm: the plate as search compares it (upper-case, no separators), indexed.

Why a second column instead of normalising plate_no in place: plate_no is what the camera read, shown and
exported as read; plate search needs a canonical form it can range-scan (``GLOB '皖A12*'``) instead of
normalising every stored plate in Python on every query.

Revision ID: 0006_records_plate_norm
Revises: 0003_records
Create Date: 2024-07-01
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0006_records_plate_norm"
down_revision = "0003_records"
branch_labels = None
depends_on = None

_STRIP = re.compile(r"[\s·•\-_.]")  # frozen copy of anfang.search.plates.normalise_plate at this revision


def upgrade() -> None:
    op.add_column("records", sa.Column("plate_norm", sa.String(16), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, plate_no FROM records WHERE plate_no IS NOT NULL")).all()
    for start in range(0, len(rows), 1000):
        conn.execute(
            sa.text("UPDATE records SET plate_norm = :n WHERE id = :id"),
            [{"id": rid, "n": _STRIP.sub("", plate).upper()} for rid, plate in rows[start : start + 1000]],
        )
    op.create_index("ix_records_plate_norm", "records", ["plate_norm"])


def downgrade() -> None:
    op.drop_index("ix_records_plate_norm", "records")
    op.drop_column("records", "plate_norm")
