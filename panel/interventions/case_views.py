"""The `panel_cases` blueprint: a local panel's live cases (referred, reviewed, closed with an
outcome) and its list of intervention types."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("panel_cases", __name__)
