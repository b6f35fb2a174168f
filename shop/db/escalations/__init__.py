"""The human-agent queue: who is online, claims, assignment, resolution.

Used by the assistant (``actions/handoff.py``) and by the console (``console/``).
Every function takes the session as a keyword argument and never commits.
``queue`` holds the open escalations and the buyers' presence (已离开), ``presence``
the agents' switch (在线 / 离开 / 离线), ``assignment`` claims, automatic
assignment, release and resolution; the package re-exports their public names.
"""

from shop.db.escalations.assignment import (
    OUTCOMES,
    assigned_to,
    auto_assign,
    claim,
    lock_staff,
    poll,
    record_first_reply,
    release,
    resolve,
)
from shop.db.escalations.presence import (
    ONLINE_WINDOW,
    PRESENCES,
    agents,
    heartbeat,
    is_agent,
    is_online,
    online_agents,
    set_presence,
)
from shop.db.escalations.queue import (
    BUYER_LEFT_AFTER,
    OPEN_STATUSES,
    QUEUE_LIMIT,
    Queue,
    QueueError,
    buyer_left,
    buyer_present,
    buyer_seen,
    list_queue,
    open_counts,
    open_escalation,
    queue_position,
    touch_buyer,
)

__all__ = [
    "BUYER_LEFT_AFTER",
    "ONLINE_WINDOW",
    "OPEN_STATUSES",
    "OUTCOMES",
    "PRESENCES",
    "QUEUE_LIMIT",
    "Queue",
    "QueueError",
    "agents",
    "assigned_to",
    "auto_assign",
    "buyer_left",
    "buyer_present",
    "buyer_seen",
    "claim",
    "heartbeat",
    "is_agent",
    "is_online",
    "list_queue",
    "lock_staff",
    "online_agents",
    "open_counts",
    "open_escalation",
    "poll",
    "queue_position",
    "record_first_reply",
    "release",
    "resolve",
    "set_presence",
    "touch_buyer",
]
