"""Identifier systems get a kind: one_per_patient or many_per_patient.

Patients were matched on any shared identifier, so two hospital patients sharing a visit
number became one. Now only a one-per-patient system identifies. Existing systems become
many_per_patient (the safe kind: a push then refuses rather than merges), except those known to
name a person: the demo hospital's patient id and national number, and every hospital
connection's patient id system (PID-3 under the hospital's own authority, one per patient).
An admin sets any other with PATCH /v1/identifier-systems/{id}.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 03:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# The demo set's (careapp.domain.identifiers), written out: a migration never changes later.
_PERSON_SYSTEMS = ("urn:careapp:demo-hospital:patient-id", "urn:careapp:demo:national-number")


def upgrade() -> None:
    with op.batch_alter_table("identifier_systems") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(length=20), nullable=False, server_default="many_per_patient")
        )
    systems = sa.table("identifier_systems", sa.column("uri", sa.String), sa.column("kind", sa.String))
    connections = sa.table("hospital_connections", sa.column("patient_id_system", sa.String))
    op.execute(
        systems.update()
        .where(
            systems.c.uri.in_(_PERSON_SYSTEMS)
            | systems.c.uri.in_(sa.select(connections.c.patient_id_system).scalar_subquery())
        )
        .values(kind="one_per_patient")
    )


def downgrade() -> None:
    with op.batch_alter_table("identifier_systems") as batch:
        batch.drop_column("kind")
