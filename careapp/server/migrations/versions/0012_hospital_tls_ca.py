"""A hospital connection names the certificates it trusts for MLLP over TLS.

Hospitals sign their interface engines' certificates with their own CA (or self-sign them): the
system trust store alone refuses them. Empty: the system's trust store, as before.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 06:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("hospital_connections") as batch:
        batch.add_column(sa.Column("mllp_tls_ca", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("hospital_connections") as batch:
        batch.drop_column("mllp_tls_ca")
