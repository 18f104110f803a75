"""The application factory: settings, extensions, the GOV.UK templates, the access check every
request passes through, blueprints, CLI commands and error pages."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, current_app, g, request
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.routing import IntegerConverter

from panel import access, config
from panel.accounts.two_factor import views as two_factor_pages
from panel.core import jobs, registry, request_log, sessions, throttle, unit_of_work
from panel.extensions import csrf, db, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(
        "panel",
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=os.environ.get("PANEL_INSTANCE_PATH", str(ROOT / "instance")),
    )
    app.url_map.converters["int"] = IdConverter
    app.session_interface = sessions.CookieSessions()
    app.config.from_mapping(config.load(app.instance_path))
    app.config.from_mapping(overrides or {})

    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)

    _init_templates(app)
    registry.init_app(app, contributions())
    _init_database(app)
    _init_sign_in(app)
    csrf.init_app(app)
    request_log.init_app(app)  # the request id first, the access line last
    app.before_request(sessions.check)  # ends idle or too-old sessions before any check
    app.before_request(two_factor_pages.enforce)  # someone who must set up a second factor does so
    app.before_request(access.enforce)
    app.after_request(_security_headers)
    unit_of_work.init_app(app)  # each request commits once, at its end
    jobs.init_app(app)  # then its e-mail and slow work go to the queue, or run after the response

    from panel.core.errors import register_error_pages
    from panel.views import register_blueprints

    register_blueprints(app)
    register_error_pages(app)
    throttle.init_app(app)  # after the blueprints: it wraps their views
    _init_cli(app)
    return app


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: a whole number that fits the database's integer columns. A
    larger one (an edited address) is Not Found, rather than an overflow in the driver (a 500)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def contributions() -> registry.Registry:
    """What each domain adds to the others, all in one place (`panel.core.registry`)."""
    from panel.accounts import queries as accounts
    from panel.cases import retention as case_retention
    from panel.cases import services as cases
    from panel.cases import views as case_pages
    from panel.insight import views as insight_pages
    from panel.interventions import matters as intervention_matters
    from panel.interventions import reminders as intervention_reminders
    from panel.interventions import retention as intervention_retention
    from panel.interventions import views as intervention_pages
    from panel.interventions.live_cases import views as live_case_pages
    from panel.lessons import matters as lesson_matters
    from panel.lessons import reminders as lesson_reminders
    from panel.lessons import views as lesson_pages
    from panel.meetings import matters as meeting_matters
    from panel.meetings.agenda import views as agenda_pages
    from panel.meetings.models import MeetingStatus
    from panel.minutes import views as minutes_pages
    from panel.minutes.key_messages import views as key_message_pages

    return registry.Registry(
        matters_arising=[
            meeting_matters.ACTIONS,
            lesson_matters.OUTSTANDING_RECOMMENDATIONS,
            intervention_matters.OPEN_INTERVENTIONS,
        ],
        recipients=accounts.active_people,
        reminders=[
            lesson_reminders.recommendations_due,
            intervention_reminders.interventions_due,
        ],
        retention_rules=[
            case_retention.CASE_REVIEWS,
            intervention_retention.LIVE_CASES,
            intervention_retention.INTERVENTIONS,
        ],
        template_globals={
            **agenda_pages.TEMPLATE_GLOBALS,
            **case_pages.TEMPLATE_GLOBALS,
            **lesson_pages.TEMPLATE_GLOBALS,
            **live_case_pages.TEMPLATE_GLOBALS,
            **intervention_pages.TEMPLATE_GLOBALS,
            **minutes_pages.TEMPLATE_GLOBALS,
            **key_message_pages.TEMPLATE_GLOBALS,
            **insight_pages.TEMPLATE_GLOBALS,
            # The meetings', minutes' and lessons' pages say what a meeting's status allows.
            "MeetingStatus": MeetingStatus,
        },
        own_reference_prefixes=cases.reference_prefixes,
    )


def _init_templates(app: Flask) -> None:
    from govuk_frontend_wtf.main import WTFormsHelpers

    from panel import navigation
    from panel.core import guard, pagination, templating
    from panel.core import time as core_time

    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(ROOT / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.template_class = templating.Template  # imports made cheap (see there)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)
    app.context_processor(navigation.template_context)
    app.add_template_filter(core_time.format_datetime, "datetime")
    app.add_template_filter(core_time.format_time, "time_of_day")
    app.add_template_global(guard.highlight, "guard_highlight")
    app.add_template_global(pagination.page_url)


def _init_database(app: Flask) -> None:
    from sqlalchemy import event

    from panel.core.database import render_migration_item

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        options = app.config["SQLALCHEMY_ENGINE_OPTIONS"] = dict(
            app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})
        )
        options["connect_args"] = {
            "connect_timeout": app.config["DATABASE_CONNECT_TIMEOUT"],
            **options.get("connect_args", {}),
        }
    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(ROOT / "migrations"),
        compare_type=True,
        render_as_batch=True,  # SQLite alters tables by copying them; Alembic's batch mode does it
        render_item=render_migration_item,
    )
    # Import every model so that Flask-Migrate and the drift test see the whole schema.
    import panel.models  # noqa: F401

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            engine = db.engine
        _create_private(engine.url.database)

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection, _record):
            # Enforce foreign keys, and let SQLAlchemy (not the driver) decide when transactions
            # begin, so that savepoints and rollbacks behave as on PostgreSQL.
            dbapi_connection.isolation_level = None
            dbapi_connection.execute("PRAGMA foreign_keys = ON")

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection):
            connection.exec_driver_sql("BEGIN")

    elif app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        with app.app_context():
            engine = db.engine

        @event.listens_for(engine, "connect")
        def _postgresql_connect(dbapi_connection, _record):
            # No just-in-time compilation: Panel's queries take milliseconds, and PostgreSQL
            # compiled the costlier ones (a count that stops at 1,001 rows looks costly to it)
            # for 50-60 ms each on the national dataset, more than the query itself.
            dbapi_connection.execute("SET jit = off")
            # psycopg prepares a statement run five times on a connection, and PostgreSQL may
            # then plan it once for any parameters. Panel's data is skewed (one panel, one
            # organisation holds far more than another), and such generic plans made the
            # navigation's 0.1 ms count take 10-20 ms, and a lessons search's count 135 ms
            # instead of 12, on the national dataset. Planning each time costs about 0.3 ms.
            dbapi_connection.execute("SET plan_cache_mode = force_custom_plan")
            dbapi_connection.commit()


def _create_private(path: str | None) -> None:
    """Create the SQLite file, if it is not there yet, readable and writable by its owner only:
    it holds everything, and SQLite would create it readable by everyone under the usual umask.
    SQLite gives its journal and WAL files the database file's mode."""
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except (FileExistsError, FileNotFoundError):
        return  # there already, or its folder is missing (SQLite will say so when it connects)


