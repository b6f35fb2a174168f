"""Input channels of the shop assistant beyond Rasa's built-in ones.

``channels.socketio.ShopSocketIOInput`` serves the web widget (``docs/widget-channel.md``),
``channels.rest.ShopRestInput`` the REST channel, ``channels.metrics.MetricsEndpoint``
serves ``GET /metrics``. Importing the package (Rasa does, for ``credentials.yml``)
masks personal data in the Rasa server's logs and makes a failed custom action
answer with an apology (``channels/resilience.py``), makes the HTTP API refuse
admin JWTs without ``exp`` (``channels/api_auth.py``), answers a buyer who writes
while queued for a person (``channels/handoff_wait.py``) and removes a profiled
hot spot (``channels/speedups.py``).
"""

from actions.log_masking import install as _install_log_masking
from channels.api_auth import install as _install_api_auth
from channels.handoff_wait import install as _install_handoff_wait
from channels.long_conversations import install as _install_long_conversations
from channels.resilience import install as _install_resilience
from channels.speedups import install as _install_speedups

_install_log_masking()
_install_resilience()
_install_api_auth()
_install_handoff_wait()
_install_speedups()
_install_long_conversations()
