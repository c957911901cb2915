"""The services' logging config (deploy/nameko.yml) names the request on every line, as
plain text or, with LINLI_LOG_FORMAT=json, as one JSON object a line."""

from __future__ import annotations

import io
import json
import logging
import logging.config

import pytest
import yaml
from nameko.cli.main import setup_yaml_parser

from deploy.settings import REPO
from services.common import logs


def _configured_stream(monkeypatch, log_format: str | None) -> io.StringIO:
    """Apply nameko.yml's LOGGING as `nameko run` does, its handler writing to a buffer."""
    if log_format:
        monkeypatch.setenv("LINLI_LOG_FORMAT", log_format)
    else:
        monkeypatch.delenv("LINLI_LOG_FORMAT", raising=False)
    setup_yaml_parser()
    config = yaml.safe_load((REPO / "deploy" / "nameko.yml").read_text())["LOGGING"]
    buffer = io.StringIO()
    config["handlers"]["console"]["stream"] = buffer
    config["root"]["handlers"] = []  # leave the test runner's root alone
    config["loggers"] = {"linli.test": {"handlers": ["console"], "level": "INFO",
                                        "propagate": False}}
    logging.config.dictConfig(config)
    return buffer


@pytest.mark.parametrize("log_format", [None, "plain"])
def test_a_plain_line_names_the_request(monkeypatch, log_format):
    out = _configured_stream(monkeypatch, log_format)
    token = logs.REQUEST_ID.set("req-7")
    try:
        logging.getLogger("linli.test").info("order %s made", "o-1")
    finally:
        logs.REQUEST_ID.reset(token)
    assert out.getvalue().rstrip().endswith("INFO linli.test [req-7] order o-1 made")


def test_a_json_line_is_one_object_with_the_request_id(monkeypatch):
    out = _configured_stream(monkeypatch, "json")
    token = logs.REQUEST_ID.set("req-8")
    try:
        logging.getLogger("linli.test").warning("late %s", "o-2")
    finally:
        logs.REQUEST_ID.reset(token)
    [line] = out.getvalue().splitlines()
    record = json.loads(line)
    assert record["request_id"] == "req-8"
    assert record["message"] == "late o-2"
    assert record["levelname"] == "WARNING" and record["name"] == "linli.test"


def test_an_event_handler_names_the_correlation_id():
    class Ctx:
        args = ({"id": "e1", "type": "issue.triaged", "correlation_id": "req-9"},)

    assert logs.request_id_of(Ctx()) == "req-9"
