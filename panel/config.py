"""Settings, read from the environment with safe development defaults.

`PANEL_ENV` chooses the profile: ``development`` (default) or ``production``. Production refuses to
start without a real ``SECRET_KEY`` and ``AUDIT_CHAIN_KEY`` (long, and not a pattern), with mail
written to the log, or with throttling counts in memory across several workers, and turns on the
``Secure`` cookie flag.
"""

from __future__ import annotations

import ipaddress
import math
import os
import secrets
import shlex
import sys
import tempfile
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit

from zxcvbn import zxcvbn

from panel.core import encryption


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
    return _instance_secret(Path(instance_path) / "secret_key", lambda: secrets.token_hex(32))


def instance_data_key(instance_path: str) -> str:
    """Development's key for secrets encrypted at rest, generated once like the secret key."""
    return _instance_secret(Path(instance_path) / "data_key", encryption.generate_key)


def instance_audit_chain_key(instance_path: str) -> str:
    """Development's key for the audit trail's hash chain, generated once like the secret key."""
    return _instance_secret(Path(instance_path) / "audit_chain_key", lambda: secrets.token_hex(32))


def _instance_secret(path: Path, generate) -> str:
    """Read the secret in `path`, or generate and write it if there is none.

    Several processes may start at once (CI runs two test suites side by side), so the secret is
    written to a private temporary file and hard-linked into place: the link either creates the
    file whole or fails because another process got there first, whose secret is then used.
    """
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = generate()
    # mkstemp creates the file readable by its owner only.
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
        os.link(temporary, path)
    except FileExistsError:
        return path.read_text().strip()
    finally:
        os.unlink(temporary)
    return key


def worker_count(env, argv: list[str]) -> int:
    """How many worker processes serve Panel, as far as this process can tell: the most that
    `PANEL_WORKERS` says, or gunicorn may start from what it reads itself (``--workers`` or
    ``-w`` on its command line, which its workers inherit, or in `GUNICORN_CMD_ARGS`, and
    `WEB_CONCURRENCY`, its default). A count set only in a gunicorn configuration file cannot be
    seen: set `PANEL_WORKERS` to match."""
    counts = [_whole_number(env, "PANEL_WORKERS", "1")]
    if argv and Path(argv[0]).name.startswith("gunicorn"):
        counts.append(_workers_option(argv[1:]))
    counts.append(_workers_option(shlex.split(env.get("GUNICORN_CMD_ARGS", ""))))
    concurrency = env.get("WEB_CONCURRENCY", "")
    if concurrency.isascii() and concurrency.isdigit():
        counts.append(int(concurrency))
    return max(counts)


def _workers_option(arguments: list[str]) -> int:
    """The worker count in gunicorn's arguments (``--workers 3``, ``--workers=3``, ``-w 3``,
    ``-w3``), or 1."""
    for position, argument in enumerate(arguments):
        following = arguments[position + 1] if position + 1 < len(arguments) else ""
        if argument in ("--workers", "-w"):
            value = following
        elif argument.startswith("--workers="):
            value = argument.partition("=")[2]
        elif argument.startswith("-w") and not argument.startswith("--"):
            value = argument[2:]
        else:
            continue
        if value.isascii() and value.isdigit():
            return int(value)
    return 1


