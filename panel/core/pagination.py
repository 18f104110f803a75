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
    return db.paginate(select, page=page_number(), per_page=current_app.config["PAGE_SIZE"])


def page_number(arg: str = "page") -> int:
    """The page number in query argument `arg` (1 if absent); Not Found if it is not a whole
    number from 1 to MAX_PAGE."""
    page = request.args.get(arg, "1")
    # isascii: "²" is a digit to isdigit but not to int.
    if not (page.isascii() and page.isdigit()) or not 1 <= int(page) <= MAX_PAGE:
        abort(404)
    return int(page)


class _RowPagination(Pagination):
    """A page of plain rows (db.paginate returns only each row's first column), of a list whose
    length the caller has already counted."""

    def _query_items(self) -> list:
        select, item = self._query_args["select"], self._query_args["item"]
        rows = db.session.execute(select.limit(self.per_page).offset(self._query_offset))
        return [item(row) for row in rows]

    def _query_count(self) -> int:
        return self._query_args["total"]


def paginate_rows(select: Select, total: int, *, page: int, per_page: int, item) -> Pagination:
    """Page `page` of `select`'s rows, each made into `item(row)`, in one query: `total` is the
    length of the whole list, counted by the caller. A page past the end is Not Found."""
    return _RowPagination(page=page, per_page=per_page, select=select, total=total, item=item)


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


def page_url(number: int, arg: str = "page", anchor: str | None = None) -> str:
    """This page's address for page `number` (in query argument `arg`), keeping the other query
    arguments (a search), at `anchor` if given: the list on a page that shows more than one."""
    return url_for(
        request.endpoint,
        **request.view_args,
        **{**query_args(), arg: [str(number)]},
        **({"_anchor": anchor} if anchor else {}),
    )
