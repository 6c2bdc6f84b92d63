"""attempt counters; logins bound to their browser

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "idp_counters",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("window_start", sa.Float(), nullable=False),
        sa.Column("blocked_until", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("idp_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("browser_hash", sa.String(length=64), nullable=True))

    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("browser_hash", sa.String(length=64), nullable=True))

    # a lockout in force carries over to the counters (gosuslugi_sandbox.idp.limits:
    # password:person:<oid>)
    op.execute(
        "INSERT INTO idp_counters (key, count, window_start, blocked_until) "
        "SELECT 'password:person:' || CAST(oid AS VARCHAR(20)), 0, locked_until, locked_until "
        "FROM persons WHERE locked_until IS NOT NULL"
    )
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_column("failed_logins")
        batch_op.drop_column("locked_until")


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locked_until", sa.FLOAT(), nullable=True))
        batch_op.add_column(
            sa.Column("failed_logins", sa.INTEGER(), nullable=False, server_default="0")
        )

    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.drop_column("browser_hash")

    with op.batch_alter_table("idp_sessions", schema=None) as batch_op:
        batch_op.drop_column("browser_hash")

    op.drop_table("idp_counters")
