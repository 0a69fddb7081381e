"""Care flow promotions between environments, and API-call activity delivery state.

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-22 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "care_flow_promotions",
        sa.Column("id", sa.String(length=48), nullable=False),
        sa.Column("promotion_id", sa.String(length=36), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("definition_id", sa.String(length=64), nullable=False),
        sa.Column("peer_region", sa.String(length=8), nullable=False),
        sa.Column("peer_environment", sa.String(length=16), nullable=False),
        sa.Column("peer_url", sa.String(length=500), nullable=True),
        sa.Column("source_revision", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=80), nullable=False),
        sa.Column("working_revision", sa.Integer(), nullable=True),
        sa.Column("working_hash", sa.String(length=80), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["definition_id"],
            ["care_flow_definitions.id"],
            name=op.f("fk_care_flow_promotions_definition_id_care_flow_definitions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_flow_promotions")),
    )
    with op.batch_alter_table("care_flow_promotions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_care_flow_promotions_definition_at", ["definition_id", "direction", "at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_care_flow_promotions_promotion_id"), ["promotion_id"], unique=False
        )

    op.create_table(
        "api_call_runs",
        sa.Column("activity_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=100), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"], ["activities.id"], name=op.f("fk_api_call_runs_activity_id_activities")
        ),
        sa.PrimaryKeyConstraint("activity_id", name=op.f("pk_api_call_runs")),
    )
    with op.batch_alter_table("api_call_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_call_runs_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_api_call_runs_next_attempt_at"), ["next_attempt_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("api_call_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_call_runs_next_attempt_at"))
        batch_op.drop_index(batch_op.f("ix_api_call_runs_status"))
    op.drop_table("api_call_runs")
    with op.batch_alter_table("care_flow_promotions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_flow_promotions_promotion_id"))
        batch_op.drop_index("ix_care_flow_promotions_definition_at")
    op.drop_table("care_flow_promotions")
