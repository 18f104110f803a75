"""The `interventions` blueprint: agreeing interventions, their pages and update log, a partner's
"my organisation's interventions", and a panel's list with its CSV export."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("interventions", __name__)
