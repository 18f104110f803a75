"""Paginated lists and bounded previews: one page size for the whole app, page links that keep the
other filters, counts that stop at a cap, and "the first few of a list, and how many in all".

A page's cost must not grow with the history behind it. A list is either paginated (`paginate`)
or cut to its most relevant few (`first`), with a link to see all of it; and how long a list is
is counted only as far as `COUNT_CAP` (then "more than 1,000"), since counting a million rows
costs as much as reading them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from flask import abort, current_app, request, url_for
from flask_sqlalchemy.pagination import Pagination, SelectPagination
from sqlalchemy.sql import Select

from panel.core.reminders import Count
from panel.extensions import db

T = TypeVar("T")

# Far beyond any real list, and small enough that the offset never overflows the database's integer.
MAX_PAGE = 100_000
# Lists are counted up to here; past it they say "more than 1,000" (40 pages: past that, people
# filter). Counting to 10,000 cost 20-60 ms a list on the national dataset.
COUNT_CAP = 1_000


def capped_count(select: Select, cap: int | None = None) -> Count:
    """How many rows `select` gives, counting no further than `cap` (COUNT_CAP unless given) + 1
    (then "more than `cap`"): one query, which reads at most that many rows whatever the list's
    length."""
    cap = COUNT_CAP if cap is None else cap
    limited = select.order_by(None).limit(cap + 1).subquery()
    found = db.session.scalar(sa.select(sa.func.count()).select_from(limited)) or 0
    return Count(cap, more=True) if found > cap else Count(found)


class _Capped:
    """Pages of a list whose length is counted only as far as COUNT_CAP (`count`, a `Count`):
    past it, the pages go on from the last one counted as long as pages are full."""

    count: Count = Count()
    page: int
    pages: int
    per_page: int
    items: list

    def _total(self, count: Count) -> int:
        self.count = count
        return count.n + 1 if count.more else count.n

    @property
    def has_next(self) -> bool:
        return self.page < self.pages or (self.count.more and len(self.items) == self.per_page)

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None


class _CappedPagination(_Capped, SelectPagination):
    _counted: int | None = None

    def _query_items(self) -> list:
        select, few, items = (self._query_args[key] for key in ("select", "few", "items"))
        if few is not None:
            # Counted before the page is read, so that a short list is read another way.
            self._counted = self._count()
            if not self.count.more:
                items = few(select)
        if items is None:
            return super()._query_items()
        page = items.limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(page).unique().scalars())

    def _query_count(self) -> int:
        return self._count() if self._counted is None else self._counted

    def _count(self) -> int:
        select = self._query_args["select"]
        return self._total(capped_count(select.options(sa.orm.lazyload("*"))))


def paginate(
    select: Select,
    per_page: int | None = None,
    arg: str = "page",
    few: Callable[[Select], Select] | None = None,
    items: Select | None = None,
) -> Pagination:
    """The page of `select` named by query argument `arg` (``page``, or another for a second list
    on a page); a page that is not a whole number from 1 up, or is past the end of the list, is
    Not Found rather than an error. Its `count` is the list's length as a `Count` (capped at
    COUNT_CAP): say it with `str(page.count)`.

    With `items`, the page's rows are taken from `items` (the same rows in the same order, asked
    for in a way an index serves), and `select` is only counted.

    With `few`, the list is counted first, and if it holds no more than the cap, the page is
    taken from `few(select)` instead: the same rows in the same order, found another way (all of
    them through the index that serves the filters, then sorted). A planner expecting many rows
    reads an index in the list's order and tests each row until the page is full, which for a
    rare match reads them all."""
    return _CappedPagination(
        select=select,
        session=db.session(),
        page=page_number(arg),
        per_page=per_page or current_app.config["PAGE_SIZE"],
        max_per_page=None,
        error_out=True,
        count=True,
        few=few,
        items=items,
    )


def reach(per_page: int | None = None, arg: str = "page") -> int:
    """How far into its list this request's page reaches: its last row's position."""
    return page_number(arg) * (per_page or current_app.config["PAGE_SIZE"])


@dataclass(frozen=True)
class Shown(Generic[T]):
    """The first few of a list, and how many the whole list holds: for "Showing 20 of 1,234. See
    all" (the `showing` macro in templates/macros/pagination.html)."""

    items: Sequence[T]
    total: Count

    @property
    def more(self) -> bool:
        """Whether the list holds more than is shown."""
        return self.total.more or self.total.n > len(self.items)

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)