def load(
    instance_path: str, environ: os._Environ | dict | None = None, argv: list[str] | None = None
) -> dict:
    """The settings for this process as a dict for ``app.config``. `argv` is this process's
    command line (by default `sys.argv`): a gunicorn worker inherits gunicorn's."""
    env = os.environ if environ is None else environ
    profile = env.get("PANEL_ENV", "development")
    if profile not in ("development", "production"):
        raise ConfigurationError(f"PANEL_ENV must be development or production, not {profile!r}")
    production = profile == "production"

    secret = env.get("SECRET_KEY", "")
    if production and (len(secret) < 32 or guessable_secret(secret)):
        raise ConfigurationError(
            "Set SECRET_KEY to a random value of at least 32 characters to run in production, "
            "not a pattern or words (for example: "
            "python -c 'import secrets; print(secrets.token_hex(32))')."
        )

    data_keys = data_encryption_keys(env, production, instance_path)
    audit_key = audit_chain_key(env, production, instance_path)

    proxy_count = env.get("PROXY_COUNT", "0")
    if not proxy_count.isdigit():
        raise ConfigurationError(f"PROXY_COUNT must be a whole number, not {proxy_count!r}")

    workers = worker_count(env, sys.argv if argv is None else argv)
    throttle_storage = env.get("RATELIMIT_STORAGE_URI", "memory://")
    if production and workers > 1 and throttle_storage.startswith("memory://"):
        raise ConfigurationError(
            f"Panel runs in {workers} worker processes, and with RATELIMIT_STORAGE_URI memory:// "
            "each would keep its own throttling counts, letting that many times the attempts "
            "through. Set RATELIMIT_STORAGE_URI to a Redis server they share (for example "
            "redis://127.0.0.1:6379/0), or run one worker."
        )

    jobs = jobs_settings(env, production, workers)

    log_format = env.get("LOG_FORMAT", "json" if production else "text")
    if log_format not in ("json", "text"):
        raise ConfigurationError(f"LOG_FORMAT must be json or text, not {log_format!r}")

    mail = mail_settings(env, production)
    idle = _whole_number(env, "SESSION_IDLE_MINUTES", "30")
    most = _whole_number(env, "SESSION_MAX_HOURS", "12")

    return {
        "PANEL_ENV": profile,
        "PRODUCTION": production,
        "SECRET_KEY": secret or instance_secret_key(instance_path),
        # Secrets kept encrypted in the database (panel/encryption.py): the first key encrypts.
        "DATA_ENCRYPTION_KEYS": data_keys,
        # Keys the audit trail's hash chain and signs its anchors (panel/core/audit.py).
        "AUDIT_CHAIN_KEY": audit_key,
        "SQLALCHEMY_DATABASE_URI": database_url(env.get("DATABASE_URL"), instance_path),
        # pool_pre_ping: a connection the database or the network dropped (a restart, a
        # failover) is replaced when next taken from the pool, so the app recovers by itself.
        # hide_parameters: an error's message and its traceback in the log never carry a
        # statement's values, which are case text and people's details (request_log.py).
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        # A database host that stops answering (a network cut, rather than a server that refuses)
        # would hold a request for minutes, until TCP gives up, past gunicorn's worker timeout
        # (30 s), which kills the worker: people would get the proxy's error page instead of
        # Panel's 503. PostgreSQL only (applied in app.py).
        "DATABASE_CONNECT_TIMEOUT": _whole_number(env, "DATABASE_CONNECT_TIMEOUT", "10"),
        # Session cookie: never readable by scripts, not sent on cross-site POSTs, HTTPS only in
        # production. Panel never sets a remember-me cookie, so the session ends with sign-out.
        # In production its name starts __Host-: browsers then take it only if it is Secure,
        # for the whole site and this host alone, so a sibling subdomain cannot plant one (ASVS
        # 5.0 3.3.1, 3.3.3). Development serves plain HTTP, where browsers refuse such a name.
        "SESSION_COOKIE_NAME": "__Host-panel_session" if production else "panel_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "WTF_CSRF_TIME_LIMIT": None,  # tied to the session instead, so long forms do not expire
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "PAGE_SIZE": 25,
        # How many proxies (e.g. a TLS-terminating nginx) sit in front of the app: their
        # X-Forwarded-For and -Proto headers are then trusted for the client address and scheme.
        "PROXY_COUNT": int(proxy_count),
        # A session ends after this long without a request, and this long after sign-in.
        "SESSION_IDLE_MINUTES": idle,
        "SESSION_MAX_HOURS": most,
        # A warning, with the choice to stay signed in, comes this long before the idle
        # timeout (WCAG 2.2.1: at least 20 seconds to answer; two minutes is GOV.UK's pattern).
        "SESSION_WARNING_SECONDS": _whole_number(env, "SESSION_WARNING_SECONDS", "120"),
        # Changing an e-mail address, a second factor or someone's roles needs a sign-in (or a
        # "Confirm it's you") at most this long ago (panel/core/reauth.py).
        "RECENT_SIGN_IN_MINUTES": _whole_number(env, "RECENT_SIGN_IN_MINUTES", "15"),
        # This many failed sign-ins for one e-mail address lock it for this many minutes.
        "SIGN_IN_MAX_FAILURES": _whole_number(env, "SIGN_IN_MAX_FAILURES", "5"),
        "SIGN_IN_LOCK_MINUTES": _whole_number(env, "SIGN_IN_LOCK_MINUTES", "15"),
        # Throttling (panel/core/throttle.py): memory:// suits one process; several share redis://
        # (production refuses memory:// with more than one worker, `worker_count`).
        "RATELIMIT_STORAGE_URI": throttle_storage,
        # Logs (panel/core/request_log.py): one JSON object a line for a collector, or text.
        "LOG_FORMAT": log_format,
        "WORKERS": workers,
        # Per client address. Offices share an address, so these are generous; the account lock
        # (panel/accounts/services.py) is what stops guessing one person's password.
        "SIGN_IN_RATE_LIMIT": env.get("SIGN_IN_RATE_LIMIT", "20 per minute; 200 per hour"),
        "TWO_FACTOR_RATE_LIMIT": env.get("TWO_FACTOR_RATE_LIMIT", "20 per minute; 200 per hour"),
        "PASSWORD_RESET_RATE_LIMIT": env.get(
            "PASSWORD_RESET_RATE_LIMIT", "5 per minute; 50 per hour"
        ),
        **mail,
        **jobs,
        **passkey_settings(env, mail["PANEL_BASE_URL"]),
    }


