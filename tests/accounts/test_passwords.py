"""Passwords are hashed with Argon2id at RFC 9106's strength wherever the app runs; the test suite
alone uses a cheap profile (tests/conftest.py), so these tests put the real one back."""

from panel import create_app
from panel.accounts.models import User
from panel.core.passwords import hash_password, verify_password
from tests import factories
from tests.conftest import sign_in

REAL_PROFILE = "$argon2id$v=19$m=65536,t=3,p=4$"


def test_an_app_configured_as_in_production_hashes_at_full_strength(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'hashes.sqlite'}"})
    with app.app_context():
        password_hash = hash_password("a long and unguessable passphrase")
    assert password_hash.startswith(REAL_PROFILE)
    assert verify_password(password_hash, "a long and unguessable passphrase")
    assert not verify_password(password_hash, "a long and unguessable passphrasf")


def test_a_weaker_hash_is_upgraded_when_its_owner_next_signs_in(app, client, db, monkeypatch):
    person = factories.user()
    assert not person.password_hash.startswith(REAL_PROFILE)  # made with the suite's cheap profile
    monkeypatch.setitem(app.config, "ARGON2_PROFILE", None)
    sign_in(client, person)
    db.session.expire_all()
    upgraded = db.session.get(User, person.id).password_hash
    assert upgraded.startswith(REAL_PROFILE)
    assert verify_password(upgraded, factories.PASSWORD)
