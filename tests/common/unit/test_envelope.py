from __future__ import annotations

import pytest
from nameko.exceptions import deserialize, serialize
from pydantic import BaseModel, ValidationError

from services.common.caller import Caller, Role
from services.common.contracts import Envelope, event_payload, new_event
from services.common.errors import DomainError, NotFound


@event_payload("lamp.repaired")
class LampRepaired(BaseModel):
    lamp_id: str
    hours: float


ACTOR = Caller(user_id="u1", role=Role.grid_worker, district_id="d1", request_id="req-7")


def test_an_event_carries_the_callers_request_id_and_identity():
    event = new_event(LampRepaired(lamp_id="L1", hours=2), ACTOR, "c1")
    assert event.type == "lamp.repaired" and event.version == 1
    assert event.correlation_id == "req-7" and event.actor.user_id == "u1"
    assert event.community_id == "c1" and len(event.id) == 32


def test_an_envelope_round_trips_through_its_message_form():
    event = new_event(LampRepaired(lamp_id="L1", hours=2), ACTOR, "c1")
    again = Envelope.model_validate(event.to_message())
    assert again == event
    assert again.parsed() == LampRepaired(lamp_id="L1", hours=2)


def test_an_unknown_event_type_is_refused():
    message = new_event(LampRepaired(lamp_id="L1", hours=2), ACTOR, "c1").to_message()
    with pytest.raises(ValidationError, match="unknown event type"):
        Envelope.model_validate(message | {"type": "lamp.exploded"})


def test_a_payload_that_breaks_its_contract_is_refused():
    message = new_event(LampRepaired(lamp_id="L1", hours=2), ACTOR, "c1").to_message()
    with pytest.raises(ValidationError):
        Envelope.model_validate(message | {"payload": {"lamp_id": "L1", "hours": "soon"}})


def test_one_event_type_cannot_have_two_contracts():
    with pytest.raises(ValueError, match="registered twice"):
        @event_payload("lamp.repaired")
        class Other(BaseModel):
            x: int


def test_typed_errors_cross_rpc_as_themselves():
    error = NotFound("no such lamp", {"lamp_id": "unknown"})
    again = deserialize(serialize(error))
    assert isinstance(again, NotFound) and isinstance(again, DomainError)
    assert (again.status, again.code, again.fields) == (404, "not_found", {"lamp_id": "unknown"})


def test_field_errors_name_nested_and_cross_field_faults():
    from services.common.contracts.workflow import Location
    from services.common.errors import field_errors

    class Report(BaseModel):
        where: Location

    with pytest.raises(ValidationError) as raised:
        Report.model_validate({"where": {"lat": 91, "lng": 1}})
    assert set(field_errors(raised.value.errors())) == {"where.lat"}
    named = [{"loc": (), "msg": "Value error, grid_id: required for role grid_worker",
              "type": "value_error"}]
    assert field_errors(named) == {"grid_id": "required for role grid_worker"}


def test_a_stale_write_keeps_its_message_across_rpc():
    from services.common.store import StaleWrite

    error = StaleWrite("Order was changed by someone else; retry")
    again = deserialize(serialize(error))
    assert isinstance(again, StaleWrite)
    assert (again.status, again.code, again.message) == (
        409, "concurrent_update", "Order was changed by someone else; retry")


def test_an_error_type_with_its_own_constructor_is_refused():
    with pytest.raises(TypeError, match="keep DomainError's constructor"):
        class Custom(DomainError):
            def __init__(self, what: str) -> None:
                super().__init__(f"{what} failed")
