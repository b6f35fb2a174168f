"""The shop's lexicon: the words typed answers are read with, and display labels.

By area: ``colors`` reads colour words; ``orders`` the words that point at an
order; ``products`` the words about the shoes; ``after_sale`` parcels, complaints
and the queue; ``words`` the rest (reasons, confirmations, addresses, policies,
second questions); ``labels`` is the one table of display names for codes
(statuses, reasons, foot shapes ...).
All are re-exported here, so ``from shop.lexicon import X`` works.
"""

from shop.lexicon.after_sale import *  # noqa: F403
from shop.lexicon.colors import *  # noqa: F403
from shop.lexicon.labels import *  # noqa: F403
from shop.lexicon.orders import *  # noqa: F403
from shop.lexicon.products import *  # noqa: F403
from shop.lexicon.words import *  # noqa: F403
