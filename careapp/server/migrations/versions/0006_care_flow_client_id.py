"""Care flows: the client's own id (a start idempotent beyond the idempotency keys' retention)
and the physician the clinician chose.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 23:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("care_flows") as batch_op:
        batch_op.add_column(sa.Column("client_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("physician_id", sa.String(length=36), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_care_flows_client_id"), ["client_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_care_flows_physician_id_physicians"), "physicians", ["physician_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("care_flows") as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_care_flows_physician_id_physicians"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_care_flows_client_id"), type_="unique")
        batch_op.drop_column("physician_id")
        batch_op.drop_column("client_id")
