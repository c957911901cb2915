"""Events dispatch publishes (吹哨报到). Dispatch's engineer extends this module.

Every order event carries `issue_id` (None for orders from deliberation or made
by hand) so intake can move the issue along.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from services.common.contracts.envelope import event_payload
from services.common.contracts.workflow import Level


class OrderRef(BaseModel):
    order_id: str
    issue_id: str | None = None
    community_id: str
    level: Level


@event_payload("order.created")
class OrderCreated(OrderRef):
    grid_id: str | None = None
    response_due_at: datetime
    resolution_due_at: datetime


@event_payload("order.claimed")
class OrderClaimed(OrderRef):
    responder_id: str


@event_payload("order.acknowledged")
class OrderAcknowledged(OrderRef):
    """The responder answered (响应) before the response deadline: work is in progress."""

    responder_id: str


@event_payload("order.escalated")
class OrderEscalated(OrderRef):
    from_level: Level
    reason: str


@event_payload("order.resolved")
class OrderResolved(OrderRef):
    """The responder submitted a result; the owning level has yet to confirm it."""

    responder_id: str
    result: str


@event_payload("order.confirmed")
class OrderConfirmed(OrderRef):
    """The owning level accepted the result: the issue is resolved (事不完、人不撤 ends here)."""

    result: str


@event_payload("order.returned")
class OrderReturned(OrderRef):
    """The owning level rejected the result; work continues."""

    reason: str
