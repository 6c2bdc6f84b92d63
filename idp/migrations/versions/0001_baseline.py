"""baseline: the schema as create_all made it before migrations

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "armed_faults",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fault", sa.String(length=60), nullable=False),
        sa.Column("client_id", sa.String(length=100), nullable=True),
        sa.Column("endpoint", sa.String(length=20), nullable=True),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("times", sa.Integer(), nullable=False),
        sa.Column("remaining", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "authorization_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("protocol", sa.String(length=20), nullable=False),
        sa.Column("client_id", sa.String(length=100), nullable=False),
        sa.Column("person_oid", sa.BigInteger(), nullable=False),
        sa.Column("redirect_uri", sa.Text(), nullable=False),
        sa.Column("response_type", sa.String(length=40), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("nonce", sa.Text(), nullable=True),
        sa.Column("state", sa.Text(), nullable=True),
        sa.Column("auth_time", sa.Integer(), nullable=False),
        sa.Column("acr", sa.String(length=100), nullable=True),
        sa.Column("amr", sa.JSON(), nullable=False),
        sa.Column("code_challenge", sa.Text(), nullable=True),
        sa.Column("code_challenge_method", sa.String(length=10), nullable=True),
        sa.Column("session_id", sa.String(length=64), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.Column("used_at", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code_hash"),
    )
    with op.batch_alter_table("authorization_codes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_authorization_codes_client_id"), ["client_id"], unique=False
        )

    op.create_table(
        "clients",
        sa.Column("client_id", sa.String(length=100), nullable=False),
        sa.Column("client_secret", sa.String(length=200), nullable=True),
        sa.Column("client_metadata", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("client_id"),
    )
    op.create_table(
        "esia_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=100), nullable=False),
        sa.Column("person_oid", sa.BigInteger(), nullable=False),
        sa.Column("redirect_uri", sa.Text(), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("sid", sa.String(length=64), nullable=False),
        sa.Column("auth_time", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.Column("used_at", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code_hash"),
    )
    with op.batch_alter_table("esia_codes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_esia_codes_client_id"), ["client_id"], unique=False)

    op.create_table(
        "esia_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=100), nullable=False),
        sa.Column("person_oid", sa.BigInteger(), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("sid", sa.String(length=64), nullable=False),
        sa.Column("auth_time", sa.Integer(), nullable=False),
        sa.Column("access_token_hash", sa.String(length=64), nullable=False),
        sa.Column("refresh_token_hash", sa.String(length=64), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=True),
        sa.Column("issued_at", sa.Float(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.Column("refresh_used_at", sa.Float(), nullable=True),
        sa.Column("revoked_at", sa.Float(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("refresh_token_hash"),
    )
    with op.batch_alter_table("esia_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_esia_tokens_access_token_hash"), ["access_token_hash"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_esia_tokens_client_id"), ["client_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_esia_tokens_code_hash"), ["code_hash"], unique=False)

    op.create_table(
        "fault_effects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("client_id", sa.String(length=100), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("until", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "idp_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("person_oid", sa.BigInteger(), nullable=False),
        sa.Column("auth_time", sa.Integer(), nullable=False),
        sa.Column("amr", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.Column("ended_at", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "interactions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("protocol", sa.String(length=20), nullable=False),
        sa.Column("client_id", sa.String(length=100), nullable=True),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("needs_consent", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.Column("person_oid", sa.BigInteger(), nullable=True),
        sa.Column("password_ok", sa.Boolean(), nullable=False),
        sa.Column("logged_in", sa.Boolean(), nullable=False),
        sa.Column("auth_time", sa.Integer(), nullable=True),
        sa.Column("amr", sa.JSON(), nullable=False),
        sa.Column("session_id", sa.String(length=64), nullable=True),
        sa.Column("consent", sa.String(length=10), nullable=True),
        sa.Column("finished_at", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "persons",
        sa.Column("oid", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("middle_name", sa.String(length=100), nullable=True),
        sa.Column("gender", sa.String(length=1), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("birth_place", sa.String(length=200), nullable=True),
        sa.Column("citizenship", sa.String(length=3), nullable=True),
        sa.Column("snils", sa.String(length=11), nullable=True),
        sa.Column("inn", sa.String(length=12), nullable=True),
        sa.Column("mobile", sa.String(length=12), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("password_hash", sa.String(length=300), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.Column("addresses", sa.JSON(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("oid"),
        sa.UniqueConstraint("email"),
        sa.UniqueConstraint("mobile"),
        sa.UniqueConstraint("snils"),
    )
    op.create_table(
        "rp_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.String(length=32), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("dialect", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("client_id", sa.String(length=100), nullable=True),
        sa.Column("auth_key", sa.String(length=64), nullable=True),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("rp_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rp_events_client_id"), ["client_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_rp_events_request_id"), ["request_id"], unique=False)

    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "sms_challenges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interaction_id", sa.String(length=64), nullable=True),
        sa.Column("person_oid", sa.BigInteger(), nullable=True),
        sa.Column("phone", sa.String(length=12), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.Column("resend_after", sa.Float(), nullable=False),
        sa.Column("used_at", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sms_challenges", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sms_challenges_interaction_id"), ["interaction_id"], unique=False
        )

    op.create_table(
        "sms_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=12), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sms_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sms_messages_phone"), ["phone"], unique=False)

    op.create_table(
        "tokens",
        sa.Column("id", sa.Integer(), nullable=False),
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
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("access_token_hash"),
        sa.UniqueConstraint("refresh_token_hash"),
    )
    with op.batch_alter_table("tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tokens_client_id"), ["client_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tokens_code_hash"), ["code_hash"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tokens_code_hash"))
        batch_op.drop_index(batch_op.f("ix_tokens_client_id"))

    op.drop_table("tokens")
    with op.batch_alter_table("sms_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sms_messages_phone"))

    op.drop_table("sms_messages")
    with op.batch_alter_table("sms_challenges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sms_challenges_interaction_id"))

    op.drop_table("sms_challenges")
    op.drop_table("settings")
    with op.batch_alter_table("rp_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rp_events_request_id"))
        batch_op.drop_index(batch_op.f("ix_rp_events_client_id"))

    op.drop_table("rp_events")
    op.drop_table("persons")
    op.drop_table("interactions")
    op.drop_table("idp_sessions")
    op.drop_table("fault_effects")
    with op.batch_alter_table("esia_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_esia_tokens_code_hash"))
        batch_op.drop_index(batch_op.f("ix_esia_tokens_client_id"))
        batch_op.drop_index(batch_op.f("ix_esia_tokens_access_token_hash"))

    op.drop_table("esia_tokens")
    with op.batch_alter_table("esia_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_esia_codes_client_id"))

    op.drop_table("esia_codes")
    op.drop_table("clients")
    with op.batch_alter_table("authorization_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_authorization_codes_client_id"))

    op.drop_table("authorization_codes")
    op.drop_table("armed_faults")
