"""Every nameko entrypoint declares a typed reply (issue #8), and `@replies` keeps its word.

The walk imports each service class of the topology and reads the `@rpc` entrypoints the
way nameko finds them (`nameko_entrypoints` on the class's members); each must carry the
shape `@replies` records, and that shape must be a contract model, a list or page of them,
one of them or None, or `str` for a text export: `dict`, `list[dict]`, `Any` or `object`
are untyped replies. No broker is needed: this is a unit test.
"""

from __future__ import annotations

import importlib
import inspect
import re
from datetime import UTC, datetime
from pathlib import Path
from types import NoneType, SimpleNamespace, UnionType
from typing import Any, Union, get_args, get_origin

import pytest
from nameko.exceptions import IncorrectSignature
from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR, Entrypoint
from nameko.rpc import Rpc, rpc
from pydantic import BaseModel, ValidationError

from services.common.paging import Page
from services.common.rpc import REPLY_ATTR, replies
from services.common.topology import SERVICES

ROOT = Path(__file__).resolve().parents[2]
TEXT_REPLIES = (str,)  # an export in a file format (CSV, GeoJSON), as the import reads it


def _service_classes() -> dict[str, type]:
    found = {}
    for spec in SERVICES:
        module, cls = spec.module.split(":")
        found[spec.name] = getattr(importlib.import_module(module), cls)
    return found


def _rpc_entrypoints(cls: type) -> dict[str, Any]:
    """name → the class's member, for every member nameko would serve as an RPC."""
    found = {}
    for name, member in inspect.getmembers(cls):
        extensions = getattr(member, ENTRYPOINT_EXTENSIONS_ATTR, None) or ()
        if any(isinstance(e, Rpc) for e in extensions):
            found[name] = member
    return found


def _typed(shape: Any) -> bool:
    """A contract model (a page's item type typed too), a list of them, X | None, or text."""
    if shape in TEXT_REPLIES:
        return True
    if isinstance(shape, type) and issubclass(shape, BaseModel):
        generic = shape.__pydantic_generic_metadata__
        if generic["origin"] is not None:  # Page[X]: X must be a model too
            return all(_typed(arg) for arg in generic["args"])
        return not generic["parameters"]  # a bare Page (items of any type) is untyped
    origin = get_origin(shape)
    if origin is list:
        return all(_typed(arg) and arg not in TEXT_REPLIES for arg in get_args(shape))
    if origin in (Union, UnionType):
        args = [a for a in get_args(shape) if a is not NoneType]
        return bool(args) and all(_typed(a) for a in args)
    return False


def _rpc_lines(service: str) -> int:
    """`@rpc` lines in the service's own package: the walk must reach every one."""
    return sum(len(re.findall(r"^\s+@rpc\s*$", p.read_text(), re.M))
               for p in (ROOT / "services" / service).rglob("*.py"))


def test_every_entrypoint_of_every_service_declares_a_typed_reply():
    walked, untyped, undeclared = 0, {}, []
    for service, cls in _service_classes().items():
        entrypoints = _rpc_entrypoints(cls)
        assert len(entrypoints) == _rpc_lines(service), f"{service}: the walk missed some"
        for name, member in entrypoints.items():
            walked += 1
            if not hasattr(member, REPLY_ATTR):
                undeclared.append(f"{service}.{name}")
            elif not _typed(shape := getattr(member, REPLY_ATTR)):
                untyped[f"{service}.{name}"] = shape
    assert walked >= 57, walked  # identity 10, intake 20, dispatch 27 when this was written
    assert not undeclared, f"@rpc without @replies(...): {undeclared}"
    assert not untyped, f"untyped replies: {untyped}"


@pytest.mark.parametrize("shape", [dict, list, list[dict], Any, object, dict[str, Any],
                                   dict | None, Page, Page[dict], list[str], int])
def test_the_walk_calls_untyped_shapes_untyped(shape):
    assert not _typed(shape)


def test_a_real_entrypoint_keeps_nameko_s_signature_check():
    cls = _service_classes()["identity"]
    ep = _stand_in(cls, "get_user")
    Entrypoint.check_signature(ep, ({"role": "system"}, "u-1"), {})
    with pytest.raises(IncorrectSignature):
        Entrypoint.check_signature(ep, ({"role": "system"},), {})


# --- the decorator itself -------------------------------------------------------------------


class Thing(BaseModel):
    id: str
    at: datetime
    tags: list[str] = []


AT = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)


class Service:
    name = "things"

    @rpc
    @replies(Thing)
    def get(self, caller: dict, thing_id: str, flavour: str = "plain") -> Any:
        """Return whatever the test put in `REPLY`."""
        return Service.REPLY

    @rpc
    @replies(list[Thing])
    def many(self, caller: dict) -> Any:
        return [Thing(id="a", at=AT), {"id": "b", "at": AT.isoformat()}]

    @rpc
    @replies(Thing | None)
    def maybe(self, caller: dict) -> Any:
        return None

    @rpc
    @replies(str)
    def export(self, caller: dict) -> str:
        return "code,name\n"

    REPLY: Any = None


def _stand_in(cls: type, method: str) -> Any:
    """What nameko's check_signature reads of a bound entrypoint: the class and the name."""
    return SimpleNamespace(container=SimpleNamespace(service_cls=cls), method_name=method)


def test_a_model_reply_is_validated_and_dumped_as_json_data():
    Service.REPLY = Thing(id="t-1", at=AT, tags=["x"])
    assert Service().get({}, "t-1") == {"id": "t-1", "at": "2026-12-01T08:30:00Z", "tags": ["x"]}


def test_an_already_dumped_dict_passes_and_gets_its_defaults():
    Service.REPLY = {"id": "t-2", "at": AT.isoformat()}
    assert Service().get({}, "t-2") == {"id": "t-2", "at": "2026-12-01T08:30:00Z", "tags": []}


def test_lists_optionals_and_text_are_replies_too():
    assert [t["id"] for t in Service().many({})] == ["a", "b"]
    assert Service().maybe({}) is None
    assert Service().export({}) == "code,name\n"


def test_a_reply_that_breaks_its_contract_raises_instead_of_leaving():
    Service.REPLY = {"id": "t-3"}  # no `at`: a bug in the service, the caller gets a 500
    with pytest.raises(ValidationError, match="at"):
        Service().get({}, "t-3")
    Service.REPLY = {}  # the old "nothing found" idiom is a broken reply, not an empty one
    with pytest.raises(ValidationError):
        Service().get({}, "t-4")


def test_the_shape_is_recorded_and_the_entrypoint_is_still_nameko_s():
    assert Service.get.__reply__ is Thing
    assert Service.many.__reply__ == list[Thing]
    assert any(isinstance(e, Rpc) for e in getattr(Service.get, ENTRYPOINT_EXTENSIONS_ATTR))
    assert Service.get.__name__ == "get" and "REPLY" in (Service.get.__doc__ or "")


def test_a_call_with_the_wrong_arguments_is_still_incorrect_signature():
    ep = _stand_in(Service, "get")
    Entrypoint.check_signature(ep, ({}, "t-1"), {})
    Entrypoint.check_signature(ep, ({}, "t-1"), {"flavour": "salty"})
    with pytest.raises(IncorrectSignature):
        Entrypoint.check_signature(ep, ({},), {})  # thing_id missing
    with pytest.raises(IncorrectSignature):
        Entrypoint.check_signature(ep, ({}, "t-1"), {"colour": "red"})
    with pytest.raises(IncorrectSignature):
        Entrypoint.check_signature(ep, ({}, "t-1", "plain", "extra"), {})
