"""A person is e-mailed whenever the way they sign in changes, so that if it was not them they
find out: what changed, when, and what to do; never a link that signs anyone in."""

from __future__ import annotations

import pyotp

from panel.accounts.links import services as links
from panel.accounts.links.services import LinkPurpose
from panel.accounts.two_factor import services as two_factor
from panel.core import unit_of_work
from panel.core.outbox import OutboxMessage
from tests import factories
from tests.conftest import sign_in

NEW_PASSWORD = "a brand new long passphrase"  # noqa: S105


def _only_message_to(server, user):
    unit_of_work.commit()  # as the page would: the notice goes once the change is saved
    [message] = server.messages_to(user.email)
    return message, message.get_content()


def test_changing_the_password_is_told_to_the_owner(client, people, mail_app_config):
    sign_in(client, people.member)
    client.post(
        "/account",
        data={
            "current_password": factories.PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    message, body = _only_message_to(mail_app_config, people.member)
    assert message["Subject"] == "Your Panel password was changed"
    assert "Your password was changed on " in body and "(UK time)" in body
    assert "If it was not you" in body and "/forgotten-password" in body


def test_a_password_reset_by_link_is_told(people, mail_app_config):
    token = links.issue(None, people.member, LinkPurpose.PASSWORD_RESET)
    unit_of_work.commit()
    mail_app_config.messages.clear()
    link = links.usable_link(token, LinkPurpose.PASSWORD_RESET, production=False)
    links.set_password(link, NEW_PASSWORD)
    message, _ = _only_message_to(mail_app_config, people.member)
    assert message["Subject"] == "Your Panel password was reset"


def test_second_factor_changes_are_told(db, people, mail_app_config):
    person = factories.user(two_factor=False)
    secret = two_factor.pending_secret(person)
    two_factor.confirm_set_up(person, pyotp.TOTP(secret).now())
    two_factor.reset(people.admin, person)
    unit_of_work.commit()
    subjects = [message["Subject"] for message in mail_app_config.messages_to(person.email)]
    assert subjects == [
        "Two-factor sign-in is set up on your Panel account",
        "Two-factor sign-in was reset on your Panel account",
    ]


def test_new_recovery_codes_are_told(people, mail_app_config):
    two_factor.new_recovery_codes(people.chair, factories.totp_code(people.chair))
    message, _ = _only_message_to(mail_app_config, people.chair)
    assert message["Subject"] == "New recovery codes for your Panel account"


def test_a_lock_is_told_to_the_owner_and_to_nobody_for_an_unknown_address(
    client, people, mail_app_config
):
    for email in (people.member.email, "nobody@example.org"):
        for _ in range(5):
            client.post("/sign-in", data={"email": email, "password": "not the password"})
    message, body = _only_message_to(mail_app_config, people.member)
    assert message["Subject"] == "Signing in to your Panel account is locked for a while"
    assert len(mail_app_config.messages) == 1


def test_the_notice_never_carries_a_link_that_signs_in(client, people, mail_app_config):
    two_factor.new_recovery_codes(people.chair, factories.totp_code(people.chair))
    _, body = _only_message_to(mail_app_config, people.chair)
    assert "/reset-password/" not in body and "/invitation/" not in body


def test_a_change_that_is_rolled_back_sends_no_notice(db, people, mail_app_config):
    two_factor.new_recovery_codes(people.chair, factories.totp_code(people.chair))
    db.session.rollback()  # the page failed after the change: neither it nor its e-mail stands
    unit_of_work.commit()
    assert mail_app_config.messages == []
    assert db.session.scalars(db.select(OutboxMessage)).all() == []


def test_a_notice_waits_in_the_outbox_encrypted_until_it_is_saved(db, people, mail_app_config):
    two_factor.new_recovery_codes(people.chair, factories.totp_code(people.chair))
    [waiting] = db.session.scalars(db.select(OutboxMessage)).all()
    assert people.chair.email not in waiting.sealed and "recovery" not in waiting.sealed
    assert mail_app_config.messages == []  # nothing goes before the change is saved
    unit_of_work.commit()
    assert len(mail_app_config.messages_to(people.chair.email)) == 1
    assert db.session.scalars(db.select(OutboxMessage)).all() == []  # delivered, then deleted
