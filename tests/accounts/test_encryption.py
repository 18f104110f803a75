"""Two-factor secrets are encrypted at rest under DATA_ENCRYPTION_KEY, and the key can be replaced
without locking anyone out (panel/encryption.py)."""

import pyotp
import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from panel import config, create_app
from panel.accounts.models import User
from panel.accounts.two_factor import services as two_factor
from panel.core import encryption, mail, outbox
from panel.core.outbox import OutboxMessage
from panel.panels.models import Role
from tests import factories

NEW_KEY = encryption.generate_key()


def _stored(db, user: User) -> str:
    """What the database itself holds in the secret's column."""
    return db.session.execute(
        sa.text("SELECT totp_secret FROM user_account WHERE id = :id"), {"id": user.id}
    ).scalar_one()


def _app_with_keys(app, keys):
    return create_app({**app.config, "DATA_ENCRYPTION_KEYS": keys})


def test_the_database_never_holds_a_second_factor_secret_in_the_clear(app, db, people):
    secret = people.chair.totp_secret
    stored = _stored(db, people.chair)
    assert len(secret) == 32 and secret not in stored
    # The code from the person's app is still accepted: Panel decrypts to check it.
    code = pyotp.TOTP(secret).now()
    assert two_factor.verify(people.chair, code) == "app"


def test_setting_up_stores_the_new_secret_encrypted(app, db):
    person = factories.user(two_factor=False)
    secret = two_factor.pending_secret(person)
    assert secret not in _stored(db, person)
    db.session.expire_all()
    assert db.session.get(User, person.id).totp_secret == secret


def test_a_database_copy_without_the_key_gives_nothing_away(app, db, people):
    stranger = _app_with_keys(app, [encryption.generate_key()])
    with (
        stranger.app_context(),
        pytest.raises(encryption.WrongDataKey, match="DATA_ENCRYPTION_KEY"),
    ):
        _ = db.session.get(User, people.chair.id).totp_secret


def test_a_key_is_replaced_without_locking_anyone_out(app, db, people):
    secret = people.chair.totp_secret
    old_key = app.config["DATA_ENCRYPTION_KEYS"][0]
    mail.send_notice([mail.Email("chair@example.org", "Subject", "A reset link")], "a test")

    # 1. The new key goes first; the old one still decrypts what was stored under it.
    replacing = _app_with_keys(app, [NEW_KEY, old_key])
    with replacing.app_context():
        assert db.session.get(User, people.chair.id).totp_secret == secret
    # 2. `flask rotate-data-key` re-encrypts everything under the new key...
    with replacing.app_context():  # the command runs in the current app context if there is one
        result = replacing.test_cli_runner().invoke(args=["rotate-data-key"])
    assert result.exit_code == 0, result.output
    assert "Re-encrypted" in result.output
    # 3. ...so the old key can go.
    replaced = _app_with_keys(app, [NEW_KEY])
    with replaced.app_context():
        db.session.expire_all()
        assert db.session.get(User, people.chair.id).totp_secret == secret
        [waiting] = db.session.scalars(db.select(OutboxMessage)).all()  # e-mail waiting, too
        assert outbox.email_of(waiting).body == "A reset link"
    with app.app_context(), pytest.raises(encryption.WrongDataKey):
        db.session.expire_all()
        _ = db.session.get(User, people.chair.id).totp_secret


def test_production_refuses_to_start_without_a_data_key(tmp_path):
    environ = {
        "PANEL_ENV": "production",
        "SECRET_KEY": "7c1e9a3f5b2d8e0a4c6f1b3d5e7a9c0b2e4d6f8a1c3e5b7d9f0a2c4e6b8d1f3a",
        "PANEL_BASE_URL": "https://panel.example.org",
        "AUDIT_CHAIN_KEY": "e2b8d4f6a1c3e5b7d9f0a2c4e6b8d1f37c1e9a3f5b2d8e0a4c6f1b3d5e7a9c0b",
    }
    with pytest.raises(config.ConfigurationError, match="Set DATA_ENCRYPTION_KEY"):
        config.load(str(tmp_path), environ)
    settings = config.load(str(tmp_path), {**environ, "DATA_ENCRYPTION_KEY": NEW_KEY})
    assert settings["DATA_ENCRYPTION_KEYS"] == [NEW_KEY]
    assert not (tmp_path / "data_key").exists()  # production never writes a key beside the data


