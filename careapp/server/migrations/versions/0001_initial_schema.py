"""Initial schema of the regional backend.

Revision ID: 0001
Revises: -
Create Date: 2026-11-21 02:29:11.142741
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_keys_token_hash")),
    )
    op.create_table(
        "audit_events",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("credential_kind", sa.String(length=20), nullable=False),
        sa.Column("credential_id", sa.String(length=36), nullable=True),
        sa.Column("acting_user_id", sa.String(length=36), nullable=True),
        sa.Column("patient_id", sa.String(length=36), nullable=True),
        sa.Column("resource_type", sa.String(length=40), nullable=True),
        sa.Column("resource_id", sa.String(length=64), nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_at"), ["at"], unique=False)
        batch_op.create_index("ix_audit_events_patient_at", ["patient_id", "at"], unique=False)

    op.create_table(
        "care_flow_definitions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("working_document", sa.Text(), nullable=False),
        sa.Column("working_revision", sa.Integer(), nullable=False),
        sa.Column("live_version", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_flow_definitions")),
    )
    op.create_table(
        "changes",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("resource_type", sa.String(length=40), nullable=False),
        sa.Column("resource_id", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_changes")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_changes_at"), ["at"], unique=False)

    op.create_table(
        "deployment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(length=8), nullable=False),
        sa.Column("environment", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_deployment_singleton")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deployment")),
    )
    op.create_table(
        "feed_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pruned_through", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_feed_state_singleton")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_state")),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("owner", sa.String(length=60), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("sealed_response", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_keys")),
        sa.UniqueConstraint("owner", "key", name="uq_idempotency_keys_owner_key"),
    )
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_idempotency_keys_created_at"), ["created_at"], unique=False)

    op.create_table(
        "identifier_systems",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("uri", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identifier_systems")),
        sa.UniqueConstraint("uri", name=op.f("uq_identifier_systems_uri")),
    )
    op.create_table(
        "physicians",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_physicians")),
        sa.UniqueConstraint("code", name=op.f("uq_physicians_code")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("username", sa.String(length=150), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "workstations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("pairing_code_hash", sa.String(length=64), nullable=True),
        sa.Column("pairing_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("credential_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workstations")),
        sa.UniqueConstraint("credential_hash", name=op.f("uq_workstations_credential_hash")),
        sa.UniqueConstraint("pairing_code_hash", name=op.f("uq_workstations_pairing_code_hash")),
    )
    op.create_table(
        "care_flow_constants",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("definition_id", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("concealed", sa.Boolean(), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("sealed_value", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["definition_id"],
            ["care_flow_definitions.id"],
            name=op.f("fk_care_flow_constants_definition_id_care_flow_definitions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_flow_constants")),
        sa.UniqueConstraint("definition_id", "key", name="uq_constants_definition_key"),
    )
    with op.batch_alter_table("care_flow_constants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_care_flow_constants_definition_id"), ["definition_id"], unique=False
        )

    op.create_table(
        "care_flow_definition_versions",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("definition_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["definition_id"],
            ["care_flow_definitions.id"],
            name=op.f("fk_care_flow_definition_versions_definition_id_care_flow_definitions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_flow_definition_versions")),
        sa.UniqueConstraint("definition_id", "version", name="uq_definition_versions_definition_version"),
    )
    with op.batch_alter_table("care_flow_definition_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_care_flow_definition_versions_definition_id"), ["definition_id"], unique=False
        )

    op.create_table(
        "patients",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("family_name", sa.String(length=200), nullable=False),
        sa.Column("given_name", sa.String(length=200), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("sex", sa.String(length=10), nullable=False),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("address", sa.String(length=500), nullable=True),
        sa.Column("language", sa.String(length=35), nullable=True),
        sa.Column("physician_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["physician_id"], ["physicians.id"], name=op.f("fk_patients_physician_id_physicians")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patients")),
    )
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_patients_physician_id"), ["physician_id"], unique=False)

    op.create_table(
        "care_flows",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("definition_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("current_step", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stop_reason", sa.String(length=500), nullable=True),
        sa.Column("started_by", sa.String(length=100), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["definition_id"],
            ["care_flow_definitions.id"],
            name=op.f("fk_care_flows_definition_id_care_flow_definitions"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_care_flows_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_flows")),
    )
    with op.batch_alter_table("care_flows", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_care_flows_definition_id"), ["definition_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_care_flows_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_care_flows_status"), ["status"], unique=False)

    op.create_table(
        "patient_identifiers",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("system", sa.String(length=500), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_patient_identifiers_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["system"],
            ["identifier_systems.uri"],
            name=op.f("fk_patient_identifiers_system_identifier_systems"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_identifiers")),
        sa.UniqueConstraint("system", "value", name="uq_patient_identifiers_system_value"),
    )
    with op.batch_alter_table("patient_identifiers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_patient_identifiers_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "activities",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("care_flow_id", sa.String(length=36), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("step_index", sa.Integer(), nullable=False),
        sa.Column("step_id", sa.String(length=64), nullable=False),
        sa.Column("activity_key", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("stakeholder", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["care_flow_id"], ["care_flows.id"], name=op.f("fk_activities_care_flow_id_care_flows")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_activities_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activities")),
        sa.UniqueConstraint("care_flow_id", "activity_key", name="uq_activities_flow_key"),
    )
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_activities_care_flow_id"), ["care_flow_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_activities_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_activities_stakeholder"), ["stakeholder"], unique=False)
        batch_op.create_index(batch_op.f("ix_activities_status"), ["status"], unique=False)

    op.create_table(
        "data_point_values",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("care_flow_id", sa.String(length=36), nullable=False),
        sa.Column("data_point_id", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["care_flow_id"], ["care_flows.id"], name=op.f("fk_data_point_values_care_flow_id_care_flows")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_point_values")),
        sa.UniqueConstraint("care_flow_id", "data_point_id", name="uq_data_point_values_flow_dp"),
    )
    with op.batch_alter_table("data_point_values", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_data_point_values_care_flow_id"), ["care_flow_id"], unique=False)

    op.create_table(
        "form_responses",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("activity_id", sa.String(length=36), nullable=False),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["activity_id"], ["activities.id"], name=op.f("fk_form_responses_activity_id_activities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_responses")),
        sa.UniqueConstraint("activity_id", name=op.f("uq_form_responses_activity_id")),
    )


def downgrade() -> None:

    op.drop_table("form_responses")
    with op.batch_alter_table("data_point_values", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_data_point_values_care_flow_id"))

    op.drop_table("data_point_values")
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activities_status"))
        batch_op.drop_index(batch_op.f("ix_activities_stakeholder"))
        batch_op.drop_index(batch_op.f("ix_activities_patient_id"))
        batch_op.drop_index(batch_op.f("ix_activities_care_flow_id"))

    op.drop_table("activities")
    with op.batch_alter_table("patient_identifiers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patient_identifiers_patient_id"))

    op.drop_table("patient_identifiers")
    with op.batch_alter_table("care_flows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_flows_status"))
        batch_op.drop_index(batch_op.f("ix_care_flows_patient_id"))
        batch_op.drop_index(batch_op.f("ix_care_flows_definition_id"))

    op.drop_table("care_flows")
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patients_physician_id"))

    op.drop_table("patients")
    with op.batch_alter_table("care_flow_definition_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_flow_definition_versions_definition_id"))

    op.drop_table("care_flow_definition_versions")
    with op.batch_alter_table("care_flow_constants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_flow_constants_definition_id"))

    op.drop_table("care_flow_constants")
    op.drop_table("workstations")
    op.drop_table("users")
    op.drop_table("physicians")
    op.drop_table("identifier_systems")
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_keys_created_at"))

    op.drop_table("idempotency_keys")
    op.drop_table("feed_state")
    op.drop_table("deployment")
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_changes_at"))

    op.drop_table("changes")
    op.drop_table("care_flow_definitions")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_patient_at")
        batch_op.drop_index(batch_op.f("ix_audit_events_at"))

    op.drop_table("audit_events")
    op.drop_table("api_keys")