def passkey_settings(env: os._Environ | dict, base_url: str) -> dict:
    """Where passkeys work (WebAuthn's relying party): its id, a domain name that every passkey
    is bound to, and the origins the browser may use them from. By default both come from
    PANEL_BASE_URL. Browsers refuse an IP address as the id, so in development, served on
    http://127.0.0.1:5000, passkeys are for http://localhost:5000 (the same server)."""
    parts = urlsplit(base_url)
    host = parts.hostname or "localhost"
    if _is_ip_address(host):
        host = "localhost"
    origin = f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")
    origins = [item.strip() for item in env.get("WEBAUTHN_ORIGINS", origin).split(",")]
    return {
        "WEBAUTHN_RP_ID": env.get("WEBAUTHN_RP_ID", host),
        "WEBAUTHN_ORIGINS": [item for item in origins if item],
    }


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


# A secret key zxcvbn would guess in fewer tries than this (about 80 bits) is refused: 32 random
# hexadecimal digits are estimated at 10^30 or more, 32 repeated characters at 10^3.
SECRET_MIN_GUESSES_LOG10 = 24


def guessable_secret(secret: str) -> bool:
    """Whether `secret` is long but made of a pattern (a repeated character or string, a
    sequence, keyboard rows, words), which a length check alone lets through. zxcvbn estimates
    the guesses from those patterns; it reads the first 100 characters, which is plenty."""
    return zxcvbn(secret[:100])["guesses_log10"] < SECRET_MIN_GUESSES_LOG10


def data_encryption_keys(env, production: bool, instance_path: str) -> list[str]:
    """DATA_ENCRYPTION_KEY: one Fernet key, or several comma-separated while replacing one."""
    given = [key.strip() for key in env.get("DATA_ENCRYPTION_KEY", "").split(",") if key.strip()]
    if not given:
        if production:
            raise ConfigurationError(
                "Set DATA_ENCRYPTION_KEY to run in production; keep it out of the database and its "
                "backups (make one with: python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())')."
            )
        return [instance_data_key(instance_path)]
    for position, key in enumerate(given, start=1):
        if not encryption.valid_key(key):
            raise ConfigurationError(
                f"DATA_ENCRYPTION_KEY key {position} is not a Fernet key (32 bytes in URL-safe "
                "base64, 44 characters)"
            )
    return given


