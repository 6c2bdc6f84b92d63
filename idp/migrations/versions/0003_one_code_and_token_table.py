"""one code table and one token table for both dialects (ESIA rows: protocol = 'esia')

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _tokens(metadata: sa.MetaData) -> sa.Table:
    """The tokens table with a non-unique access_token_hash (ESIA tokens can repeat)."""
    return sa.Table(
        "tokens",
        metadata,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("protocol", sa.String(length=20), nullable=False),
        sa.Column("client_id", sa.String(length=100), nullable=False),
        sa.Column("person_oid", sa.BigInteger(), nullable=True),
        sa.Column("token_type", sa.String(length=20), nullable=False),
        sa.Column("access_token_hash", sa.String(length=64), nullable=False),
        sa.Column("refresh_token_hash", sa.String(length=64), nullable=True),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("issued_at", sa.Float(), nullable=False),
        sa.Column("expires_in", sa.Integer(), nullable=False),
        sa.Column("access_revoked_at", sa.Float(), nullable=True),
        sa.Column("refresh_revoked_at", sa.Float(), nullable=True),
        sa.Column("code_hash", sa.String(length=64), nullable=True),
        sa.Column("auth_time", sa.Integer(), nullable=True),
        sa.Column("acr", sa.String(length=100), nullable=True),
        sa.Column("amr", sa.JSON(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.UniqueConstraint("refresh_token_hash"),
        sa.Index("ix_tokens_client_id", "client_id"),
        sa.Index("ix_tokens_code_hash", "code_hash"),
    )


def _copy_esia_rows(bind) -> None:
    old = sa.MetaData()
    esia_codes = sa.Table("esia_codes", old, autoload_with=bind)
    esia_tokens = sa.Table("esia_tokens", old, autoload_with=bind)
    codes = sa.Table("authorization_codes", old, autoload_with=bind)
    tokens = sa.Table("tokens", old, autoload_with=bind)
    for row in bind.execute(sa.select(esia_codes)).mappings():
        bind.execute(
            codes.insert().values(
                code_hash=row["code_hash"], protocol="esia", client_id=row["client_id"],
                person_oid=row["person_oid"], redirect_uri=row["redirect_uri"],
                response_type="code", scope=" ".join(row["scopes"] or []),
                auth_time=row["auth_time"], amr=[], extra={"sid": row["sid"]},
                created_at=row["created_at"], expires_at=row["expires_at"],
                used_at=row["used_at"],
            )
        )  # fmt: skip
    for row in bind.execute(sa.select(esia_tokens)).mappings():
        revoked = row["revoked_at"]
        bind.execute(
            tokens.insert().values(
                protocol="esia", client_id=row["client_id"], person_oid=row["person_oid"],
                token_type="Bearer", access_token_hash=row["access_token_hash"],
                refresh_token_hash=row["refresh_token_hash"],
                scope=" ".join(row["scopes"] or []), issued_at=row["issued_at"],
                expires_in=int(row["expires_at"] - row["issued_at"]),
                access_revoked_at=revoked, refresh_revoked_at=row["refresh_used_at"] or revoked,
                code_hash=row["code_hash"], auth_time=row["auth_time"], amr=[],
                extra={**(row["extra"] or {}), "sid": row["sid"]},
            )
        )  # fmt: skip


def upgrade() -> None:
    """Apply this revision."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.drop_constraint("tokens_access_token_hash_key", "tokens", type_="unique")
    else:  # SQLite cannot drop a constraint: the table is rebuilt without it
        with op.batch_alter_table("tokens", copy_from=_tokens(sa.MetaData()), recreate="always"):
            pass
    op.create_index("ix_tokens_access_token_hash", "tokens", ["access_token_hash"])
    _copy_esia_rows(bind)
    op.drop_table("esia_tokens")
    op.drop_table("esia_codes")


def downgrade() -> None:
    """Not supported: the ESIA rows cannot be told apart again once merged."""
    raise RuntimeError("downgrade below 0003 is not supported")
