"""Quiet, honest gateway logs: an expected refusal is one line without a traceback; a real
failure keeps its traceback and names the request id."""

from __future__ import annotations

import logging

from services.intake.service import IntakeService
from tests.intake.helpers import file_issue, issue_body, sign_in
from tests.platform import error_of


def _gateway_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith("services.gateway")]


def test_each_expected_refusal_is_logged_once_without_a_traceback(platform, caplog):
    client = platform.start(IntakeService)
    resident = sign_in(platform, "resident")
    issue = file_issue(platform)
    cases = [
        (401, lambda: client.get("/issues")),
        (403, lambda: client.post(f"/issues/{issue['id']}/triage", headers=resident, json={})),
        (404, lambda: client.get("/issues/i-nowhere", headers=resident)),
        (409, lambda: client.post(f"/issues/{issue['id']}/close",
                                  headers=sign_in(platform, "community_admin"), json={})),
        (422, lambda: client.post("/issues", headers=resident,
                                  json=issue_body(platform, description=" "))),
        (400, lambda: client.get("/open311/v2/requests.json")),
    ]
    caplog.set_level(logging.INFO)
    for status, send in cases:
        caplog.clear()
        response = send()
        assert response.status_code == status, response.text
        records = _gateway_records(caplog)
        assert len(records) == 1, [r.getMessage() for r in records]
        assert records[0].levelno in (logging.INFO, logging.WARNING)
        assert records[0].exc_info is None and str(status) in records[0].getMessage()


def test_a_real_failure_keeps_its_traceback_and_the_request_id(platform, caplog, monkeypatch):
    client = platform.start(IntakeService)
    client._transport.raise_server_exceptions = False  # answer as a server would

    def broken(*args, **kwargs):
        raise RuntimeError("the pool broke")

    monkeypatch.setattr(client.app.state.rpc, "call", broken)
    caplog.set_level(logging.INFO)
    response = client.get("/issues", headers=sign_in(platform, "resident")
                          | {"X-Request-ID": "req-broken-1"})
    assert response.status_code == 500
    assert error_of(response)["code"] == "internal_error"
    assert "req-broken-1" in error_of(response)["message"]
    errors = [r for r in _gateway_records(caplog) if r.levelno == logging.ERROR]
    assert len(errors) == 1 and errors[0].exc_info is not None
    assert errors[0].exc_info[0] is RuntimeError and "req-broken-1" in errors[0].getMessage()
