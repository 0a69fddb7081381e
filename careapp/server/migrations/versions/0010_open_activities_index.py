"""A care flow's open activities by one index (care flow, status, stakeholder).

Counting a care flow's pending activities (every hosted pages session does) used the status
index alone on SQLite, walking every open activity of the deployment. The new index leads with
care_flow_id, so it also replaces the single-column care_flow_id index.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 02:10:00
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_activities_flow_status_stakeholder", "activities", ["care_flow_id", "status", "stakeholder"]
    )
    op.drop_index("ix_activities_care_flow_id", table_name="activities")


def downgrade() -> None:
    op.create_index("ix_activities_care_flow_id", "activities", ["care_flow_id"])
    op.drop_index("ix_activities_flow_status_stakeholder", table_name="activities")