def audit_chain_key(env, production: bool, instance_path: str) -> str:
    """AUDIT_CHAIN_KEY: keys the audit trail's hash chain (HMAC-SHA256) and signs the anchors
    `flask audit-anchor` prints. Whoever can write the database must not hold it, or they could
    rewrite the trail and recompute every link: like DATA_ENCRYPTION_KEY, it is kept out of the
    database and its backups. Not SECRET_KEY, which the web processes use for sessions."""
    key = env.get("AUDIT_CHAIN_KEY", "")
    if not key:
        if production:
            raise ConfigurationError(
                "Set AUDIT_CHAIN_KEY to run in production: a random value of at least 32 "
                "characters, kept out of the database and its backups (for example: "
                "python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        return instance_audit_chain_key(instance_path)
    if production and (len(key) < 32 or guessable_secret(key)):
        raise ConfigurationError(
            "AUDIT_CHAIN_KEY must be a random value of at least 32 characters, not a pattern or "
            "words (for example: python -c 'import secrets; print(secrets.token_hex(32))')."
        )
    if production and key == env.get("SECRET_KEY"):
        raise ConfigurationError(
            "AUDIT_CHAIN_KEY must differ from SECRET_KEY: give the audit trail a key of its own."
        )
    return key


def _whole_number(env, name: str, default: str) -> int:
    value = env.get(name, default)
    if not (value.isascii() and value.isdigit() and int(value) > 0):
        raise ConfigurationError(f"{name} must be a whole number above 0, not {value!r}")
    return int(value)


# Seconds before each retry of a job that failed (an e-mail the server did not take): after the
# last, the job is left among the failed ones and its message is marked failed.
JOBS_RETRY_INTERVALS = "10,60,300,1800,7200"


def jobs_settings(env: os._Environ | dict, production: bool, workers: int) -> dict:
    """The job queue (`panel.core.jobs`): Redis when `JOBS_REDIS_URL` is set, else each process
    runs its own jobs after the response. Production with several workers requires Redis, as for
    throttling: a web worker would otherwise spend its time on the mail server (MAIL_TIMEOUT per
    message when it is down) and on slow pages' work instead of serving pages, with no back-off."""
    url = env.get("JOBS_REDIS_URL", "")
    if url and not url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigurationError(
            f"JOBS_REDIS_URL must be a Redis URL such as redis://127.0.0.1:6379/1, not {url!r}"
        )
    if production and workers > 1 and not url:
        raise ConfigurationError(
            f"Panel runs in {workers} worker processes, and without JOBS_REDIS_URL each would "
            "send its own e-mail and do slow work between pages, retrying a mail server that is "
            "down only with the next message. Set JOBS_REDIS_URL to a Redis server (for example "
            "redis://127.0.0.1:6379/1) and run `flask jobs-worker`, or run one worker."
        )
    intervals = env.get("JOBS_RETRY_INTERVALS", JOBS_RETRY_INTERVALS)
    try:
        seconds = [int(part) for part in intervals.split(",")]
    except ValueError:
        seconds = []
    if not seconds or any(second < 0 for second in seconds):
        raise ConfigurationError(
            "JOBS_RETRY_INTERVALS must be seconds between retries, comma-separated, such as "
            f"{JOBS_RETRY_INTERVALS}, not {intervals!r}"
        )
    return {
        "JOBS_REDIS_URL": url or None,
        "JOBS_QUEUE": env.get("JOBS_QUEUE", "panel"),
        "JOBS_RETRY_INTERVALS": seconds,
    }


def mail_settings(env: os._Environ | dict, production: bool) -> dict:
    """Outgoing e-mail (`panel.core.mail`). Development writes mail to the log, not to anyone."""
    backend = env.get("MAIL_BACKEND", "smtp" if production else "log")
    if backend not in ("log", "smtp"):
        raise ConfigurationError(f"MAIL_BACKEND must be log or smtp, not {backend!r}")
    if production and backend == "log":
        raise ConfigurationError(
            "MAIL_BACKEND log writes e-mail, password reset links and invitations included, to "
            "the log, where whoever reads it could use them: production sends mail (smtp)."
        )
    security = env.get("MAIL_SECURITY", "starttls" if production else "none")
    if security not in ("none", "starttls", "tls"):
        raise ConfigurationError(f"MAIL_SECURITY must be none, starttls or tls, not {security!r}")
    server = env.get("MAIL_SERVER", "localhost")
    # Reset links and invitations must not cross a network in clear (ASVS 5.0 12.3.1); a relay
    # on the same machine (loopback) is the one place plain SMTP stays on the host.
    if production and security == "none" and server not in ("localhost", "127.0.0.1", "::1"):
        raise ConfigurationError(
            f"MAIL_SECURITY none would send reset links and invitations to {server} in clear: "
            "production uses starttls or tls, or plain SMTP only to a relay on this machine "
            "(MAIL_SERVER=localhost)."
        )
    port = env.get("MAIL_PORT", "25")
    if not (port.isascii() and port.isdigit() and 0 < int(port) < 65536):
        raise ConfigurationError(f"MAIL_PORT must be a port number, not {port!r}")
    timeout = env.get("MAIL_TIMEOUT", "10")
    try:
        seconds = float(timeout)
    except ValueError:
        seconds = 0.0
    if not (math.isfinite(seconds) and seconds > 0):
        raise ConfigurationError(f"MAIL_TIMEOUT must be a number of seconds, not {timeout!r}")
    sender = env.get("MAIL_FROM", "Panel <panel@localhost>")
    if "@" not in parseaddr(sender)[1]:
        raise ConfigurationError(f"MAIL_FROM must be an e-mail address, not {sender!r}")
    # Links in e-mail point here: commands run from cron have no request to take the host from.
    if production and not env.get("PANEL_BASE_URL"):
        raise ConfigurationError(
            "Set PANEL_BASE_URL to the address people reach Panel at, such as "
            "https://panel.example.org: links in e-mail are built on it."
        )
    base_url = env.get("PANEL_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    if not _is_base_url(base_url):
        raise ConfigurationError(
            "PANEL_BASE_URL must be the address Panel is served at, such as "
            f"https://panel.example.org or https://example.org/panel, not {base_url!r}"
        )
    return {
        "MAIL_BACKEND": backend,
        "MAIL_SERVER": server,
        "MAIL_PORT": int(port),
        "MAIL_SECURITY": security,
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_FROM": sender,
        "MAIL_TIMEOUT": seconds,
        "PANEL_BASE_URL": base_url,
    }


def _is_base_url(url: str) -> bool:
    parts = urlsplit(url)
    try:
        return (
            parts.scheme in ("http", "https")
            and bool(parts.hostname)
            and parts.port != 0  # reading the port raises ValueError when it is not a number
            and not (parts.username or parts.query or parts.fragment)
        )
    except ValueError:
        return False
