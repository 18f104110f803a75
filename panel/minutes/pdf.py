"""The minutes as a PDF: what the chair publishes to readers, and the full copy for members.

`render_pdf(document)` renders either layer of a `Document` (`document.for_members` decides what
is shown) through templates/minutes/pdf.html and static/pdf/minutes.css with WeasyPrint, as a
tagged PDF/UA-1 document in British English: headings are its bookmarks, tables keep their header
cells and repeat their header row on every page they run onto, and the protective marking is at
the top and bottom of every page. It is the `render` that `services.publish` stores.

Nothing is fetched while rendering: the stylesheet is read from disk once, the font is a local
one, and the URL fetcher refuses every URL, so text people typed can never reach the network or
the file system even if it were ever rendered unescaped.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Iterator
from contextlib import contextmanager

from flask import render_template
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

from panel.app import ROOT
from panel.minutes.document import Document

STYLESHEET = ROOT / "static" / "pdf" / "minutes.css"
TEMPLATE = "minutes/pdf.html"
# Tagged, with the document's language and title, as PDF/UA-1 requires.
PDF_VARIANT = "pdf/ua-1"


def render_pdf(document: Document) -> bytes:
    """The PDF of `document`, either layer. Needs an application context (for the template)."""
    html = render_template(TEMPLATE, document=document)
    fetcher = URLFetcher(allowed_protocols=frozenset())
    with _collection_paused():
        return HTML(string=html, url_fetcher=fetcher).write_pdf(
            stylesheets=[_stylesheet()], pdf_variant=PDF_VARIANT
        )


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
def _stylesheet() -> CSS:
    """Parsed once per process: the file only changes with a deployment."""
    return CSS(filename=str(STYLESHEET))
