"""agent presence and when a queued buyer last wrote

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08 10:00:00.000000

``staff_users.presence`` (online / away / offline) is the agent's own switch;
existing accounts start offline, so nobody is assigned work until they say so.
``escalations.buyer_seen_at`` is the buyer's latest message while queued; open
escalations start from their creation time.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('presence', sa.String(length=10), nullable=False, server_default='offline')
        )

    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('buyer_seen_at', sa.DateTime(), nullable=True))

    op.execute("UPDATE escalations SET buyer_seen_at = created_at WHERE status != 'resolved'")


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('escalations', schema=None) as batch_op:
        batch_op.drop_column('buyer_seen_at')

    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.drop_column('presence')
