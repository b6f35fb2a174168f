"""The shop's lexicon: the words typed answers are read with, and display labels.

``words`` holds the Chinese words that understand buyers' typed text;
``labels`` the one table of display names for codes (statuses, reasons, foot
shapes ...). Both are re-exported here, so ``from shop.lexicon import X`` works.
"""

from shop.lexicon.labels import *  # noqa: F403
from shop.lexicon.words import *  # noqa: F403
