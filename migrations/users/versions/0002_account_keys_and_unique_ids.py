"""account keys and ids never reused

Every user gets a random ``account_key`` that their tokens and sessions carry,
so nothing issued to a deleted account can ever be accepted for a later one.
On SQLite the users table is rebuilt with AUTOINCREMENT, so the id of a deleted
user is never handed out again (PostgreSQL's sequences never go back). Rows,
ids and follows are kept.

Revision ID: 0002
Revises: 0001
"""

import secrets
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: Union[str, Sequence[str], None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("users", sa.Column("account_key", sa.String(length=32), nullable=True))
    connection = op.get_bind()
    user_ids = connection.execute(sa.text("SELECT id FROM users")).scalars().all()
    for user_id in user_ids:
        connection.execute(
            sa.text("UPDATE users SET account_key = :key WHERE id = :id"),
            {"key": secrets.token_hex(16), "id": user_id},
        )
    if connection.dialect.name == "sqlite":
        # Rebuilding copies every row with its id; sqlite_sequence then starts after the
        # highest id. Foreign keys are off on the migration's connection, so the follows
        # that refer to users survive the swap of tables.
        with op.batch_alter_table(
            "users", recreate="always", table_kwargs={"sqlite_autoincrement": True}
        ) as batch_op:
            batch_op.alter_column("account_key", existing_type=sa.String(length=32), nullable=False)
    else:
        op.alter_column("users", "account_key", existing_type=sa.String(length=32), nullable=False)


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        with op.batch_alter_table(
            "users", recreate="always", table_kwargs={"sqlite_autoincrement": False}
        ) as batch_op:
            batch_op.drop_column("account_key")
    else:
        op.drop_column("users", "account_key")
