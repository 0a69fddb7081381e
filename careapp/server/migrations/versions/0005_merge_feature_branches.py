"""Merge the hosted pages, webhooks and promotion branches: one head for the next migration.

Revision ID: 0005
Revises: 0002, 0003, 0004
Create Date: 2026-11-21 12:00:00
"""

revision = "0005"
down_revision = ("0002", "0003", "0004")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # a merge point only: the three branches touch different tables


def downgrade() -> None:
    pass
