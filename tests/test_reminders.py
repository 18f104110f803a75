"""`flask send-reminders`: one e-mail per person of what is overdue or due within 14 days, with
links and dates only, sent to a real SMTP server on localhost (tests/mailserver.py).

Every run here is on a fixed day (`--today`), so the tests do not depend on the clock.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from panel.accounts.models import Organisation, OrganisationKind, User
from panel.cases import services as case_services
from panel.cases.models import CaseReview
from panel.cases.vocabularies import Stage, Strand
from panel.core import registry, reminders, unit_of_work
from panel.lessons import services
from panel.lessons.lifecycle import Move
from panel.lessons.models import Lesson, LessonKind, Recommendation, RecommendationStatus
from panel.meetings.agenda import services as agenda
from panel.panels.models import PanelKind, Role
from tests import factories
from tests.cases import factories as case_factories
from tests.cases.conftest import isp  # noqa: F401
from tests.conftest import PanelPeople
from tests.interventions.conftest import INTERVENTION_TEXT, agreed
from tests.mailserver import SMTPServer, point_app_at, start_smtp_server
from tests.meetings import factories as meeting_factories
from tests.querycount import count_queries

TODAY = date(2025, 3, 3)
BASE_URL = "https://panel.example.org"
LESSON_TEXT = "Call handlers never asked whether the abuse was heard by the neighbours."
RECOMMENDATION_TEXT = "Retrain the evening call handlers on spotting hostility in 999 calls."


@dataclass
class Scrutiny:
    """The scrutiny panel (all of whose people are CPS), a police member who answers for the
    police, and an area for improvement from a case review."""

    people: PanelPeople
    police: Organisation
    officer: User
    case_review: CaseReview
    lesson: Lesson

    def recommend(
        self,
        due_in_days: int,
        organisation: Organisation | None = None,
        lesson: Lesson | None = None,
    ) -> Recommendation:
        """A recommendation due `due_in_days` after TODAY, through the service (which e-mails
        the addressed organisation, once committed as a page would: tests count only the
        reminders sent afterwards)."""
        details = services.RecommendationDetails(
            organisation=organisation or self.police,
            text=RECOMMENDATION_TEXT,
            due_date=TODAY + timedelta(days=due_in_days),
        )
        recommendation = services.add_recommendation(
            self.people.coordinator, lesson or self.lesson, details
        ).recommendation
        unit_of_work.commit()
        return recommendation


@pytest.fixture
def scrutiny(app, isp, monkeypatch) -> Scrutiny:  # noqa: F811
    monkeypatch.setitem(app.config, "PANEL_BASE_URL", BASE_URL)
    police = factories.organisation("West Midlands Police", OrganisationKind.POLICE)
    officer = factories.user(
        email="inspector@police.example.org", full_name="Dev Sharma", organisation_=police
    )
    factories.membership(isp.panel, officer, Role.MEMBER)
    case_review = case_factories.case_review(isp.coordinator, isp.panel)
    return Scrutiny(isp, police, officer, case_review, _lesson(isp.coordinator, case_review))


def _lesson(actor: User, case_review: CaseReview) -> Lesson:
    return services.record_lesson(
        actor,
        services.LessonDetails(
            kind=LessonKind.IMPROVEMENT,
            strands=[Strand.RACE],
            text=LESSON_TEXT,
            stage=Stage.REPORT,
        ),
        case_review=case_review,
    )


def run(app, *args: str):
    return app.test_cli_runner().invoke(
        args=["send-reminders", "--today", TODAY.isoformat(), *args]
    )


def addressees(today: date = TODAY) -> dict[str, list[str]]:
    """{e-mail address: [item label, ...]} as the reminders would go out on `today`."""
    return {
        user.email: [item.label for item in items]
        for user, items in reminders.digests(today).items()
    }


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def label(recommendation: Recommendation) -> str:
    return (
        f"Recommendation {recommendation.id} to {recommendation.organisation.name}, "
        f"from {recommendation.panel.name}"
    )


def test_overdue_and_due_soon_items_are_grouped_by_due_date(app, db, scrutiny, mail_app_config):
    overdue = scrutiny.recommend(-1)
    due_today = scrutiny.recommend(0)
    last_day = scrutiny.recommend(14)
    too_early = scrutiny.recommend(15)
    mail_app_config.messages.clear()

    result = run(app)

    assert result.exit_code == 0, result.output
    [message] = mail_app_config.messages_to("inspector@police.example.org")
    assert message["Subject"] == "Panel: 1 overdue, 2 due within 14 days"
    body = message.get_content()
    overdue_part, due_soon_part = body.split("\nDue within 14 days\n")
    assert "\nOverdue\n" in overdue_part
    assert f"- {label(overdue)}\n  Due 2 March 2025\n" in overdue_part
    assert f"- {label(due_today)}\n  Due 3 March 2025\n" in due_soon_part
    assert f"- {label(last_day)}\n  Due 17 March 2025\n" in due_soon_part
    assert due_soon_part.index(label(due_today)) < due_soon_part.index(label(last_day))
    assert label(too_early) not in body
    assert "Recommendations" in due_soon_part
    assert "You receive this because" in body


def test_the_chair_is_reminded_of_their_panels_overdue_recommendations_only(
    db, scrutiny, mail_app_config
):
    overdue = scrutiny.recommend(-30)
    scrutiny.recommend(3)
    other_chair = factories.user(email="other.chair@example.org")
    factories.membership(factories.panel(kind=PanelKind.SCRUTINY_PANEL), other_chair, Role.CHAIR)

    found = addressees()

    assert found[scrutiny.people.chair.email] == [label(overdue)]
    assert other_chair.email not in found


def test_only_the_addressed_organisations_active_members_on_the_panel_are_reminded(
    db,
    scrutiny,
    isp,  # noqa: F811
):
    police = scrutiny.police
    recommendation = scrutiny.recommend(5)
    coordinator = factories.user(email="police.coordinator@example.org", organisation_=police)
    reader = factories.user(email="police.reader@example.org", organisation_=police)
    inactive = factories.user(email="police.gone@example.org", organisation_=police, active=False)
    for person, role in [
        (coordinator, Role.COORDINATOR),
        (reader, Role.READER),
        (inactive, Role.MEMBER),
    ]:
        factories.membership(isp.panel, person, role)
    not_on_panel = factories.user(email="police.elsewhere@example.org", organisation_=police)
    factories.membership(factories.panel(), not_on_panel, Role.MEMBER)

    found = addressees()

    assert found == {
        "inspector@police.example.org": [label(recommendation)],
        "police.coordinator@example.org": [label(recommendation)],
    }


def test_a_chair_of_the_addressed_organisation_is_reminded_once(db, scrutiny, isp):  # noqa: F811
    overdue = scrutiny.recommend(-2, organisation=isp.chair.organisation)

    found = addressees()

    assert found[isp.chair.email] == [label(overdue)]  # as a member of CPS and as the chair
    assert found[isp.member.email] == [label(overdue)]
    assert isp.reader.email not in found


def _move_to(scrutiny: Scrutiny, recommendation: Recommendation, status: RecommendationStatus):
    chair = scrutiny.people.chair
    steps = {
        RecommendationStatus.ACCEPTED: [(Move.RESPOND, RecommendationStatus.ACCEPTED)],
        RecommendationStatus.NOT_ACCEPTED: [(Move.RESPOND, RecommendationStatus.NOT_ACCEPTED)],
        RecommendationStatus.IMPLEMENTED: [
            (Move.RESPOND, RecommendationStatus.ACCEPTED),
            (Move.IMPLEMENT, RecommendationStatus.IMPLEMENTED),
        ],
        RecommendationStatus.CLOSED: [
            (Move.RESPOND, RecommendationStatus.ACCEPTED),
            (Move.IMPLEMENT, RecommendationStatus.IMPLEMENTED),
            (Move.CLOSE, RecommendationStatus.CLOSED),
        ],
        RecommendationStatus.WITHDRAWN: [(Move.WITHDRAW, RecommendationStatus.WITHDRAWN)],
    }[status]
    for move, target in steps:
        services.move_recommendation(
            chair, recommendation, move, target, "Noted by the panel.", recommendation.version
        )


@pytest.mark.parametrize(
    ("status", "reminded"),
    [
        (RecommendationStatus.ACCEPTED, True),
        (RecommendationStatus.NOT_ACCEPTED, False),
        (RecommendationStatus.IMPLEMENTED, False),
        (RecommendationStatus.CLOSED, False),
        (RecommendationStatus.WITHDRAWN, False),
    ],
)
def test_only_recommendations_waiting_on_the_agency_are_reminded(db, scrutiny, status, reminded):
    recommendation = scrutiny.recommend(-10)
    _move_to(scrutiny, recommendation, status)
    assert recommendation.status == status

    found = addressees()

    assert (scrutiny.officer.email in found) is reminded
    assert (scrutiny.people.chair.email in found) is reminded


def test_a_declared_interest_hides_that_case_reviews_recommendations(
    app,
    db,
    scrutiny,
    isp,  # noqa: F811
):
    hidden = scrutiny.recommend(-1)
    other_case = case_factories.case_review(isp.coordinator, isp.panel)
    shown = scrutiny.recommend(2, lesson=_lesson(isp.coordinator, other_case))
    meeting = meeting_factories.meeting_on(isp.panel)
    item = case_services.place_on_agenda(isp.coordinator, scrutiny.case_review, meeting)
    agenda.declare_interest(scrutiny.officer, item, "My team investigated this case.")

    found = addressees()

    assert found[scrutiny.officer.email] == [label(shown)]
    assert found[isp.chair.email] == [label(hidden)]  # the chair declared nothing


def test_mail_holds_links_and_dates_never_lesson_or_recommendation_text(
    app, db, scrutiny, mail_app_config
):
    recommendation = scrutiny.recommend(-1)
    mail_app_config.messages.clear()

    assert run(app).exit_code == 0

    assert len(mail_app_config.messages) == 2  # the officer and the chair
    for message in mail_app_config.messages:
        body = message.get_content()
        for text in (LESSON_TEXT, RECOMMENDATION_TEXT, case_factories.NARRATIVE):
            assert text[:30] not in body
            assert text[:30] not in message["Subject"]
        assert scrutiny.case_review.reference not in body
        assert f"\n  {BASE_URL}/recommendations/{recommendation.id}\n" in body


def test_each_person_gets_one_message_with_all_their_items(app, db, scrutiny, mail_app_config):
    for due_in_days in (-3, -1, 4, 9):
        scrutiny.recommend(due_in_days)
    mail_app_config.messages.clear()

    result = run(app)

    assert result.exit_code == 0, result.output
    assert [message.envelope_to for message in mail_app_config.messages] == [
        ["inspector@police.example.org"],
        ["isp.chair@example.org"],
    ]
    [officer] = mail_app_config.messages_to("inspector@police.example.org")
    assert officer["Subject"] == "Panel: 2 overdue, 2 due within 14 days"
    assert officer.get_content().count(f"{BASE_URL}/recommendations/") == 4
    [chair] = mail_app_config.messages_to("isp.chair@example.org")
    assert chair["Subject"] == "Panel: 2 overdue"
    assert "Due within" not in chair.get_content()
    assert result.output.splitlines() == [
        "4 items -> inspector@police.example.org",
        "2 items -> isp.chair@example.org",
        "Reminders sent: 2 people, 6 items.",
    ]
    assert RECOMMENDATION_TEXT not in result.output


def test_a_dry_run_prints_the_reminders_and_sends_nothing(app, db, scrutiny, mail_app_config):
    scrutiny.recommend(6)
    mail_app_config.messages.clear()

    result = run(app, "--dry-run")

    assert result.exit_code == 0, result.output
    assert mail_app_config.messages == []
    assert "1 item -> inspector@police.example.org" in result.output
    assert "Subject: Panel: 1 due within 14 days" in result.output
    assert "Dry run: would e-mail 1 person, 1 item. Nothing was sent." in result.output


def test_nothing_due_sends_nothing(app, db, scrutiny, mail_app_config):
    scrutiny.recommend(15)
    mail_app_config.messages.clear()

    result = run(app)

    assert result.exit_code == 0, result.output
    assert mail_app_config.messages == []
    assert result.output == "Reminders sent: 0 people, 0 items.\n"


def test_an_unreachable_mail_server_fails_the_run_with_a_clear_message(
    app, db, scrutiny, monkeypatch
):
    scrutiny.recommend(-1)
    port = closed_port()
    point_app_at(app, SMTPServer(host="127.0.0.1", port=port), monkeypatch)

    result = run(app)

    assert result.exit_code == 1
    assert "1 item -> inspector@police.example.org (not sent)" in result.output
    assert "Sent 0 of 2 reminders." in result.stderr
    assert f"Could not send e-mail through 127.0.0.1:{port}" in result.stderr


class RefusesTheOfficer(SMTPServer):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == "inspector@police.example.org":
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_refused_address_does_not_stop_the_others_reminders(app, db, scrutiny, monkeypatch):
    scrutiny.recommend(-1)
    server, controller = start_smtp_server(RefusesTheOfficer(host="127.0.0.1", port=0))
    point_app_at(app, server, monkeypatch)
    try:
        result = run(app)
    finally:
        controller.stop()

    assert result.exit_code == 1
    assert [message.envelope_to for message in server.messages] == [["isp.chair@example.org"]]
    assert "1 item -> inspector@police.example.org (not sent)" in result.output
    assert "1 item -> isp.chair@example.org\n" in result.output
    assert "Sent 1 of 2 reminders." in result.stderr
    assert "inspector@police.example.org (550 5.1.1 No such mailbox)" in result.stderr


def test_another_package_adds_its_items_to_the_same_message(
    app, db, scrutiny, mail_app_config, monkeypatch
):
    recommendation = scrutiny.recommend(1)
    mail_app_config.messages.clear()
    gone = factories.user(email="gone@example.org", active=False)

    def interventions(today: date) -> dict[int, list[reminders.ReminderItem]]:
        item = reminders.ReminderItem(
            section="Interventions",
            label="Intervention 3 by West Midlands Police, Coventry Hate Crime Panel",
            due_date=today - timedelta(days=2),
            overdue=True,
            url=f"{BASE_URL}/interventions/3",
        )
        return {scrutiny.officer.id: [item], gone.id: [item]}

    sources = registry.current().reminders
    monkeypatch.setattr(registry.current(), "reminders", [*sources, interventions])

    assert run(app).exit_code == 0

    [message] = mail_app_config.messages
    assert message["Subject"] == "Panel: 1 overdue, 1 due within 14 days"
    body = message.get_content()
    assert (
        body.index("\nOverdue\n")
        < body.index("\nInterventions\n")
        < body.index("\nDue within 14 days\n")
        < body.index(label(recommendation))
    )
    assert f"{BASE_URL}/interventions/3" in body


def test_gathering_reminders_takes_the_same_queries_for_many_people(db, scrutiny, isp):  # noqa: F811
    scrutiny.recommend(-1)
    with count_queries() as few:
        reminders.digests(TODAY)

    for n in range(5):
        organisation = factories.organisation(f"Partner {n}")
        for role in (Role.MEMBER, Role.COORDINATOR):
            factories.membership(isp.panel, factories.user(organisation_=organisation), role)
        scrutiny.recommend(n, organisation=organisation)
        scrutiny.recommend(-n - 1, organisation=organisation)
    with count_queries() as many:
        found = reminders.digests(TODAY)

    assert len(found) == 12  # the officer, ten partners' people and the chair
    assert len(many) == len(few)


def test_everyone_at_the_owning_organisation_on_the_panel_is_reminded_of_its_interventions(
    app, db, people, monkeypatch
):
    """Issue 14: the organisation answers for what it agreed, so each of its people on the panel
    gets its overdue and due-soon interventions, whoever leads them, as links only."""
    monkeypatch.setitem(app.config, "PANEL_BASE_URL", BASE_URL)
    housing = people.member.organisation
    colleague, reader, away = (
        factories.user(email=f"{who}@housing.example.org", organisation_=housing)
        for who in ("colleague", "reader", "away")
    )
    factories.membership(people.panel, colleague, Role.MEMBER)
    factories.membership(people.panel, reader, Role.READER)  # reads published minutes only
    # `away` sits on no panel.

    def due(days: int, lead: User | None = None):
        return agreed(
            people.coordinator, people.panel, housing, due=TODAY + timedelta(days), lead=lead
        )

    led_by_colleague, late, later = due(5, lead=colleague), due(-2), due(30)
    found = addressees()
    for person in (people.member, colleague):
        labels = found[person.email]
        assert [label.split(" ")[1] for label in labels] == [
            str(late.id),
            str(led_by_colleague.id),
        ]
    assert reader.email not in found and away.email not in found
    assert not any(
        f"Intervention {later.id} " in item for items in found.values() for item in items
    )

    [(member, items)] = [(u, i) for u, i in reminders.digests(TODAY).items() if u == people.member]
    body = reminders.compose(member, items, TODAY).body
    assert f"{BASE_URL}/interventions/{late.id}" in body
    assert f"{BASE_URL}/interventions/{led_by_colleague.id}" in body
    # Links only: never what was agreed, nor where.
    assert INTERVENTION_TEXT not in body and "Foleshill" not in body


# One message per person and day (issue 20): two runs at once on two servers, in two real
# processes, are tested in tests/test_two_instances.py.


def test_a_second_run_the_same_day_sends_nobody_the_same_reminder_again(
    app, db, scrutiny, mail_app_config
):
    scrutiny.recommend(-1)
    mail_app_config.messages.clear()
    assert run(app).exit_code == 0
    assert len(mail_app_config.messages) == 2

    again = run(app)

    assert again.exit_code == 0, again.output
    assert len(mail_app_config.messages) == 2
    assert again.output.splitlines() == [
        "1 item -> inspector@police.example.org (already sent on this day)",
        "1 item -> isp.chair@example.org (already sent on this day)",
        "Skipped 2 people already sent their reminder for 3 March 2025.",
        "Reminders sent: 0 people, 0 items.",
    ]
    next_day = app.test_cli_runner().invoke(
        args=["send-reminders", "--today", (TODAY + timedelta(days=1)).isoformat()]
    )
    assert next_day.exit_code == 0, next_day.output
    assert len(mail_app_config.messages) == 4


def test_a_refused_message_waits_for_an_administrator_and_the_others_are_not_repeated(
    app, db, scrutiny, monkeypatch
):
    # The message stays in the outbox, failed, for `flask jobs-retry-failed` (or the E-mail page):
    # a later run the same day does not compose it again, and nobody gets a second reminder.
    scrutiny.recommend(-1)
    refusing, controller = start_smtp_server(RefusesTheOfficer(host="127.0.0.1", port=0))
    point_app_at(app, refusing, monkeypatch)
    try:
        assert run(app).exit_code == 1
    finally:
        controller.stop()
    working, controller = start_smtp_server()
    point_app_at(app, working, monkeypatch)
    try:
        later = run(app)
        retried = app.test_cli_runner().invoke(args=["jobs-retry-failed"])
    finally:
        controller.stop()

    assert later.exit_code == 0, later.output
    assert "1 item -> isp.chair@example.org (already sent on this day)" in later.output
    assert "1 item -> inspector@police.example.org (already sent on this day)" in later.output
    assert retried.exit_code == 0, retried.output
    assert [message.envelope_to for message in working.messages] == [
        ["inspector@police.example.org"]
    ]


def test_a_run_that_could_not_reach_the_mail_server_leaves_everyone_s_reminder_waiting(
    app, db, scrutiny, mail_app_config, monkeypatch
):
    scrutiny.recommend(-1)
    mail_app_config.messages.clear()
    with monkeypatch.context() as down:
        point_app_at(app, SMTPServer(host="127.0.0.1", port=closed_port()), down)
        assert run(app).exit_code == 1

    assert run(app).exit_code == 0  # skips both: their reminders wait in the outbox
    assert mail_app_config.messages == []
    sent = app.test_cli_runner().invoke(args=["send-outbox"])
    again = app.test_cli_runner().invoke(args=["send-outbox"])

    assert sent.exit_code == 0, sent.output
    assert again.exit_code == 0, again.output
    assert len(mail_app_config.messages) == 2


def test_a_dry_run_claims_nobody(app, db, scrutiny, mail_app_config):
    scrutiny.recommend(-1)
    mail_app_config.messages.clear()
    assert run(app, "--dry-run").exit_code == 0

    assert run(app).exit_code == 0
    assert len(mail_app_config.messages) == 2


def test_a_claim_left_unsent_by_a_run_that_died_is_taken_an_hour_later(db, scrutiny):
    officer = scrutiny.officer.id
    assert reminders.claim([officer], TODAY) == {officer}
    assert reminders.claim([officer], TODAY) == set()

    claim = db.session.get(reminders.ReminderClaim, (TODAY, officer))
    claim.claimed_at -= reminders.CLAIM_LAPSES_AFTER + timedelta(minutes=1)
    db.session.flush()
    assert reminders.claim([officer], TODAY) == {officer}

    reminders.settle(TODAY, sent=[officer], failed=[])
    claim.claimed_at -= timedelta(days=1)
    db.session.flush()
    assert reminders.claim([officer], TODAY) == set()  # sent: never taken again that day


def test_each_run_deletes_claims_older_than_a_week(app, db, scrutiny, mail_app_config):
    scrutiny.recommend(-30)
    week_ago = TODAY - timedelta(days=reminders.KEEP_CLAIMS_DAYS)
    for day in (week_ago - timedelta(days=1), week_ago):
        reminders.claim([scrutiny.officer.id], day)

    assert run(app).exit_code == 0

    days = db.session.scalars(
        sa.select(reminders.ReminderClaim.day).order_by(reminders.ReminderClaim.day)
    ).all()
    assert days == [week_ago, TODAY, TODAY]  # the officer's and the chair's today
