"""Fixtures: the app on a migrated test database, a test-isolated session, clients, and users."""

from __future__ import annotations

import contextlib
import contextvars
import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session
from sqlalchemy import Connection

from panel import create_app
from panel.accounts.models import User
from panel.core import unit_of_work
from panel.extensions import db as _db
from panel.panels.models import Panel, PanelKind, Role
from tests import databases, factories, querycount

# Query plans are PostgreSQL's: on SQLite the module is not collected rather than skipped, since CI
# fails a suite that skips anything (a skip there means a dependency is missing).
# So is a real server's PostgreSQL going away (tests/test_database_outage.py is the in-process
# part, on either database).
collect_ignore = (
    []
    if os.environ.get("TEST_DATABASE_URL")
    else ["test_query_plans.py", "test_database_outage_gunicorn.py"]
)

# smtp_server and mail_app_config: a real SMTP server on localhost, for tests of mail Panel sends.
pytest_plugins = ["tests.mailserver"]


class IsolatedClient(FlaskClient):
    """Runs each request in its own application context, as in production. Without this a request
    would reuse the test's context, sharing `g` (the signed-in user) and the database session
    between requests, and hiding bugs.

    A test of what happens before a response has gone sets `close_responses` False and closes
    the response itself."""

    close_responses = True

    def open(self, *args, **kwargs):
        # What the test did before the request (services called to set things up) is a unit of
        # work of its own, saved as a command saves it. The commit expires what the test holds,
        # so afterwards it reads afresh what the request saved, as the next request would.
        if has_app_context():
            with querycount.not_counted():
                unit_of_work.commit()
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if self.close_responses:
            # A server closes a response once it has sent it, which runs what waits for that
            # (without a job queue, the e-mail the request queued): so does the test, its body
            # read first.
            response.get_data()
            contextvars.Context().run(response.close)
        return response


@pytest.fixture(scope="session")
def app(tmp_path_factory) -> Iterator[Flask]:
    tmp = tmp_path_factory.mktemp("db")
    url = databases.test_database_url(tmp)
    databases.reset_schema(url)
    application = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-for-tests",
            # Cheap password hashes: the suite signs in thousands of times (panel/core/
            # passwords.py; tests/accounts/test_passwords.py checks the real profile).
            "ARGON2_PROFILE": "CHEAPEST",
            # Forms are tested without CSRF tokens; tests/test_security.py turns it back on.
            "WTF_CSRF_ENABLED": False,
            # The suite signs in thousands of times from one address; tests/accounts/
            # test_throttling.py sets real limits.
            "SIGN_IN_RATE_LIMIT": "100000 per minute",
            "TWO_FACTOR_RATE_LIMIT": "100000 per minute",
            "PASSWORD_RESET_RATE_LIMIT": "100000 per minute",
        }
    )
    application.test_client_class = IsolatedClient
    databases.build(application)
    yield application
    with application.app_context():
        _db.engine.dispose()


class _ConnectionBoundSession(Session):
    """Flask-SQLAlchemy's session picks the engine itself; in tests it must use the connection
    that holds the test's outer transaction."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return self.bind


@contextlib.contextmanager
def rolled_back(app: Flask) -> Iterator[Connection]:
    """In the app's context, bind its session to one connection whose transaction is rolled back
    at the end, so nothing written inside is kept. The app's own commits only release savepoints
    inside it."""
    with app.app_context():
        connection = _db.engine.connect()
        transaction = connection.begin()
        original_session = _db.session
        _db.session = _db._make_scoped_session(
            {
                "bind": connection,
                "join_transaction_mode": "create_savepoint",
                "class_": _ConnectionBoundSession,
            }
        )
        try:
            yield connection
        finally:
            _db.session.remove()
            _db.session = original_session
            transaction.rollback()
            connection.close()


@pytest.fixture
def db(app: Flask, request: pytest.FixtureRequest):
    """Each test runs inside a transaction that is rolled back afterwards, so tests never see one
    another's data."""
    if "module_db" in request.fixturenames:
        pytest.fail("A test in a module's shared transaction cannot have a `db` of its own too")
    with rolled_back(app):
        yield _db


@pytest.fixture(scope="module")
def module_db(app: Flask) -> Iterator[Connection]:
    """For a module whose tests read data that is slow to build (the minutes and their PDFs in
    tests/minutes/test_pdf.py, the demo data in tests/test_demo.py): one transaction for the whole
    module, rolled back at its end. Its tests use `in_module_db`, never `db`. The test app's
    context stays pushed meanwhile, so a test that makes an app of its own and runs a command in
    it pushes that app's context first."""
    with rolled_back(app) as connection:
        yield connection


@pytest.fixture
def in_module_db(module_db: Connection) -> Iterator[None]:
    """A test in its module's transaction (`module_db`), after the module's own fixtures have
    built what it shares (they have the wider scope, so pytest sets them up first). Whatever the
    test writes is rolled back to a savepoint afterwards, so the next test sees the module's data
    as built."""
    _db.session.commit()  # what the module's fixtures built, out of the session's savepoint
    savepoint = module_db.begin_nested()
    try:
        yield
    finally:
        _db.session.rollback()  # the session's own savepoint, if one is open inside ours
        savepoint.rollback()
        _db.session.expire_all()  # what the session holds is read again, as the module built it


@pytest.fixture
def client(app: Flask, db) -> FlaskClient:
    return app.test_client()


@dataclass
class PanelPeople:
    """A local hate crime panel with one person in each role, plus an admin and an outsider."""

    panel: Panel
    chair: User
    coordinator: User
    member: User
    reader: User
    admin: User
    outsider: User

    def by_role(self, role: Role) -> User:
        return getattr(self, role.value)


@pytest.fixture
def people(db) -> PanelPeople:
    panel = factories.panel("Coventry Hate Crime Panel", PanelKind.LOCAL_HATE_CRIME_PANEL)
    police = factories.organisation("West Midlands Police, Coventry NPU")
    housing = factories.organisation("Coventry Homes Partnership")
    found = {}
    for role, org, name in [
        (Role.CHAIR, police, "Claire Doyle"),
        (Role.COORDINATOR, police, "Imran Sadiq"),
        (Role.MEMBER, housing, "Grace Mensah"),
        (Role.READER, factories.organisation("Coventry Community Voices"), "Tom Whitfield"),
    ]:
        person = factories.user(
            email=f"{role.value}@example.org", full_name=name, organisation_=org
        )
        factories.membership(panel, person, role)
        found[role.value] = person
    return PanelPeople(
        panel=panel,
        admin=factories.user(email="admin@example.org", full_name="Sam Okafor", is_admin=True),
        outsider=factories.user(email="outsider@example.org", full_name="Nina Patel"),
        **found,
    )


def sign_in(
    client: FlaskClient, user: User, password: str = factories.PASSWORD, *, next_page: str = ""
):
    """Sign `user` in through the real sign-in form, and the second step with a code from their
    authenticator (computed as the app on their phone would) when they have one; someone asked
    for a passkey who has an app too takes the way round to the code (tests/accounts/
    test_passkeys.py signs in with passkeys)."""
    query = f"?next={next_page}" if next_page else ""
    response = client.post(f"/sign-in{query}", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    if response.location.endswith(("/sign-in/code", "/sign-in/passkey")):
        response = client.post("/sign-in/code", data={"code": factories.totp_code(user)})
        assert response.status_code == 302, response.get_data(as_text=True)
    return response


@pytest.fixture
def sign_in_as(client: FlaskClient):
    def _sign_in(user: User, password: str = factories.PASSWORD):
        sign_in(client, user, password)
        return client

    return _sign_in
