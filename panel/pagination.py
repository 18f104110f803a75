"""Paginated lists: one page size for the whole app, and page links that keep the other filters."""

from __future__ import annotations

from flask import abort, current_app, request, url_for
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.sql import Select

from panel.extensions import db

# Far beyond any real list, and small enough that the offset never overflows the database's integer.
MAX_PAGE = 100_000


def paginate(select: Select) -> Pagination:
    """The page of `select` named by the ``page`` query argument; a page that is not a whole number
    from 1 up, or is past the end of the list, is Not Found rather than an error."""
    page = request.args.get("page", "1")
    if not page.isdigit() or not 1 <= int(page) <= MAX_PAGE:
        abort(404)
    return db.paginate(select, page=int(page), per_page=current_app.config["PAGE_SIZE"])


def page_url(number: int) -> str:
    """This page's address for page `number`, keeping the other query arguments (a search)."""
    args = request.args.to_dict(flat=False)
    args["page"] = [str(number)]
    return url_for(request.endpoint, **request.view_args, **args)
