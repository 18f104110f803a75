"""The blueprints, one per domain package."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    import panel.admin.two_factor_views  # noqa: F401  (adds the two-factor reset to `admin`)
    import panel.cases.agreement_views  # noqa: F401  (adds the agreement routes to `cases`)
    import panel.interventions.matters  # noqa: F401  (open interventions arise at meetings)
    import panel.meetings.agenda_views  # noqa: F401  (adds the agenda routes to `meetings`)
    import panel.meetings.attendance_views  # noqa: F401  (attendance, guests, actions, quorum)
    import panel.meetings.calendar_views  # noqa: F401  (adds the calendar routes to `meetings`)
    from panel.accounts.link_views import bp as account_links
    from panel.accounts.views import bp as accounts
    from panel.admin.views import bp as admin
    from panel.cases.views import bp as cases
    from panel.core.health import bp as health
    from panel.interventions.case_views import bp as panel_cases
    from panel.interventions.views import bp as interventions
    from panel.lessons.views import bp as lessons
    from panel.meetings.views import bp as meetings
    from panel.minutes.views import bp as minutes
    from panel.panels.views import bp as panels

    app.register_blueprint(accounts)
    app.register_blueprint(account_links)
    app.register_blueprint(panels)
    app.register_blueprint(admin)
    app.register_blueprint(meetings)
    app.register_blueprint(cases)
    app.register_blueprint(lessons)
    app.register_blueprint(panel_cases)
    app.register_blueprint(interventions)
    app.register_blueprint(minutes)
    app.register_blueprint(health)
