"""The bare endpoint `make bench-load` measures Panel against: the least a Flask app on
Flask-SQLAlchemy can do for a request that reaches the database, `SELECT 1`, and nothing else (no
sessions, access check, unit of work or templates). Served by gunicorn exactly as Panel is (same
worker count and loopback binding), its throughput is the ceiling the app's own `/healthz` is
compared to.

    DATABASE_URL=postgresql://... gunicorn --workers 3 --bind 127.0.0.1:8002 \
        'tests.load.bare:from_environment()'
"""

from __future__ import annotations

import os

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import text

from panel.config import database_url


def create_bare_app(url: str) -> Flask:
    app = Flask(__name__)
    # The same driver and engine options as Panel (panel/config.py), so the difference measured
    # is the app's own work.
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url(url, "/nonexistent")
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True}
    db = SQLAlchemy(app)

    @app.get("/bare")
    def bare():
        db.session.execute(text("SELECT 1"))
        return {"status": "ok"}

    return app


def from_environment() -> Flask:
    """For gunicorn: the bare app on the database in DATABASE_URL, as Panel reads it."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        raise RuntimeError("Set DATABASE_URL to the database the bare endpoint should ask")
    return create_bare_app(url)
