"""The shop's lexicon: the words typed answers are read with, and display labels.

``colors`` reads colour words; ``words`` holds the other Chinese words that
understand buyers' typed text; ``labels`` the one table of display names for
codes (statuses, reasons, foot shapes ...). All are re-exported here, so
``from shop.lexicon import X`` works.
"""

from shop.lexicon.colors import *  # noqa: F403
from shop.lexicon.labels import *  # noqa: F403
from shop.lexicon.words import *  # noqa: F403
