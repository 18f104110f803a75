"""Settings, read from the environment with safe development defaults.

`PANEL_ENV` chooses the profile: ``development`` (default) or ``production``. Production refuses to
start without a real ``SECRET_KEY`` and turns on the ``Secure`` cookie flag.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


class ConfigurationError(RuntimeError):
    """The app cannot start safely with these settings."""


def database_url(url: str | None, instance_path: str) -> str:
    """The SQLAlchemy URL for `url`, or SQLite in the instance folder when unset.

    Hosting platforms hand out ``postgres://`` or ``postgresql://`` URLs; for SQLAlchemy those mean
    psycopg2, which we do not install, so map them to psycopg 3.
    """
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "panel.sqlite")
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def instance_secret_key(instance_path: str) -> str:
    """A secret generated once into the instance folder and reused, so sessions survive restarts."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Create the file readable by its owner only.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def load(instance_path: str, environ: os._Environ | dict | None = None) -> dict:
    """The settings for this process as a dict for ``app.config``."""
    env = os.environ if environ is None else environ
    profile = env.get("PANEL_ENV", "development")
    if profile not in ("development", "production"):
        raise ConfigurationError(f"PANEL_ENV must be development or production, not {profile!r}")
    production = profile == "production"

    secret = env.get("SECRET_KEY", "")
    if production and len(secret) < 32:
        raise ConfigurationError(
            "Set SECRET_KEY to a random value of at least 32 characters to run in production "
            "(for example: python -c 'import secrets; print(secrets.token_hex(32))')."
        )

    proxy_count = env.get("PROXY_COUNT", "0")
    if not proxy_count.isdigit():
        raise ConfigurationError(f"PROXY_COUNT must be a whole number, not {proxy_count!r}")

    return {
        "PANEL_ENV": profile,
        "PRODUCTION": production,
        "SECRET_KEY": secret or instance_secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url(env.get("DATABASE_URL"), instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Session cookie: never readable by scripts, not sent on cross-site POSTs, HTTPS only in
        # production. Panel never sets a remember-me cookie, so the session ends with sign-out.
        "SESSION_COOKIE_NAME": "panel_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "WTF_CSRF_TIME_LIMIT": None,  # tied to the session instead, so long forms do not expire
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "PAGE_SIZE": 25,
        # How many proxies (e.g. a TLS-terminating nginx) sit in front of the app: their
        # X-Forwarded-For and -Proto headers are then trusted for the client address and scheme.
        "PROXY_COUNT": int(proxy_count),
    }
