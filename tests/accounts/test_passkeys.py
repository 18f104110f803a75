"""Passkeys: offered first at set-up, asked for at sign-in when the person has one, each challenge
answered once and in time, several per person, named and removed by their owner only, and reset
by an administrator, audited. The browser's part is played by a software authenticator
(tests/accounts/authenticator.py); tests/browser/test_passkey_journey.py uses Chromium's."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from panel.accounts.models import SignInFailures, User
from panel.accounts.passkeys.models import Passkey, PasskeyChallenge
from panel.core import throttle
from panel.core.audit import AuditAction, AuditEvent
from panel.panels.models import PanelKind, Role
from tests import factories
from tests.accounts.authenticator import Authenticator, b64url
from tests.accounts.test_recent_sign_in import _sent_to_confirm, _signed_in_a_while_ago
from tests.conftest import sign_in

ORIGIN = "http://localhost:5000"


def options_on(page: str) -> str:
    """The WebAuthn options the page gives its script."""
    return html.unescape(re.search(r'data-passkey-options="([^"]*)"', page).group(1))


def _events(db, action: AuditAction, user: User) -> list[AuditEvent]:
    return db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == action, AuditEvent.object_id == user.id)
    ).all()


def _password(client, user):
    return client.post("/sign-in", data={"email": user.email, "password": factories.PASSWORD})


def _create(client, authenticator: Authenticator, path="/account/two-factor/set-up", **kwargs):
    options = options_on(client.get(path).get_data(as_text=True))
    return client.post(path, data={"credential": authenticator.create(options, **kwargs)})


def _use(client, authenticator: Authenticator, **kwargs):
    options = options_on(client.get("/sign-in/passkey").get_data(as_text=True))
    return client.post(
        "/sign-in/passkey", data={"credential": authenticator.get(options, **kwargs)}
    )


@pytest.fixture
def reader(db):
    """An advisory group volunteer with no second factor yet."""
    person = factories.user(email="volunteer@example.org", full_name="Ade Bello", two_factor=False)
    factories.membership(
        factories.panel(kind=PanelKind.INDEPENDENT_ADVISORY_GROUP), person, Role.READER
    )
    return person


@pytest.fixture
def with_passkey(client, reader):
    """The reader, signed in once with a passkey set up at set-up, then signed out."""
    authenticator = Authenticator(origin=ORIGIN)
    _password(client, reader)
    _create(client, authenticator)
    client.post("/sign-out")
    return authenticator


# --- Setting one up ----------------------------------------------------------------------------


def test_a_reader_must_set_up_a_second_factor_and_is_offered_a_passkey_first(client, reader, db):
    assert _password(client, reader).location == "/"
    assert client.get("/").location == "/account/two-factor/set-up"
    page = client.get("/account/two-factor/set-up").get_data(as_text=True)
    assert page.index("Create a passkey") < page.index("Set up an authenticator app instead")
    assert 'data-passkey="create"' in page and "js/passkeys.js" in page

    done = _create(client, Authenticator(origin=ORIGIN))
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", done.get_data(as_text=True))
    assert len(set(codes)) == 10
    assert "Welcome, Ade Bello" in client.get("/").get_data(as_text=True)
    db.session.refresh(reader)
    (passkey,) = reader.passkeys
    assert passkey.name == "Passkey 1" and passkey.transports == ["usb"]
    assert len(reader.passkey_user_handle) == 32  # random, not the id or the address
    assert len(_events(db, AuditAction.PASSKEY_ADDED, reader)) == 1


def test_a_refusal_in_the_browser_is_an_error_beside_the_button(client, reader, db):
    _password(client, reader)
    client.get("/account/two-factor/set-up")
    page = client.post("/account/two-factor/set-up", data={"failure": "NotAllowedError"}).get_data(
        as_text=True
    )
    assert "There is a problem" in page and 'href="#submit"' in page
    assert "Your passkey was not used. It may have been cancelled or taken too long." in page
    assert 'aria-describedby="submit-error"' in page
    assert "set up an authenticator app instead" in page
    assert client.get("/").location == "/account/two-factor/set-up"  # still not through
    assert not _events(db, AuditAction.PASSKEY_FAILED, reader)  # nothing tried, nothing counted


@pytest.mark.parametrize(
    "answer",
    ["", "{}", "not json", '{"id": "x", "rawId": "x", "response": {}, "type": "public-key"}'],
)
def test_a_malformed_answer_is_refused_without_an_error_page(client, reader, answer):
    _password(client, reader)
    client.get("/account/two-factor/set-up")
    response = client.post("/account/two-factor/set-up", data={"credential": answer})
    assert response.status_code == 200
    assert "There is a problem" in response.get_data(as_text=True)


def test_a_passkey_made_for_another_site_is_refused(client, reader):
    _password(client, reader)
    response = _create(client, Authenticator(origin=ORIGIN), origin="https://evil.example")
    assert "Your passkey could not be checked" in response.get_data(as_text=True)


def test_people_with_an_app_add_passkeys_and_keep_their_recovery_codes(client, people, db):
    sign_in(client, people.member)
    first, second = Authenticator(origin=ORIGIN), Authenticator(origin=ORIGIN)
    assert _create(client, first, "/account/passkeys").location == "/account/passkeys"
    assert _create(client, second, "/account/passkeys").location == "/account/passkeys"
    page = client.get("/account/passkeys").get_data(as_text=True)
    assert "Passkey 1" in page and "Passkey 2" in page
    assert "2 passkeys" in client.get("/account").get_data(as_text=True)
    # The browser is told of both, so that a device holding one does not make another.
    assert first.credential_id != second.credential_id
    excluded = json.loads(options_on(page))["excludeCredentials"]
    assert {item["id"] for item in excluded} == {
        b64url(first.credential_id),
        b64url(second.credential_id),
    }


def test_a_person_keeps_at_most_ten_passkeys(client, people, db):
    from panel.accounts.passkeys.services import MAX_PASSKEYS

    sign_in(client, people.member)
    for _ in range(MAX_PASSKEYS):
        assert _create(client, Authenticator(origin=ORIGIN), "/account/passkeys").status_code == 302
    refused = _create(client, Authenticator(origin=ORIGIN), "/account/passkeys")
    assert refused.status_code == 200
    assert "You have 10 passkeys, the most Panel keeps for one person" in refused.get_data(
        as_text=True
    )
    assert len(people.member.passkeys) == MAX_PASSKEYS


# --- Signing in with one -----------------------------------------------------------------------


def test_a_reader_signs_in_with_their_passkey(client, reader, with_passkey, db):
    assert _password(client, reader).location == "/sign-in/passkey"
    assert client.get("/").location.startswith("/sign-in")  # not signed in yet
    page = client.get("/sign-in/passkey").get_data(as_text=True)
    assert "Use a recovery code instead" in page
    assert "Use your authenticator app instead" not in page  # they have none
    assert _use(client, with_passkey).location == "/"
    assert "Welcome, Ade Bello" in client.get("/").get_data(as_text=True)
    passkey = db.session.scalar(sa.select(Passkey).where(Passkey.user_id == reader.id))
    assert passkey.sign_count == 1 and passkey.last_used_at is not None
    assert len(_events(db, AuditAction.SIGN_IN, reader)) == 2


def test_someone_with_a_passkey_and_an_app_may_use_either(client, people):
    sign_in(client, people.chair)
    _create(client, Authenticator(origin=ORIGIN), "/account/passkeys")
    client.post("/sign-out")
    assert _password(client, people.chair).location == "/sign-in/passkey"
    page = client.get("/sign-in/passkey").get_data(as_text=True)
    assert 'href="/sign-in/code">Use your authenticator app instead' in page
    response = client.post("/sign-in/code", data={"code": factories.totp_code(people.chair)})
    assert response.location == "/"


def test_a_passkey_holder_signs_in_with_a_recovery_code(client, reader):
    _password(client, reader)
    options = options_on(client.get("/account/two-factor/set-up").get_data(as_text=True))
    page = client.post(
        "/account/two-factor/set-up",
        data={"credential": Authenticator(origin=ORIGIN).create(options)},
    ).get_data(as_text=True)
    code = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", page)[0]
    client.post("/sign-out")
    _password(client, reader)
    assert "recovery codes you saved" in client.get("/sign-in/code").get_data(as_text=True)
    assert client.post("/sign-in/code", data={"code": code}).location == "/"


def test_an_answer_works_once(client, reader, with_passkey, db):
    _password(client, reader)
    options = options_on(client.get("/sign-in/passkey").get_data(as_text=True))
    answer = with_passkey.get(options)
    with client.session_transaction() as session:
        kept = dict(session)  # the cookie as it was: a copy the browser could send again
    assert client.post("/sign-in/passkey", data={"credential": answer}).location == "/"

    client.post("/sign-out")
    _password(client, reader)
    with client.session_transaction() as session:
        session["passkey_challenge"] = kept["passkey_challenge"]
    replay = client.post("/sign-in/passkey", data={"credential": answer})
    assert "The time to use your passkey ran out" in replay.get_data(as_text=True)
    assert len(_events(db, AuditAction.PASSKEY_FAILED, reader)) == 1


def test_a_challenge_must_be_answered_within_five_minutes(client, reader, with_passkey, db):
    _password(client, reader)
    options = options_on(client.get("/sign-in/passkey").get_data(as_text=True))
    for challenge in db.session.scalars(sa.select(PasskeyChallenge)):
        challenge.created_at -= timedelta(minutes=6)
    db.session.commit()
    response = client.post("/sign-in/passkey", data={"credential": with_passkey.get(options)})
    assert "The time to use your passkey ran out" in response.get_data(as_text=True)


def test_someone_elses_passkey_does_not_sign_you_in(client, people, reader, with_passkey):
    sign_in(client, people.member)
    _create(client, Authenticator(origin=ORIGIN), "/account/passkeys")
    client.post("/sign-out")
    _password(client, people.member)
    response = _use(client, with_passkey)  # the reader's passkey, for the member's sign-in
    assert "That passkey did not work" in response.get_data(as_text=True)


def test_wrong_answers_count_towards_the_lock(app, client, reader, with_passkey, db):
    _password(client, reader)
    stranger = Authenticator(origin=ORIGIN, credential_id=with_passkey.credential_id)
    for _ in range(app.config["SIGN_IN_MAX_FAILURES"] - 1):
        assert "That passkey did not work" in _use(client, stranger).get_data(as_text=True)
    assert _use(client, stranger).location == "/sign-in"  # locked: sign in again later
    assert len(_events(db, AuditAction.ACCOUNT_LOCKED, reader)) == 1


# --- Naming and removing -----------------------------------------------------------------------


def test_the_owner_names_and_removes_their_passkeys_and_nobody_else_can(client, app, people, db):
    sign_in(client, people.member)
    _create(client, Authenticator(origin=ORIGIN), "/account/passkeys")
    passkey_id = db.session.scalar(sa.select(Passkey.id).where(Passkey.user_id == people.member.id))
    response = client.post(f"/account/passkeys/{passkey_id}/name", data={"name": "Work laptop"})
    assert response.location == "/account/passkeys"
    assert "Work laptop" in client.get("/account/passkeys").get_data(as_text=True)

    someone_else = app.test_client()
    sign_in(someone_else, people.chair)
    assert someone_else.get(f"/account/passkeys/{passkey_id}/name").status_code == 404
    assert someone_else.post(f"/account/passkeys/{passkey_id}/remove").status_code == 404

    assert client.post(f"/account/passkeys/{passkey_id}/remove").location == "/account/passkeys"
    assert db.session.scalar(sa.select(Passkey.id).where(Passkey.id == passkey_id)) is None
    assert len(_events(db, AuditAction.PASSKEY_RENAMED, people.member)) == 1
    assert len(_events(db, AuditAction.PASSKEY_REMOVED, people.member)) == 1


def test_the_last_second_factor_cannot_be_removed(client, reader, with_passkey, db):
    _password(client, reader)
    _use(client, with_passkey)
    passkey = db.session.scalar(sa.select(Passkey).where(Passkey.user_id == reader.id))
    page = client.post(f"/account/passkeys/{passkey.id}/remove").get_data(as_text=True)
    assert "You cannot remove your only way of signing in with a second factor" in page
    assert db.session.get(Passkey, passkey.id) is not None


def test_an_administrator_resets_passkeys_audited(client, people, reader, with_passkey, db):
    sign_in(client, people.admin)
    page = client.get(f"/admin/users/{reader.id}/edit").get_data(as_text=True)
    assert "1 passkey: Passkey 1" in page
    response = client.post(f"/admin/users/{reader.id}/two-factor")
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Passkey.id).where(Passkey.user_id == reader.id)) is None
    (event,) = _events(db, AuditAction.TWO_FACTOR_RESET, reader)
    assert event.actor_id == people.admin.id and event.changes == {"passkeys_removed": 1}
    # They set one up again at their next sign-in.
    other = client.application.test_client()
    assert _password(other, reader).location == "/"
    assert other.get("/").location == "/account/two-factor/set-up"


def test_answers_at_sign_in_are_throttled(app, client, reader, with_passkey, monkeypatch):
    monkeypatch.setitem(app.config, "TWO_FACTOR_RATE_LIMIT", "3 per minute")
    throttle.limiter_for(app).reset()
    _password(client, reader)
    statuses = [
        client.post("/sign-in/passkey", data={"failure": "NotAllowedError"}).status_code
        for _ in range(4)
    ]
    throttle.limiter_for(app).reset()
    assert statuses == [200, 200, 200, 429]


# --- Confirming it's you with one --------------------------------------------------------------
# Adding or removing a passkey, or setting up an app beside one, asks someone who signed in a
# while ago to confirm it's them (panel/core/reauth.py): the password, then their passkey, as at
# sign-in. Before, the second step asked only for a code from an app a passkey holder may not have.


def _signed_in_with_passkey_a_while_ago(client, reader, authenticator) -> None:
    _password(client, reader)
    assert _use(client, authenticator).location == "/"
    _signed_in_a_while_ago(client)


def _password_again(client, page: str):
    """The first step of "Confirm it's you", sent there from `page`: where it leads next."""
    response = client.get(page)
    assert _sent_to_confirm(response, page)
    return client.post(response.location, data={"password": factories.PASSWORD})


def _confirm_with(client, authenticator: Authenticator, step: str, **kwargs):
    options = options_on(client.get(step).get_data(as_text=True))
    return client.post(step, data={"credential": authenticator.get(options, **kwargs)})


def test_a_passkey_holder_confirms_with_their_passkey_before_adding_another(
    client, reader, with_passkey, db
):
    _signed_in_with_passkey_a_while_ago(client, reader, with_passkey)
    step = _password_again(client, "/account/passkeys").location
    assert urlsplit(step).path == "/account/confirm/passkey"
    page = client.get(step).get_data(as_text=True)
    assert "Use your passkey" in page and 'data-passkey="get"' in page
    assert "Use a recovery code instead" in page
    assert "Use your authenticator app instead" not in page  # they have none

    assert _confirm_with(client, with_passkey, step).location == "/account/passkeys"
    added = _create(client, Authenticator(origin=ORIGIN), "/account/passkeys")
    assert added.location == "/account/passkeys"
    db.session.refresh(reader)
    assert [passkey.name for passkey in reader.passkeys] == ["Passkey 1", "Passkey 2"]
    assert len(_events(db, AuditAction.IDENTITY_CONFIRMED, reader)) == 1


def test_removing_a_passkey_waits_for_the_confirmation_then_goes_ahead(
    client, reader, with_passkey, db
):
    _password(client, reader)
    _use(client, with_passkey)
    spare = Authenticator(origin=ORIGIN)
    _create(client, spare, "/account/passkeys")
    passkey_id = db.session.scalar(sa.select(Passkey.id).where(Passkey.name == "Passkey 2"))
    page = f"/account/passkeys/{passkey_id}/remove"
    _signed_in_a_while_ago(client)

    assert _sent_to_confirm(client.post(page), page)
    assert db.session.get(Passkey, passkey_id) is not None
    step = _password_again(client, page).location
    assert _confirm_with(client, spare, step).location == page
    assert client.post(page).location == "/account/passkeys"
    assert db.session.scalar(sa.select(Passkey.id).where(Passkey.id == passkey_id)) is None


def test_setting_up_an_app_beside_a_passkey_asks_for_the_passkey(client, reader, with_passkey):
    _signed_in_with_passkey_a_while_ago(client, reader, with_passkey)
    page = "/account/two-factor/set-up/app"
    step = _password_again(client, page).location
    assert _confirm_with(client, with_passkey, step).location == page
    assert "Set up an authenticator app" in client.get(page).get_data(as_text=True)


def test_renaming_a_passkey_asks_nothing(client, reader, with_passkey, db):
    """A name changes nothing about how anyone signs in."""
    _signed_in_with_passkey_a_while_ago(client, reader, with_passkey)
    passkey_id = db.session.scalar(sa.select(Passkey.id).where(Passkey.user_id == reader.id))
    response = client.post(f"/account/passkeys/{passkey_id}/name", data={"name": "Phone"})
    assert response.location == "/account/passkeys"


def test_someone_with_a_passkey_and_an_app_may_confirm_with_either(client, people, db):
    sign_in(client, people.chair)
    chair_passkey = Authenticator(origin=ORIGIN)
    _create(client, chair_passkey, "/account/passkeys")
    _signed_in_a_while_ago(client)
    page = "/account/passkeys"
    step = _password_again(client, page).location
    assert urlsplit(step).path == "/account/confirm/passkey"
    way_round = client.get(step).get_data(as_text=True)
    assert "Use your authenticator app instead" in way_round
    code_page = f"/account/confirm/code?next={page}"
    assert f'href="{code_page}"' in way_round
    assert "Use your passkey instead" in client.get(code_page).get_data(as_text=True)
    response = client.post(code_page, data={"code": factories.totp_code(people.chair)})
    assert response.location == page


def test_a_passkey_holder_may_confirm_with_a_recovery_code(client, reader):
    _password(client, reader)
    options = options_on(client.get("/account/two-factor/set-up").get_data(as_text=True))
    authenticator = Authenticator(origin=ORIGIN)
    saved = client.post(
        "/account/two-factor/set-up", data={"credential": authenticator.create(options)}
    ).get_data(as_text=True)
    code = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", saved)[0]
    _signed_in_a_while_ago(client)
    page = "/account/passkeys"
    _password_again(client, page)
    code_page = f"/account/confirm/code?next={page}"
    assert "recovery codes you saved" in client.get(code_page).get_data(as_text=True)
    assert client.post(code_page, data={"code": code}).location == page


def test_a_refused_passkey_on_confirming_is_audited_and_counted(
    app, client, reader, with_passkey, db
):
    _signed_in_with_passkey_a_while_ago(client, reader, with_passkey)
    page = "/account/passkeys"
    step = _password_again(client, page).location
    stranger = Authenticator(origin=ORIGIN, credential_id=with_passkey.credential_id)
    for _ in range(app.config["SIGN_IN_MAX_FAILURES"] - 1):
        refused = _confirm_with(client, stranger, step)
        assert "That passkey did not work" in refused.get_data(as_text=True)
        assert _sent_to_confirm(client.get(page), page)
    assert len(_events(db, AuditAction.PASSKEY_FAILED, reader)) == 4
    assert not _events(db, AuditAction.IDENTITY_CONFIRMED, reader)

    # The fifth locks the address: this session ends, and so does every other.
    assert _confirm_with(client, stranger, step).location == "/sign-in"
    assert len(_events(db, AuditAction.ACCOUNT_LOCKED, reader)) == 1
    assert client.get(page).location.startswith("/sign-in")


def test_a_passkey_cancelled_on_confirming_counts_nothing(client, reader, with_passkey, db):
    _signed_in_with_passkey_a_while_ago(client, reader, with_passkey)
    step = _password_again(client, "/account/passkeys").location
    client.get(step)
    page = client.post(step, data={"failure": "NotAllowedError"}).get_data(as_text=True)
    assert "Your passkey was not used" in page
    assert "use another way to confirm it" in page
    assert not _events(db, AuditAction.PASSKEY_FAILED, reader)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SignInFailures)) == 0


def test_the_passkey_comes_only_after_the_password(client, reader, with_passkey):
    _signed_in_with_passkey_a_while_ago(client, reader, with_passkey)
    response = client.post("/account/confirm/passkey?next=/", data={"credential": "{}"})
    assert urlsplit(response.location).path == "/account/confirm"


def test_someone_with_passkeys_only_makes_new_recovery_codes_after_confirming_with_one(
    client, reader, db
):
    """They have no app to give a code from, as the page asks of others: the passkey on
    "Confirm it's you" proves it's them instead. Before, they could not make new codes at all."""
    _password(client, reader)
    authenticator = Authenticator(origin=ORIGIN)
    saved = _create(client, authenticator).get_data(as_text=True)
    old_code = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", saved)[0]
    page = "/account/two-factor/recovery-codes"
    assert 'href="/account/two-factor/recovery-codes"' in client.get("/account").get_data(
        as_text=True
    )
    _signed_in_a_while_ago(client)

    step = _password_again(client, page).location  # the passkey too, not the password alone
    assert _confirm_with(client, authenticator, step).location == page
    form = client.get(page).get_data(as_text=True)
    assert "Make new recovery codes" in form and 'name="code"' not in form
    made = client.post(page).get_data(as_text=True)
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", made)
    assert len(set(codes)) == 10 and old_code not in codes
    assert len(_events(db, AuditAction.RECOVERY_CODES_REPLACED, reader)) == 1

    client.post("/sign-out")
    _password(client, reader)
    refused = client.post("/sign-in/code", data={"code": old_code})
    assert "That code is not right" in refused.get_data(as_text=True)


def test_answers_on_confirming_are_throttled(app, client, reader, with_passkey, monkeypatch):
    _signed_in_with_passkey_a_while_ago(client, reader, with_passkey)
    step = _password_again(client, "/account/passkeys").location
    monkeypatch.setitem(app.config, "TWO_FACTOR_RATE_LIMIT", "3 per minute")
    throttle.limiter_for(app).reset()
    statuses = [
        client.post(step, data={"failure": "NotAllowedError"}).status_code for _ in range(4)
    ]
    throttle.limiter_for(app).reset()
    assert statuses == [200, 200, 200, 429]
