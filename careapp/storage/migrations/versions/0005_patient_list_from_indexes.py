"""the patient list reads its rows from two covering indexes

The empty list (the patients changed last) reads ``ix_patients_recent`` backwards, which holds
every column a row shows; each row's identifiers come from ``ix_identifiers_of_patient`` alone.
They replace the plain indexes on ``patients.updated_at`` and ``patient_identifiers.patient_id``,
whose every use they serve.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_patients_recent",
        "patients",
        ["updated_at", "id", "family_name", "given_name", "birth_date", "sex"],
    )
    op.drop_index("ix_patients_updated_at", "patients")
    op.create_index(
        "ix_identifiers_of_patient", "patient_identifiers", ["patient_id", "id", "system", "value"]
    )
    op.drop_index("ix_patient_identifiers_patient_id", "patient_identifiers")


def downgrade() -> None:
    op.create_index("ix_patient_identifiers_patient_id", "patient_identifiers", ["patient_id"])
    op.drop_index("ix_identifiers_of_patient", "patient_identifiers")
    op.create_index("ix_patients_updated_at", "patients", ["updated_at"])
    op.drop_index("ix_patients_recent", "patients")
