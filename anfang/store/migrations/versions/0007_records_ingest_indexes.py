"""records: fewer index writes per row — drop the unused plate_no index, make single-type columns partial.

Why: every row paid for 9 B-trees (primary key + 8). ``ix_records_plate_no`` serves no query (plate search
compares ``plate_norm``); the clothing colours are only set on people, the vehicle colour and the plate only
on vehicles, so indexing them ``WHERE col IS NOT NULL`` keeps NULL keys out of their B-trees. A query that
compares the column (``=``, ``IN``, ``GLOB``) still uses the partial index on SQLite and PostgreSQL.

Revision ID: 0007_records_ingest_indexes
Revises: 0006_records_plate_norm
Create Date: 2024-07-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_records_ingest_indexes"
down_revision = "0006_records_plate_norm"
branch_labels = None
depends_on = None

# Frozen at this revision (not imported from the model): name -> columns.
_PARTIAL = {
    "ix_records_coat_color_shot_time": ["coat_color", "shot_time"],
    "ix_records_trousers_color_shot_time": ["trousers_color", "shot_time"],
    "ix_records_vehicle_color_shot_time": ["vehicle_color", "shot_time"],
    "ix_records_plate_norm": ["plate_norm"],
}


def upgrade() -> None:
    op.drop_index("ix_records_plate_no", "records")
    for name, columns in _PARTIAL.items():
        where = sa.text(f"{columns[0]} IS NOT NULL")
        op.drop_index(name, "records")
        op.create_index(name, "records", columns, sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    for name, columns in _PARTIAL.items():
        op.drop_index(name, "records")
        op.create_index(name, "records", columns)
    op.create_index("ix_records_plate_no", "records", ["plate_no"])
