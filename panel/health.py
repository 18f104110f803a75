"""`/healthz`: for load balancers and uptime checks; says only whether the database answers."""

from flask import Blueprint
from sqlalchemy.exc import SQLAlchemyError

from panel import access
from panel.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@access.rule(access.PUBLIC)
def healthz():
    try:
        db.session.execute(db.text("SELECT 1"))
    except SQLAlchemyError:
        return {"status": "database unavailable"}, 503
    return {"status": "ok"}
