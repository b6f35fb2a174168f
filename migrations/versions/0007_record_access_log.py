"""the access log of conversation records

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-20 10:00:00.000000

``record_access_log`` says who searched, viewed or exported conversation records
(console/records.py) and when, with the filters used and how many conversations
were shown or written. Retention (console/retention.py) leaves it alone.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        'record_access_log',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=True),
        sa.Column('username', sa.String(length=50), nullable=False),
        sa.Column('action', sa.String(length=10), nullable=False),
        sa.Column('conversation_id', sa.String(length=255), nullable=True),
        sa.Column('filters', sa.JSON(), nullable=False),
        sa.Column('export_format', sa.String(length=4), nullable=True),
        sa.Column('result_count', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['staff_id'], ['staff_users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('record_access_log', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_record_access_log_created_at'), ['created_at'], unique=False
        )
        batch_op.create_index(
            batch_op.f('ix_record_access_log_staff_id'), ['staff_id'], unique=False
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('record_access_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_record_access_log_staff_id'))
        batch_op.drop_index(batch_op.f('ix_record_access_log_created_at'))
    op.drop_table('record_access_log')
