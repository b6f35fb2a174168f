"""restock dates of stock rows and the shop's price protection

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-12 10:00:00.000000

``stock_items.restock_on`` is the date the shop expects more units of a colour
and size (empty: no date known). ``shop_policy.price_protection_days`` is the
价保 window after payment (0: the shop has none; existing shops start with 0)
and ``shop_policy.price_protection_rule`` its conditions in the shop's words.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('stock_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('restock_on', sa.Date(), nullable=True))

    with op.batch_alter_table('shop_policy', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('price_protection_days', sa.Integer(), nullable=False, server_default='0')
        )
        batch_op.add_column(
            sa.Column('price_protection_rule', sa.String(length=300), nullable=True)
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('shop_policy', schema=None) as batch_op:
        batch_op.drop_column('price_protection_rule')
        batch_op.drop_column('price_protection_days')

    with op.batch_alter_table('stock_items', schema=None) as batch_op:
        batch_op.drop_column('restock_on')
