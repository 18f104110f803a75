"""HTML to a tagged PDF with WeasyPrint: the minutes and the annual reports render through here.

`render(html, stylesheets, identifier)` writes a tagged PDF/UA-1 document: headings are its
bookmarks, tables keep their header cells and repeat their header row on every page they run
onto, and the running header and footer (the protective marking, the page number) are artifacts.
WeasyPrint tags the content; `_finish_tags` completes what its PDF/UA tagging leaves undone (see
there). It writes no date of its own, and the file identifier is the caller's, so the same HTML
renders to the same bytes.

Nothing is fetched while rendering: stylesheets are read from the app's static folder once, fonts
are local ones, and the URL fetcher refuses every URL, so text people typed can never reach the
network or the file system even if it were ever rendered unescaped.
"""

from __future__ import annotations

import functools
import gc
import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pydyf
from flask import Response, current_app, send_file
from weasyprint import CSS, HTML
from weasyprint.formatting_structure import boxes
from weasyprint.urls import URLFetcher

# Tagged, with the document's language and title, as PDF/UA-1 requires.
PDF_VARIANT = "pdf/ua-1"


def render(html: str, stylesheets: Sequence[tuple[str, ...]], identifier: bytes) -> bytes:
    """The PDF of `html`, styled by `stylesheets` (paths in the static folder, as tuples of
    their parts), with file identifier `identifier`. Needs an application context."""
    fetcher = URLFetcher(allowed_protocols=frozenset())
    with _collection_paused():
        return HTML(string=html, url_fetcher=fetcher).write_pdf(
            stylesheets=[_stylesheet(path) for path in stylesheets],
            pdf_variant=PDF_VARIANT,
            pdf_identifier=identifier,
            finisher=_finish_tags,
        )


