"""Panel: multi-agency hate crime scrutiny and local panels.

`panel.create_app()` builds the application (see `panel/app.py`). The import is deferred so that
plain modules such as `panel.core.anonymise` load without Flask and the database layer, which keeps
`flask pii-scan` quick to start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def create_app(overrides: dict | None = None) -> Flask:
    from panel.app import create_app as build

    return build(overrides)
