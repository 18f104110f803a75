"""The `cases` blueprint: case reviews and the confidentiality agreement in front of them."""

from flask import Blueprint

bp = Blueprint("cases", __name__)
