"""No two services' documents share a class name.

mongoengine keeps one registry of document classes by name: a second class of the same name
replaces the first there, and `disconnect` then leaves the hidden class's cached collection
on a closed client ("Cannot use MongoClient after close" in every later test of a process
that runs both services, as the suite and the gateway tests do)."""

from __future__ import annotations

import collections
import importlib
import pkgutil

import mongoengine as me

import services


def _documents() -> list[type[me.Document]]:
    for info in pkgutil.walk_packages(services.__path__, "services."):
        if info.name.endswith((".models", ".mirror")) or ".models." in info.name:
            importlib.import_module(info.name)
    found, todo = [], list(me.Document.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if not cls._meta.get("abstract"):
            found.append(cls)
    return found


def test_every_document_class_name_is_unique_across_services():
    names = collections.defaultdict(set)
    for cls in _documents():
        names[cls._class_name].add(f"{cls.__module__}.{cls.__qualname__}")
    assert len(names) > 20  # every service's models were imported
    assert {n: sorted(m) for n, m in names.items() if len(m) > 1} == {}
