"""one current signing key per key type: a partial unique index; rotations are the IdP's own

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

INDEX = "uq_signing_keys_one_current"
CURRENT = sa.text("retired_at IS NULL")


def upgrade() -> None:
    """Apply this revision."""
    # Workers signed with the newest current key of a type: any older current one retires.
    op.execute(
        sa.text(
            "UPDATE signing_keys SET retired_at = created_at WHERE retired_at IS NULL AND "
            "created_at < (SELECT MAX(newer.created_at) FROM signing_keys newer "
            "WHERE newer.kty = signing_keys.kty AND newer.retired_at IS NULL)"
        )
    )
    # A rotation used to be a fault effect; it is the signing_keys table's now. A stand that
    # had one signs with its start-up key again, as after a reset.
    op.execute(sa.text("DELETE FROM fault_effects WHERE kind = 'rotated_key'"))
    with op.batch_alter_table("signing_keys", schema=None) as batch_op:
        batch_op.create_index(
            INDEX, ["kty"], unique=True, sqlite_where=CURRENT, postgresql_where=CURRENT
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("signing_keys", schema=None) as batch_op:
        batch_op.drop_index(INDEX)
