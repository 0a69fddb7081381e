"""Care flows that run over time: step runs, timers the scheduler fires, alerts; activities per round.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 23:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "care_flow_steps",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("care_flow_id", sa.String(length=36), nullable=False),
        sa.Column("step_index", sa.Integer(), nullable=False),
        sa.Column("step_id", sa.String(length=64), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reached_from", sa.String(length=64), nullable=False),
        sa.Column("due_at", _UTC, nullable=True),
        sa.Column("opened_at", _UTC, nullable=True),
        sa.Column("closed_at", _UTC, nullable=True),
        sa.Column("created_at", _UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["care_flow_id"], ["care_flows.id"], name=op.f("fk_care_flow_steps_care_flow_id_care_flows")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_flow_steps")),
    )
    op.create_index("ix_care_flow_steps_flow_step", "care_flow_steps", ["care_flow_id", "step_id"])

    op.create_table(
        "care_flow_timers",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("care_flow_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("target_id", sa.String(length=36), nullable=False),
        sa.Column("due_at", _UTC, nullable=False),
        sa.Column("fired_at", _UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["care_flow_id"], ["care_flows.id"], name=op.f("fk_care_flow_timers_care_flow_id_care_flows")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_flow_timers")),
    )
    op.create_index(op.f("ix_care_flow_timers_care_flow_id"), "care_flow_timers", ["care_flow_id"])
    op.create_index(
        "ix_care_flow_timers_due",
        "care_flow_timers",
        ["due_at"],
        sqlite_where=sa.text("fired_at IS NULL"),
        postgresql_where=sa.text("fired_at IS NULL"),
    )

    op.create_table(
        "care_flow_alerts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("care_flow_id", sa.String(length=36), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("alert_key", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("raised_at", _UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["care_flow_id"], ["care_flows.id"], name=op.f("fk_care_flow_alerts_care_flow_id_care_flows")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_care_flow_alerts_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_flow_alerts")),
    )
    op.create_index(op.f("ix_care_flow_alerts_care_flow_id"), "care_flow_alerts", ["care_flow_id"])
    op.create_index(op.f("ix_care_flow_alerts_patient_id"), "care_flow_alerts", ["patient_id"])

    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("round", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("step_run_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("due_at", _UTC, nullable=True))
        batch_op.drop_constraint("uq_activities_flow_key", type_="unique")
        batch_op.create_unique_constraint(
            "uq_activities_flow_key_round", ["care_flow_id", "activity_key", "round"]
        )


def downgrade() -> None:
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_constraint("uq_activities_flow_key_round", type_="unique")
        batch_op.create_unique_constraint("uq_activities_flow_key", ["care_flow_id", "activity_key"])
        batch_op.drop_column("due_at")
        batch_op.drop_column("step_run_id")
        batch_op.drop_column("round")
    op.drop_table("care_flow_alerts")
    op.drop_table("care_flow_timers")
    op.drop_table("care_flow_steps")
