"""The key messages of a meeting as a short PDF marked OFFICIAL, for sharing beyond the panel.

`render_pdf(content)` renders a published key messages document (`services.document_content`)
through templates/minutes/key_messages/pdf.html and static/pdf/key_messages.css with the same
renderer as the minutes (`panel.core.pdf.render`): a tagged PDF/UA-1 document in British English
with its title, OFFICIAL at the top and bottom of every page (never OFFICIAL-SENSITIVE: nothing in
it identifies anyone, which the strict personal-data guard holds), dated with the publication
and given an identifier made from its content, so that it renders to the same bytes again.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from flask import render_template

from panel.core.pdf import render

STYLESHEET = ("pdf", "key_messages.css")
TEMPLATE = "minutes/key_messages/pdf.html"


def render_pdf(content: dict[str, Any], *, created: datetime | None = None) -> bytes:
    """The PDF of the key messages document `content`, dated `created` (the publication) if
    given. Needs an application context (for the template)."""
    html = render_template(
        TEMPLATE,
        document=content,
        created=created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if created else None,
    )
    identifier = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:32]
    return render(html, [STYLESHEET], identifier.encode())
