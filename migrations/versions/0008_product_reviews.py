"""product reviews

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-27 10:00:00.000000

``product_reviews`` holds buyers' reviews of a product: ``rating`` 1-5, ``text``,
the ``size`` bought, the ``fit`` felt (small / true / large), ``reviewed_at``, a
masked ``nickname``, optional links to the ``order`` and ``buyer``, and where it
came from (``source``: ``import`` from the shop file, ``chat`` given to the
assistant after delivery, with its ``conversation_id``).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "product_reviews",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("product_id", sa.String(length=32), nullable=False),
        sa.Column("order_id", sa.String(length=32), nullable=True),
        sa.Column("buyer_id", sa.String(length=32), nullable=True),
        sa.Column("nickname", sa.String(length=50), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("size", sa.Float(), nullable=True),
        sa.Column("fit", sa.String(length=10), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("conversation_id", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(["buyer_id"], ["buyers.id"]),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"]),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("product_reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_product_reviews_order_id"), ["order_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_product_reviews_product_id"), ["product_id"], unique=False
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("product_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_product_reviews_product_id"))
        batch_op.drop_index(batch_op.f("ix_product_reviews_order_id"))
    op.drop_table("product_reviews")
