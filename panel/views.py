"""The blueprints: one per domain package, and one per sub-package that has pages of its own."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from panel.accounts.links.views import bp as account_links
    from panel.accounts.passkeys.views import bp as passkeys
    from panel.accounts.two_factor.views import bp as two_factor
    from panel.accounts.views import bp as accounts
    from panel.admin.views import bp as admin
    from panel.cases.agreement.views import bp as agreement
    from panel.cases.pool.views import bp as pool
    from panel.cases.views import bp as cases
    from panel.health import bp as health
    from panel.insight.views import bp as insight
    from panel.interventions.live_cases.views import bp as live_cases
    from panel.interventions.views import bp as interventions
    from panel.lessons.views import bp as lessons
    from panel.meetings.agenda.views import bp as agenda
    from panel.meetings.attendance.views import bp as attendance
    from panel.meetings.calendar.views import bp as calendar
    from panel.meetings.views import bp as meetings
    from panel.minutes.key_messages.views import bp as key_messages
    from panel.minutes.views import bp as minutes
    from panel.panels.views import bp as panels

    for blueprint in (
        accounts,
        account_links,
        two_factor,
        passkeys,
        panels,
        admin,
        meetings,
        agenda,
        attendance,
        calendar,
        cases,
        agreement,
        pool,
        lessons,
        live_cases,
        interventions,
        minutes,
        key_messages,
        insight,
        health,
    ):
        app.register_blueprint(blueprint)
