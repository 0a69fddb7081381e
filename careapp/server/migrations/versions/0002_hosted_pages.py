"""Hosted pages: static links, sessions, enrollment links.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 03:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hosted_pages_links",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("care_flow_id", sa.String(length=36), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("lookup", sa.String(length=64), nullable=False),
        sa.Column("sealed_token", sa.Text(), nullable=False),
        sa.Column("key_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["care_flow_id"], ["care_flows.id"], name=op.f("fk_hosted_pages_links_care_flow_id_care_flows")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_hosted_pages_links_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hosted_pages_links")),
        sa.UniqueConstraint("lookup", name=op.f("uq_hosted_pages_links_lookup")),
    )
    with op.batch_alter_table("hosted_pages_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_hosted_pages_links_care_flow_id"), ["care_flow_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_hosted_pages_links_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index(
            "uq_hosted_pages_links_live",
            ["care_flow_id"],
            unique=True,
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        )

    op.create_table(
        "hosted_pages_sessions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("care_flow_id", sa.String(length=36), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("definition_id", sa.String(length=64), nullable=False),
        sa.Column("stakeholder", sa.String(length=20), nullable=False),
        sa.Column("origin", sa.String(length=12), nullable=False),
        sa.Column("link_id", sa.String(length=36), nullable=True),
        sa.Column("lookup", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("success_url", sa.String(length=2000), nullable=True),
        sa.Column("cancel_url", sa.String(length=2000), nullable=True),
        sa.Column("ttl_seconds", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("birth_date_verified", sa.Boolean(), nullable=False),
        sa.Column("birth_date_failures", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["care_flow_id"],
            ["care_flows.id"],
            name=op.f("fk_hosted_pages_sessions_care_flow_id_care_flows"),
        ),
        sa.ForeignKeyConstraint(
            ["link_id"],
            ["hosted_pages_links.id"],
            name=op.f("fk_hosted_pages_sessions_link_id_hosted_pages_links"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_hosted_pages_sessions_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hosted_pages_sessions")),
        sa.UniqueConstraint("lookup", name=op.f("uq_hosted_pages_sessions_lookup")),
    )
    with op.batch_alter_table("hosted_pages_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_hosted_pages_sessions_care_flow_id"), ["care_flow_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_hosted_pages_sessions_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index(
            "ix_hosted_pages_sessions_status_expires", ["status", "expires_at"], unique=False
        )

    op.create_table(
        "enrollment_links",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("definition_id", sa.String(length=64), nullable=False),
        sa.Column("bound_to_patient", sa.Boolean(), nullable=False),
        sa.Column("key_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["definition_id"],
            ["care_flow_definitions.id"],
            name=op.f("fk_enrollment_links_definition_id_care_flow_definitions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrollment_links")),
    )
    with op.batch_alter_table("enrollment_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enrollment_links_definition_id"), ["definition_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("enrollment_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enrollment_links_definition_id"))
    op.drop_table("enrollment_links")
    with op.batch_alter_table("hosted_pages_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_hosted_pages_sessions_status_expires")
        batch_op.drop_index(batch_op.f("ix_hosted_pages_sessions_patient_id"))
        batch_op.drop_index(batch_op.f("ix_hosted_pages_sessions_care_flow_id"))
    op.drop_table("hosted_pages_sessions")
    with op.batch_alter_table("hosted_pages_links", schema=None) as batch_op:
        batch_op.drop_index("uq_hosted_pages_links_live")
        batch_op.drop_index(batch_op.f("ix_hosted_pages_links_patient_id"))
        batch_op.drop_index(batch_op.f("ix_hosted_pages_links_care_flow_id"))
    op.drop_table("hosted_pages_links")
