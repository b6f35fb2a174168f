"""Input channels of the shop assistant beyond Rasa's built-in ones.

``channels.socketio.ShopSocketIOInput`` serves the web widget (``docs/widget-channel.md``),
``channels.rest.ShopRestInput`` the REST channel, ``channels.metrics.MetricsEndpoint``
serves ``GET /metrics``. Rasa imports this package first (for ``credentials.yml``),
so importing it applies the Rasa extensions (``rasa_ext.install``: version check,
log masking and the patches).
"""

from rasa_ext import install as _install_rasa_ext

_install_rasa_ext()