def _init_sign_in(app: Flask) -> None:
    from panel.accounts import services
    from panel.accounts.models import User

    login_manager.init_app(app)
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = "Sign in to see that page."
    login_manager.login_message_category = "info"
    # Never "remember me": a session ends at sign-out or when the browser closes.
    app.config["REMEMBER_COOKIE_DURATION"] = 0

    @login_manager.user_loader
    def load_user(session_id: str) -> User | None:
        # The session holds "<user id>:<session token>"; a replaced token ends the session.
        return services.user_for_session(session_id, production=current_app.config["PRODUCTION"])


_CSP = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; "
    "style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_EVERY_RESPONSE = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
# Browsers must use HTTPS for a year, so no first request goes out in the clear.
_HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
# Pages hold OFFICIAL-SENSITIVE material: keep them out of shared caches and history.
_NO_STORE = ("Cache-Control", "no-store")


def _security_headers(response):
    """Every response's security headers, unless the view set its own (a calendar feed's
    Referrer-Policy, say): the response's headers are looked through once and the missing ones
    added together, rather than one search and one addition per header."""
    present = {key.lower() for key, _value in response.headers.items()}
    wanted = [
        ("Content-Security-Policy", _CSP.format(nonce=g.get("csp_nonce", ""))),
        *_EVERY_RESPONSE,
    ]
    if current_app.config["PRODUCTION"]:
        wanted.append(_HSTS)
    if request.endpoint != "static":
        wanted.append(_NO_STORE)
    response.headers.extend([(key, value) for key, value in wanted if key.lower() not in present])
    return response


def _init_cli(app: Flask) -> None:
    from panel.accounts.cli import create_admin_command, rotate_data_key_command
    from panel.backup import backup_command, restore_command
    from panel.core.audit import audit_anchor_command, audit_verify_command
    from panel.core.jobs import (
        jobs_retry_failed_command,
        jobs_status_command,
        jobs_worker_command,
        send_outbox_command,
    )
    from panel.core.reminders import send_reminders_command
    from panel.core.retention import apply_retention_command
    from panel.demo import demo_code_command, demo_data_command
    from panel.minutes.cli import minutes_pdf_command

    app.cli.add_command(create_admin_command)
    app.cli.add_command(audit_verify_command)
    app.cli.add_command(audit_anchor_command)
    app.cli.add_command(demo_code_command)
    app.cli.add_command(demo_data_command)
    app.cli.add_command(minutes_pdf_command)
    app.cli.add_command(send_reminders_command)
    app.cli.add_command(apply_retention_command)
    app.cli.add_command(rotate_data_key_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(jobs_worker_command)
    app.cli.add_command(jobs_status_command)
    app.cli.add_command(jobs_retry_failed_command)
    app.cli.add_command(send_outbox_command)