def test_a_malformed_key_is_refused_with_its_position(tmp_path):
    with pytest.raises(config.ConfigurationError, match="key 2 is not a Fernet key"):
        config.load(str(tmp_path), {"DATA_ENCRYPTION_KEY": f"{NEW_KEY}, not-a-key"})


def test_development_generates_its_key_once_readable_by_its_owner_only(tmp_path):
    first = config.load(str(tmp_path), {})["DATA_ENCRYPTION_KEYS"]
    second = config.load(str(tmp_path), {})["DATA_ENCRYPTION_KEYS"]
    assert first == second and encryption.valid_key(first[0])
    assert (tmp_path / "data_key").stat().st_mode & 0o077 == 0


def test_the_migration_encrypts_secrets_already_stored_and_downgrading_decrypts_them(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'keys.sqlite'}"})
    with app.app_context():
        from panel.extensions import db

        upgrade()
        person = factories.user(two_factor=True)
        secret = person.totp_secret
        db.session.remove()  # SQLite: the migrations write on a connection of their own
        downgrade(revision="0010")
        assert _stored(db, person) == secret  # as the earlier version stored it
        db.session.remove()
        upgrade()
        assert secret not in _stored(db, person)
        db.session.expire_all()
        assert db.session.get(User, person.id).totp_secret == secret
        db.session.remove()


def test_with_a_lost_key_recovery_codes_still_sign_people_in(app, db, people):
    codes = two_factor.new_recovery_codes(people.chair, factories.totp_code(people.chair))
    from_their_app = factories.totp_code(people.chair)
    lost = _app_with_keys(app, [encryption.generate_key()])
    with lost.app_context():
        chair = db.session.get(User, people.chair.id)
        assert two_factor.verify(chair, from_their_app) is None
        assert two_factor.verify(chair, codes[0]) == "recovery"


def test_with_a_lost_key_an_admin_signs_in_with_a_recovery_code_and_resets_others(app, db, people):
    admin_codes = two_factor.new_recovery_codes(people.admin, factories.totp_code(people.admin))
    lost = _app_with_keys(app, [encryption.generate_key()])
    client = lost.test_client()
    client.post("/sign-in", data={"email": people.admin.email, "password": factories.PASSWORD})
    assert client.post("/sign-in/code", data={"code": admin_codes[0]}).status_code == 302
    reset_page = f"/admin/users/{people.chair.id}/two-factor"
    assert client.get(reset_page).status_code == 200
    assert client.post(reset_page).status_code == 302
    db.session.expire_all()
    chair = db.session.get(User, people.chair.id)
    assert not chair.has_two_factor and chair.encrypted_totp_secret is None


def test_with_a_lost_key_someone_part_way_through_set_up_starts_afresh(app, db, people):
    person = factories.user(two_factor=False)
    factories.membership(people.panel, person, Role.MEMBER)
    started_with = two_factor.pending_secret(person)
    lost = _app_with_keys(app, [encryption.generate_key()])
    client = lost.test_client()
    client.post("/sign-in", data={"email": person.email, "password": factories.PASSWORD})
    page = client.get("/account/two-factor/set-up/app")
    assert page.status_code == 200
    with lost.app_context():
        db.session.expire_all()
        new_secret = db.session.get(User, person.id).totp_secret
    assert new_secret != started_with
    assert two_factor.spaced(new_secret) in page.get_data(as_text=True)
    confirmed = client.post(
        "/account/two-factor/set-up/app", data={"code": pyotp.TOTP(new_secret).now()}
    )
    assert "Save your recovery codes" in confirmed.get_data(as_text=True)
