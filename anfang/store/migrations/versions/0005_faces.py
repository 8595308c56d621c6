"""Face library: watchlists, people, enrolled photos with embeddings.

Revision ID: 0005_faces
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_faces"
down_revision = "0001"
branch_labels = ("faces",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "face_watchlists",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("created", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_face_watchlists")),
        sa.UniqueConstraint("name", name=op.f("uq_face_watchlists_name")),
    )
    op.create_table(
        "face_people",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("watchlist_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("note", sa.String(512), nullable=False),
        sa.Column("created", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["watchlist_id"],
            ["face_watchlists.id"],
            name=op.f("fk_face_people_watchlist_id_face_watchlists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_face_people")),
    )
    op.create_index(op.f("ix_face_people_watchlist_id"), "face_people", ["watchlist_id"])
    op.create_table(
        "face_photos",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(512), nullable=False),
        sa.Column("embedding", sa.LargeBinary(), nullable=False),
        sa.Column("quality", sa.Double(), nullable=False),
        sa.Column("created", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["face_people.id"], name=op.f("fk_face_photos_person_id_face_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_face_photos")),
    )
    op.create_index(op.f("ix_face_photos_person_id"), "face_photos", ["person_id"])


def downgrade() -> None:
    op.drop_table("face_photos")
    op.drop_table("face_people")
    op.drop_table("face_watchlists")
