"""a nonce is used once per client: a unique index on authorization codes

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

INDEX = "uq_authorization_codes_client_nonce"


def upgrade() -> None:
    """Apply this revision."""
    # A stand may hold older duplicates (two resumes racing before this index): the oldest
    # code keeps its nonce; codes live 60 s, so the others are long expired.
    op.execute(
        sa.text(
            "UPDATE authorization_codes SET nonce = NULL WHERE nonce IS NOT NULL AND id NOT IN "
            "(SELECT MIN(id) FROM authorization_codes WHERE nonce IS NOT NULL "
            "GROUP BY client_id, nonce)"
        )
    )
    with op.batch_alter_table("authorization_codes", schema=None) as batch_op:
        batch_op.create_index(INDEX, ["client_id", "nonce"], unique=True)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("authorization_codes", schema=None) as batch_op:
        batch_op.drop_index(INDEX)
