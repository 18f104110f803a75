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
    # isascii: "²" is a digit to isdigit but not to int.
    if not (page.isascii() and page.isdigit()) or not 1 <= int(page) <= MAX_PAGE:
        abort(404)
    return db.paginate(select, page=int(page), per_page=current_app.config["PAGE_SIZE"])


def query_args() -> dict[str, list[str]]:
    """This request's query arguments, safe to pass on to `url_for` for a link to a related page
    (the next page, the CSV of the same filters). Keys url_for treats specially (_external,
    _scheme, _anchor...) and the route's own arguments (panel_id...) are dropped, so a crafted
    address can neither change where links point nor make url_for fail."""
    reserved = set(request.view_args or {})
    return {
        key: values
        for key, values in request.args.to_dict(flat=False).items()
        if not key.startswith("_") and key not in reserved and key != "panel_id"
    }


def page_url(number: int) -> str:
    """This page's address for page `number`, keeping the other query arguments (a search)."""
    return url_for(request.endpoint, **request.view_args, **{**query_args(), "page": [str(number)]})
