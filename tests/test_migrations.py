"""The schema is built by migrations only, and the models agree with them."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from panel.extensions import db as _db
from panel.lessons.search import include_object


def test_models_and_migrations_agree(app):
    """Fails when a model changes without a migration (`flask db migrate` writes one)."""
    with app.app_context(), _db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_object}
        )
        diff = compare_metadata(context, _db.metadata)
    assert diff == [], f"models differ from the migrations: {diff}"


def test_migrations_run_down_and_up_again(tmp_path):
    from flask_migrate import downgrade, upgrade

    from panel import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'roundtrip.sqlite'}"})
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        upgrade()
        tables = set(_db.inspect(_db.engine).get_table_names())
    assert {"organisation", "user_account", "panel", "membership", "audit_event"} <= tables