def first(select: Select, limit: int) -> Shown:
    """The first `limit` entities of `select` (in its order) and the capped length of the whole
    list, in two queries whatever its length."""
    items = list(db.session.execute(select.limit(limit)).unique().scalars())
    return Shown(items, capped_count(select.options(sa.orm.lazyload("*"))))


def page_number(arg: str = "page") -> int:
    """The page number in query argument `arg` (1 if absent); Not Found if it is not a whole
    number from 1 to MAX_PAGE."""
    page = request.args.get(arg, "1")
    # isascii: "²" is a digit to isdigit but not to int.
    if not (page.isascii() and page.isdigit()) or not 1 <= int(page) <= MAX_PAGE:
        abort(404)
    return int(page)


class _RowPagination(_Capped, Pagination):
    """A page of plain rows (db.paginate returns only each row's first column), of a list whose
    length the caller has already counted."""

    def _query_items(self) -> list:
        select = self._query_args["select"]
        rows = list(db.session.execute(select.limit(self.per_page).offset(self._query_offset)))
        if self._query_args["load"] is not None:
            return self._query_args["load"](rows)
        return [self._query_args["item"](row) for row in rows]

    def _query_count(self) -> int:
        total = self._query_args["total"]
        return self._total(total if isinstance(total, Count) else Count(total))


def paginate_rows(
    select: Select,
    total: int | Count,
    *,
    page: int,
    per_page: int,
    item: Callable[[Any], Any] | None = None,
    load: Callable[[list], list] | None = None,
) -> Pagination:
    """Page `page` of `select`'s rows, each made into `item(row)` (or all of the page's rows
    into items at once by `load(rows)`), in one query: `total` is the length of the whole list,
    counted by the caller (a `Count` if capped). A page past the end is Not Found."""
    return _RowPagination(
        page=page, per_page=per_page, select=select, total=total, item=item, load=load
    )


class _ListPagination(Pagination):
    def _query_items(self) -> list:
        return list(
            self._query_args["items"][self._query_offset : self._query_offset + self.per_page]
        )

    def _query_count(self) -> int:
        self.count = Count(len(self._query_args["items"]))
        return self.count.n


def paginate_list(items: Sequence[T], per_page: int, arg: str = "page") -> Pagination:
    """The page of `items` (a list already bounded, such as a panel's members) named by query
    argument `arg`: for a form too long for one page."""
    return _ListPagination(page=page_number(arg), per_page=per_page, items=items)


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


def first_of_each(
    select: Select,
    parent: sa.orm.QueryableAttribute[Any] | sa.ColumnElement[Any],
    parent_ids: Sequence[int],
    order_by: Sequence[sa.orm.QueryableAttribute[Any] | sa.ColumnElement[Any]],
    limit: int,
) -> dict[int, Shown]:
    """For each of `parent_ids`, the first `limit` rows of `select` (an entity's select, with
    its loading options) whose `parent` column is that id, in `order_by`, and how many it has in
    all: one query, however many children each parent has, run even for no parents so that a
    page's queries do not depend on what it lists. Parents without children are left out. The
    rows returned are bounded by the parents listed; the database still counts each one's
    children in full."""
    entity = select.column_descriptions[0]["entity"]
    key = sa.inspect(entity).primary_key[0]
    ranked = (
        sa.select(
            key.label("child_id"),
            sa.func.row_number().over(partition_by=parent, order_by=order_by).label("position"),
            sa.func.count().over(partition_by=parent).label("total"),
        )
        .where(parent.in_(parent_ids))
        .subquery()
    )
    rows = db.session.execute(
        select.add_columns(parent, ranked.c.total)
        .join(ranked, ranked.c.child_id == key)
        .where(ranked.c.position <= limit)
        .order_by(ranked.c.position)
    ).unique()
    found: dict[int, tuple[list, int]] = {}
    for child, parent_id, total in rows:
        found.setdefault(parent_id, ([], total))[0].append(child)
    return {parent_id: Shown(items, Count(total)) for parent_id, (items, total) in found.items()}
