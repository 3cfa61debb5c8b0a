"""Rate-limit headers, when the API sends them, are read and warned about when nearly used."""

from __future__ import annotations

import logging

from tests.api.conftest import Script, json_response


def test_rate_limit_headers_are_read(make_client):
    client = make_client(
        Script(
            json_response(
                200, [], **{"X-RateLimit-Limit": "120", "X-RateLimit-Remaining": "117", "X-RateLimit-Reset": "42"}
            )
        )
    )
    assert client.rate_limit is None
    client.projects.list()
    assert (client.rate_limit.limit, client.rate_limit.remaining, client.rate_limit.reset_seconds) == (120, 117, 42.0)


def test_nearly_used_limit_is_warned_about(make_client, caplog):
    caplog.set_level(logging.WARNING, logger="platformkit.api")
    make_client(Script(json_response(200, [], **{"RateLimit-Limit": "60", "RateLimit-Remaining": "2"}))).projects.list()
    assert any("rate limit nearly used" in record.getMessage() for record in caplog.records)
