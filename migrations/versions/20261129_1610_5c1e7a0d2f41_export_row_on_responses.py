"""responses.export_row: each response's answers as one export row (exports read one table)

Existing responses are filled in from their answers (app.surveys.wide.backfill).

Revision ID: 5c1e7a0d2f41
Revises: 6c5ada284a7a
Create Date: 2026-11-29 16:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "5c1e7a0d2f41"
down_revision = "6c5ada284a7a"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("responses", sa.Column("export_row", sa.Text(), nullable=True))
    from app.surveys.wide import backfill

    backfill(op.get_bind())


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite >= 3.35): batch mode would copy and drop `responses`, and with
    # foreign keys on, dropping it cascades to every answer.
    op.drop_column("responses", "export_row")
