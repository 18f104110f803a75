"""Where to send someone next: only ever a path on this site."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request, url_for


def safe_next(target: str | None) -> str:
    """Only same-site paths: never send someone onward to another site after signing in or
    accepting the agreement; anything else goes to the home page."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("panels.home")


def come_back_to() -> str | None:
    """Where to return to after a page in between (accepting the agreement, confirming it's
    you): this page; for a posted form, which cannot be replayed, the same address when it offers
    the action again as a page (so the person is taken back to what they asked for), else the
    page the form was on. The page in between checks the address is ours (`safe_next`)."""
    if request.method == "GET":
        return request.full_path.rstrip("?")
    offered = request.url_rule is not None and "GET" in request.url_rule.methods
    return request.path if offered else _referrer_path()


def _referrer_path() -> str | None:
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc and referrer.netloc != request.host:
        return None
    return (referrer.path + (f"?{referrer.query}" if referrer.query else "")) or None
