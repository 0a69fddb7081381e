"""the clinicians' side of care flows: work list and timeline

Activities keep what the work list and the timeline show (step, opening and due times, who did
it, the form and the answers, a completion still queued here); care flows keep their values,
scores and scheduled steps; alerts and the history of data point values get tables of their own.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_ACTIVITY_COLUMNS = (
    ("activity_key", sa.String(length=64)),
    ("step_id", sa.String(length=64)),
    ("step_title", sa.String(length=200)),
    ("opened_at", sa.DateTime()),
    ("due_at", sa.DateTime()),
    ("completed_at", sa.DateTime()),
    ("completed_by", sa.String(length=100)),
    ("content", sa.JSON()),
    ("answers", sa.JSON()),
    ("pending", sa.String(length=32)),
)
_FLOW_COLUMNS = (
    ("data_points", sa.JSON()),
    ("scores", sa.JSON()),
    ("scheduled_steps", sa.JSON()),
    ("stop_reason", sa.Text()),
    ("started_by", sa.String(length=120)),
)


def upgrade() -> None:
    with op.batch_alter_table("activities") as batch:
        for name, kind in _ACTIVITY_COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))
        batch.create_index("ix_activities_open", ["stakeholder", "status"], unique=False)
    with op.batch_alter_table("care_flows") as batch:
        for name, kind in _FLOW_COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))
    op.create_table(
        "care_flow_alerts",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("care_flow_id", sa.Integer(), nullable=False),
        sa.Column("alert_key", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("text", sa.JSON(), nullable=False),
        sa.Column("raised_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["care_flow_id"], ["care_flows.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_care_flow_alerts_care_flow_id", "care_flow_alerts", ["care_flow_id"])
    op.create_table(
        "data_point_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("care_flow_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["care_flow_id"], ["care_flows.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_data_point_history_flow_key", "data_point_history", ["care_flow_id", "key"])


def downgrade() -> None:
    op.drop_table("data_point_history")
    op.drop_table("care_flow_alerts")
    with op.batch_alter_table("care_flows") as batch:
        for name, _kind in _FLOW_COLUMNS:
            batch.drop_column(name)
    with op.batch_alter_table("activities") as batch:
        batch.drop_index("ix_activities_open")
        for name, _column_type in _ACTIVITY_COLUMNS:
            batch.drop_column(name)
