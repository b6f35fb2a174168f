"""Custom actions of the shoe-shop assistant, one module per business area."""

from actions.event_cache import install as _install_event_cache
from actions.server import install as _install_server_hooks
from shop.masking import install as _install_log_masking

# Phone numbers, addresses and tokens are masked in every log of this process.
_install_log_masking()
# The action server keeps each conversation's events, so Rasa sends only new ones.
_install_event_cache()
# The action server refuses insecure settings, serves /metrics, counts and traces errors.
_install_server_hooks()