def download(pdf: bytes, filename: str) -> Response:
    """A stored PDF as a download: never shown in the browser tab, never kept in a cache."""
    response = send_file(
        io.BytesIO(pdf),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=filename,
        etag=False,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@contextmanager
def _collection_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while WeasyPrint works. It allocates a great many
    short-lived objects, and each full collection also walks every object the app holds (a few
    hundred thousand in a worker): measured on a 20-case meeting, that was over a quarter of the
    render time, while pausing costs a few megabytes until the collector runs again. Only the
    call that paused it resumes it, so overlapping renders in threads end with it running."""
    was_running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_running:
            gc.enable()


@functools.cache
def _stylesheet(path: tuple[str, ...]) -> CSS:
    """Parsed once per process: the file only changes with a deployment."""
    return CSS(filename=str(Path(current_app.static_folder, *path)))


# --- The tag tree, beyond WeasyPrint's PDF/UA tagging --------------------------------------------
#
# WeasyPrint (70) calls `_finish_tags` with the PDF still as objects, before it writes the file:
# changing them there costs a few milliseconds and no second parse, and keeps the output the same
# for the same document. What it completes:
#
# - The running header and footer (page margin boxes: the marking, the version, DRAFT, the page
#   number) are tagged by WeasyPrint but left out of the tree, dangling. They become artifacts of
#   pagination, which assistive technology skips, and leave the tree's index of content.
# - WeasyPrint tags a table page by page, so a table that runs over three pages is three tables.
#   Its parts after the first join the first, and the header row repeated on each later page
#   becomes an artifact too (read once, at the top of the table); the data cells there point to
#   the header cells of the first page.
# - Header cells get a /Scope (Column or Row, from the template's scope="col" or scope="row"),
#   and the tree gets the /IDTree that the data cells' /Headers references are looked up in.


def _finish_tags(document, pdf: pydyf.PDF) -> None:
    objects = pdf.objects

    def element(reference: bytes) -> pydyf.Dictionary:
        return objects[int(reference.split()[0])]

    root = element(pdf.catalog["StructTreeRoot"])
    # [page index, [its MCIDs' elements], ...], then link annotations.
    parent_tree = element(root["ParentTree"])["Nums"]
    pages = [objects[number] for number in pdf.pages["Kids"][::3]]
    page_index = {reference: i for i, reference in enumerate(pdf.page_references)}
    # Page by page, the marked-content ids (MCIDs) that become artifacts: first what the tree
    # does not reach (the margin boxes).
    reachable = _reachable(root, element)
    artifacts = [
        {mcid for mcid, parent in enumerate(parent_tree[2 * page + 1]) if parent not in reachable}
        for page in range(len(pages))
    ]
    fragments, headers = _tables_and_headers(document, element)
    ids = {header["ID"].string: header for header in headers}
    for first, *later in fragments.values():
        for part in later:
            artifacts[page_index[part["Pg"]]] |= _join(first, part, element, ids)
    for page, mcids in enumerate(artifacts):
        if mcids:
            _make_artifacts(
                element(pages[page]["Contents"]), parent_tree[2 * page + 1], mcids, element
            )
    root["IDTree"] = pydyf.Dictionary(
        {
            "Names": pydyf.Array(
                item for key in sorted(ids) for item in (pydyf.String(key), ids[key].reference)
            )
        }
    )


def _reachable(root: pydyf.Dictionary, element) -> set[bytes]:
    """References to the structure elements a reader reaches from the root."""
    found: set[bytes] = set()
    stack = list(root["K"])
    while stack:
        reference = stack.pop()
        if reference in found:
            continue
        found.add(reference)
        stack.extend(kid for kid in element(reference).get("K", ()) if isinstance(kid, bytes))
    return found


def _tables_and_headers(document, element) -> tuple[dict[object, list], list]:
    """Each HTML table's parts in the tag tree (one per page it is drawn on, in page order), and
    every header cell's element, given its /Scope."""
    fragments: dict[object, list] = {}
    headers = []
    for page in document.pages:
        stack = [page._page_box]
        while stack:
            box = stack.pop()
            if isinstance(box, boxes.TableBox) and box.element is not None:
                table = _table_of(box, element)
                if table is not None:
                    fragments.setdefault(box.element, []).append(table)
            elif isinstance(box, boxes.TableCellBox) and box.element_tag == "th":
                header = getattr(box, "mark", None)
                if header is not None:
                    _set_scope(header, box.element.get("scope"), element)
                    if "ID" in header:
                        headers.append(header)
            if isinstance(box, boxes.ParentBox) and not isinstance(
                box, boxes.LineBox | boxes.MarginBox
            ):
                stack.extend(box.children)
    return fragments, headers


def _table_of(box, element) -> pydyf.Dictionary | None:
    """The Table element a table box was tagged as, found through its first tagged cell (cell,
    row, row group, table); None if there is none (a table with no cells on this page, or one
    made of elements that are not table elements, which WeasyPrint does not tag as a table)."""
    for group in box.children:
        for row in group.children:
            for cell in row.children:
                mark = getattr(cell, "mark", None)
                if mark is not None:
                    table = element(element(element(mark["P"])["P"])["P"])
                    return table if table["S"] == "/Table" else None
    return None


def _set_scope(header: pydyf.Dictionary, scope: str | None, element) -> None:
    """scope="col" heads a column and scope="row" a row; without one, a cell in the table's
    header row heads its column, and the first cell of a body row heads its row."""
    if scope in ("col", "colgroup"):
        value = "/Column"
    elif scope in ("row", "rowgroup"):
        value = "/Row"
    else:
        row = element(header["P"])
        in_head = element(row["P"])["S"] == "/THead"
        value = "/Column" if in_head or row["K"][0] != header.reference else "/Row"
    header["A"]["Scope"] = value


def _join(first: pydyf.Dictionary, part: pydyf.Dictionary, element, ids: dict) -> set[int]:
    """Move the rows of a later part of a table into the body of its first part. Its repeated
    header (and footer) rows leave the tree (returns their MCIDs, to become artifacts), and its
    data cells point to the first part's header cells instead (WeasyPrint names a header cell
    "<table>-<row>-<column>")."""
    repeated: set[int] = set()
    renamed: dict[str, str] = {}
    bodies = [element(kid) for kid in first["K"] if element(kid)["S"] == "/TBody"]
    moved = []
    for reference in list(part["K"]):
        kid = element(reference)
        if kid["S"] == "/TBody" and bodies:
            for row in kid["K"]:
                element(row)["P"] = bodies[-1].reference
                bodies[-1]["K"].append(row)
                moved.append(element(row))
        elif kid["S"] in ("/THead", "/TFoot"):
            for node in _descendants(kid, element):
                repeated.update(k for k in node["K"] if isinstance(k, int))
                if "ID" in node:
                    key = node["ID"].string
                    ids.pop(key, None)
                    renamed[key] = f"{first.number}-{key.split('-', 1)[1]}"
        else:
            kid["P"] = first.reference
            first["K"].append(reference)
            moved.append(kid)
    element(part["P"])["K"].remove(part.reference)
    if renamed:
        for node in (node for top in moved for node in _descendants(top, element)):
            headers = node.get("A", {}).get("Headers")
            if headers:
                headers[:] = [pydyf.String(renamed.get(h.string, h.string)) for h in headers]
    return repeated


def _descendants(node: pydyf.Dictionary, element) -> Iterator[pydyf.Dictionary]:
    yield node
    for kid in node.get("K", ()):
        if isinstance(kid, bytes):
            child = element(kid)
            if "S" in child:
                yield from _descendants(child, element)


def _make_artifacts(stream: pydyf.Stream, mcids: pydyf.Array, gone: set[int], element) -> None:
    """Turn the page's marked content `gone` into pagination artifacts, drop it from the page's
    index of content, and number what stays 0, 1, 2... again, in the content and the tree."""
    kept = [mcid for mcid in range(len(mcids)) if mcid not in gone]
    renumbered = {old: new for new, old in enumerate(kept) if old != new}
    items = stream.stream
    for i, item in enumerate(items):
        if isinstance(item, pydyf.Dictionary) and "MCID" in item:
            mcid = item["MCID"]
            if mcid in gone:
                items[i - 1] = "/Artifact"
                items[i] = pydyf.Dictionary({"Type": "/Pagination"})
            elif mcid in renumbered:
                item["MCID"] = renumbered[mcid]
    owners = {mcids[old] for old in renumbered}
    for owner in owners:
        kids = element(owner)["K"]
        kids[:] = [renumbered.get(k, k) if isinstance(k, int) else k for k in kids]
    mcids[:] = [mcids[mcid] for mcid in kept]
