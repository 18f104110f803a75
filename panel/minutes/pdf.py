"""The minutes as a PDF: what the chair publishes to readers, and the full copy for members.

`render_pdf(document)` renders either layer of a `Document` (`document.for_members` decides what
is shown) through templates/minutes/pdf.html and static/pdf/minutes.css with WeasyPrint, as a
tagged PDF/UA-1 document in British English: headings are its bookmarks, tables keep their header
cells and repeat their header row on every page they run onto, and the protective marking is at
the top and bottom of every page, with which version it is (and DRAFT until approved) in the
running header and the title. It is the `render` that `services.publish` stores, both layers.

The same document renders to the same bytes every time, so that `flask minutes-pdf --verify`
can re-render a published version and compare: WeasyPrint writes no date of its own, the only
date is the publication's (`created`), and the file identifier is made from the document.

The rendering itself (the tag tree completed, nothing fetched) is `panel.core.pdf.render`, which
the annual reports share.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from flask import render_template

from panel.core.pdf import render
from panel.minutes.document import Document

# The print stylesheet, in the app's static folder.
STYLESHEET = ("pdf", "minutes.css")
TEMPLATE = "minutes/pdf.html"


def render_pdf(document: Document, *, created: datetime | None = None) -> bytes:
    """The PDF of `document`, either layer, dated `created` (the publication) if given. Needs an
    application context (for the template)."""
    html = render_template(
        TEMPLATE,
        document=document,
        created=created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if created else None,
    )
    return render(html, [STYLESHEET], _identifier(document))


def _identifier(document: Document) -> bytes:
    """The file identifier: the same for every rendering of this version of this layer (the PDF's
    second identifier, a hash of its content, tells renderings that differ apart)."""
    name = f"{document.title}\n{document.layer}\nversion {document.version}"
    return hashlib.sha256(name.encode()).hexdigest()[:32].encode()
