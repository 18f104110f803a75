"""Flask-Limiter throttles the pages that check secrets, per client address: in memory for one app
server, and in Redis (which runs on this machine, as in production with several servers)."""

from __future__ import annotations

import secrets

import pytest
import redis

from panel import create_app
from panel.core import throttle
from tests import factories
from tests.conftest import IsolatedClient

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def tight_limits(app, monkeypatch):
    monkeypatch.setitem(app.config, "SIGN_IN_RATE_LIMIT", "3 per minute")
    monkeypatch.setitem(app.config, "TWO_FACTOR_RATE_LIMIT", "3 per minute")
    throttle.limiter_for(app).reset()
    yield
    throttle.limiter_for(app).reset()


def _attempt(client, email="nobody@example.org"):
    return client.post("/sign-in", data={"email": email, "password": "not the password"})


def test_sign_in_attempts_beyond_the_limit_get_a_clear_too_many_attempts_page(
    client, db, tight_limits
):
    assert [_attempt(client).status_code for _ in range(3)] == [200, 200, 200]
    refused = _attempt(client)
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "Too many attempts" in page and "Wait a few minutes" in page
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.headers["Cache-Control"] == "no-store"


def test_reading_the_sign_in_page_is_not_counted(client, db, tight_limits):
    for _ in range(10):
        assert client.get("/sign-in").status_code == 200
    assert _attempt(client).status_code == 200


def test_the_limit_is_per_client_address(app, db, tight_limits):
    office = app.test_client()
    for _ in range(4):
        _attempt(office)
    elsewhere = app.test_client()
    response = elsewhere.post(
        "/sign-in",
        data={"email": "nobody@example.org", "password": "x"},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert response.status_code == 200


def test_second_factor_codes_are_throttled(client, people, tight_limits):
    client.post("/sign-in", data={"email": people.chair.email, "password": factories.PASSWORD})
    statuses = [client.post("/sign-in/code", data={"code": "000000"}).status_code for _ in range(4)]
    assert statuses[-1] == 429


@pytest.fixture
def redis_app(app, db):
    """A second app server configured like production with several servers: counts in Redis
    under a key prefix of its own, removed afterwards."""
    prefix = f"panel-test-{secrets.token_hex(4)}"
    other = create_app(
        {
            **{
                key: app.config[key] for key in ("TESTING", "SQLALCHEMY_DATABASE_URI", "SECRET_KEY")
            },
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_STORAGE_URI": REDIS_URL,
            "RATELIMIT_KEY_PREFIX": prefix,
            "SIGN_IN_RATE_LIMIT": "3 per minute",
        }
    )
    other.test_client_class = IsolatedClient
    server = redis.Redis.from_url(REDIS_URL)
    yield other, server, prefix
    for key in server.scan_iter(f"*{prefix}*"):
        server.delete(key)


def test_with_redis_the_counts_are_shared_by_every_app_server(redis_app):
    first, server, prefix = redis_app
    # A second process on another machine: its own app, the same Redis.
    second = create_app({**first.config, "SIGN_IN_RATE_LIMIT": "3 per minute"})
    second.test_client_class = IsolatedClient
    assert _attempt(first.test_client()).status_code == 200
    assert _attempt(second.test_client()).status_code == 200
    assert _attempt(first.test_client()).status_code == 200
    assert _attempt(second.test_client()).status_code == 429
    assert list(server.scan_iter(f"*{prefix}*"))  # the counts live in Redis
