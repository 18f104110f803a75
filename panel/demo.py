"""`flask demo-data`: a believable West Midlands-like set of organisations, people and panels.

Idempotent: run it again and it adds only what is missing. It refuses to run in production, and
its accounts (flagged `is_demo`) cannot sign in there either, because their password is published.
"""

from __future__ import annotations

import click
import pyotp
from flask import current_app
from flask.cli import with_appcontext

from panel.accounts import services as accounts
from panel.accounts.models import Organisation, OrganisationKind, User
from panel.accounts.two_factor import services as two_factor
from panel.cases.demo import load_demo_case_reviews
from panel.cases.pool.demo import load_demo_pool
from panel.core import unit_of_work
from panel.core.database import utcnow
from panel.core.passwords import hash_password
from panel.demo_story import load_demo_story
from panel.extensions import db
from panel.interventions.demo import load_demo_interventions
from panel.lessons.demo import load_demo_lessons
from panel.meetings.demo import load_demo_meetings
from panel.minutes.demo import load_demo_minutes
from panel.panels import services as panels
from panel.panels.models import Membership, Panel, PanelKind, Role

DEMO_PASSWORD = "demo-panel-password"  # noqa: S105 - published on purpose, refused in production
# The authenticator key every demo account that needs two-factor sign-in shares: published too.
DEMO_TOTP_SECRET = "DEMOPANELTWOFACTORSIGNINKEYAAAAA"  # noqa: S105

ORGANISATIONS = [
    ("CPS West Midlands", OrganisationKind.CPS),
    ("West Midlands Police, Coventry NPU", OrganisationKind.POLICE),
    ("West Midlands Police, Dudley NPU", OrganisationKind.POLICE),
    ("Coventry City Council", OrganisationKind.COUNCIL),
    ("Dudley Council", OrganisationKind.COUNCIL),
    ("Coventry Homes Partnership", OrganisationKind.HOUSING_PROVIDER),
    ("West Midlands Victims' Service", OrganisationKind.VICTIMS_SERVICE),
    ("Coventry LGBT+ Centre", OrganisationKind.COMMUNITY_GROUP),
    ("Tell MAMA", OrganisationKind.CHARITY),
    ("Community Security Trust", OrganisationKind.CHARITY),
    ("Coventry Interfaith Forum", OrganisationKind.COMMUNITY_GROUP),
    ("Coventry Disability Advocacy", OrganisationKind.CHARITY),
    ("Refugee and Migrant Support Coventry", OrganisationKind.CHARITY),
    ("Restorative Justice West Midlands", OrganisationKind.CHARITY),
    ("HM Courts and Tribunals Service", OrganisationKind.COURT_SERVICE),
    ("Dudley Community Voices", OrganisationKind.COMMUNITY_GROUP),
    ("Coventry and Warwickshire Mind", OrganisationKind.HEALTH),
    ("Coventry Youth Offending Service", OrganisationKind.COUNCIL),
]

PANELS = [
    (
        "West Midlands Independent Scrutiny Panel",
        PanelKind.SCRUTINY_PANEL,
        "West Midlands",
        "Reviews finalised hate crime cases stage by stage and follows its recommendations up.",
    ),
    (
        "Coventry Hate Crime Panel",
        PanelKind.LOCAL_HATE_CRIME_PANEL,
        "Coventry",
        "Meets every two weeks to agree interventions around victims, offenders and communities.",
    ),
    (
        "Dudley Independent Advisory Group",
        PanelKind.INDEPENDENT_ADVISORY_GROUP,
        "Dudley",
        "Community members who advise the force and read the panels' published minutes.",
    ),
]

ISP, COVENTRY, DUDLEY = (name for name, *_ in PANELS)

# (e-mail, name, job title, organisation, {panel: role}); the first five are the demo accounts,
# one per role, that `make run` prints.
PEOPLE = [
    ("admin@panel.example", "Sam Okafor", "Panel systems administrator", "CPS West Midlands", {}),
    (
        "chair@panel.example",
        "Harriet Lang",
        "District Crown Prosecutor",
        "CPS West Midlands",
        {ISP: Role.CHAIR},
    ),
    (
        "coordinator@panel.example",
        "Imran Sadiq",
        "Hate crime coordinator",
        "West Midlands Police, Coventry NPU",
        {ISP: Role.COORDINATOR, COVENTRY: Role.COORDINATOR},
    ),
    (
        "member@panel.example",
        "Grace Mensah",
        "Tenancy enforcement officer",
        "Coventry Homes Partnership",
        {COVENTRY: Role.MEMBER, ISP: Role.MEMBER},
    ),
    (
        "reader@panel.example",
        "Tom Whitfield",
        "IAG volunteer",
        "Dudley Community Voices",
        # The Independent Advisory Group reads the panels' published minutes.
        {DUDLEY: Role.READER, ISP: Role.READER, COVENTRY: Role.READER},
    ),
    (
        "inspector.coventry@panel.example",
        "Claire Doyle",
        "Inspector, Neighbourhood Policing",
        "West Midlands Police, Coventry NPU",
        {COVENTRY: Role.CHAIR, ISP: Role.MEMBER},
    ),
    (
        "inspector.dudley@panel.example",
        "Marcus Reid",
        "Inspector, Neighbourhood Policing",
        "West Midlands Police, Dudley NPU",
        {DUDLEY: Role.CHAIR},
    ),
    (
        "council@panel.example",
        "Priya Nair",
        "Community cohesion officer",
        "Coventry City Council",
        {COVENTRY: Role.MEMBER},
    ),
    (
        "victims@panel.example",
        "Joe Barker",
        "Hate crime caseworker",
        "West Midlands Victims' Service",
        {COVENTRY: Role.MEMBER, ISP: Role.MEMBER},
    ),
    (
        "lgbt@panel.example",
        "Alex Moreno",
        "Support services lead",
        "Coventry LGBT+ Centre",
        {COVENTRY: Role.MEMBER, ISP: Role.MEMBER},
    ),
    (
        "tellmama@panel.example",
        "Aisha Rahman",
        "Casework manager",
        "Tell MAMA",
        {COVENTRY: Role.MEMBER, ISP: Role.MEMBER},
    ),
    (
        "cst@panel.example",
        "Daniel Cohen",
        "Regional security officer",
        "Community Security Trust",
        {COVENTRY: Role.MEMBER},
    ),
    (
        "interfaith@panel.example",
        "Rev. Ruth Adeyemi",
        "Chair",
        "Coventry Interfaith Forum",
        {COVENTRY: Role.MEMBER, ISP: Role.MEMBER},
    ),
    (
        "advocacy@panel.example",
        "Ben Hughes",
        "Disability advocate",
        "Coventry Disability Advocacy",
        {COVENTRY: Role.MEMBER},
    ),
    (
        "refugee@panel.example",
        "Miriam Tesfaye",
        "Integration worker",
        "Refugee and Migrant Support Coventry",
        {COVENTRY: Role.MEMBER},
    ),
    (
        "rj@panel.example",
        "Owen Price",
        "Restorative justice practitioner",
        "Restorative Justice West Midlands",
        {COVENTRY: Role.MEMBER},
    ),
    (
        "mind@panel.example",
        "Hannah Brooks",
        "Wellbeing practitioner",
        "Coventry and Warwickshire Mind",
        {COVENTRY: Role.MEMBER},
    ),
    (
        "yos@panel.example",
        "Kwame Asante",
        "Youth justice worker",
        "Coventry Youth Offending Service",
        {COVENTRY: Role.MEMBER},
    ),
    (
        "courts@panel.example",
        "Linda Shaw",
        "Legal adviser",
        "HM Courts and Tribunals Service",
        {ISP: Role.MEMBER},
    ),
    (
        "dudley.council@panel.example",
        "Kirsty Hall",
        "Safer communities officer",
        "Dudley Council",
        {DUDLEY: Role.MEMBER},
    ),
    (
        "iag.dudley@panel.example",
        "Yusuf Ali",
        "IAG volunteer",
        "Dudley Community Voices",
        {DUDLEY: Role.READER},
    ),
]

DEMO_ACCOUNTS = PEOPLE[:5]


def passkey_address() -> str:
    """Where the demo's passkeys work: the address Panel is served at, with the loopback IP
    written as localhost."""
    base = current_app.config.get("PANEL_BASE_URL", "http://127.0.0.1:5000")
    return base.replace("://127.0.0.1", "://localhost")


def load_demo_data() -> dict[str, int]:
    """Create whatever of the demo set is missing; returns how many of each were added."""
    added = {
        "organisations": 0,
        "users": 0,
        "panels": 0,
        "memberships": 0,
        "meetings": 0,
        "case reviews": 0,
        "pool cases": 0,
        "lessons": 0,
        "interventions": 0,
        "published minutes": 0,
    }
    orgs = {org.name: org for org in db.session.scalars(db.select(Organisation))}
    for name, kind in ORGANISATIONS:
        if name not in orgs:
            orgs[name] = accounts.create_organisation(None, name=name, kind=kind)
            added["organisations"] += 1

    panels_by_name = {panel.name: panel for panel in db.session.scalars(db.select(Panel))}
    for name, kind, area, description in PANELS:
        if name not in panels_by_name:
            panels_by_name[name] = panels.create_panel(
                None, name=name, kind=kind, area=area, description=description
            )
            added["panels"] += 1

    # One hash for the shared, published demo password: hashing is slow on purpose.
    demo_hash = hash_password(DEMO_PASSWORD)
    for email, full_name, job_title, org_name, roles in PEOPLE:
        user = accounts.find_user_by_email(email)
        if user is None:
            user = accounts.create_user(
                None,
                email=email,
                full_name=full_name,
                job_title=job_title,
                organisation=orgs[org_name],
                password_hash=demo_hash,
                is_admin=email.startswith("admin@"),
                is_demo=True,
            )
            added["users"] += 1
        for panel_name, role in roles.items():
            panel = panels_by_name[panel_name]
            exists = db.session.scalar(
                db.select(Membership.id).where(
                    Membership.panel_id == panel.id, Membership.user_id == user.id
                )
            )
            if exists is None:
                panels.add_member(None, panel, user, role)
                added["memberships"] += 1
    _set_up_demo_two_factor()
    coordinator = accounts.find_user_by_email("coordinator@panel.example")
    added["meetings"] = load_demo_meetings(
        panels_by_name,
        coordinator=coordinator,
        iag_chair=accounts.find_user_by_email("inspector.dudley@panel.example"),
    )
    # After the meetings, so the cases land on the scrutiny panel's agendas.
    added["case reviews"] = load_demo_case_reviews(
        panels_by_name["West Midlands Independent Scrutiny Panel"], coordinator
    )
    # After the case reviews: the demo draw's cases become case reviews of their own.
    added["pool cases"] = load_demo_pool(
        panels_by_name["West Midlands Independent Scrutiny Panel"], coordinator
    )
    find = accounts.find_user_by_email
    added["lessons"] = load_demo_lessons(
        panels_by_name[ISP],
        {
            "chair": find("chair@panel.example"),
            "coordinator": coordinator,
            "police": find("inspector.coventry@panel.example"),
            "courts": find("courts@panel.example"),
        },
    )
    added["interventions"] = load_demo_interventions(
        panels_by_name[COVENTRY],
        {
            "coordinator": coordinator,
            "police": find("inspector.coventry@panel.example"),
            "housing": find("member@panel.example"),
            "council": find("council@panel.example"),
            "lgbt": find("lgbt@panel.example"),
        },
    )
    # Last, so that the minutes include the lessons and interventions.
    added["published minutes"] = load_demo_minutes(
        panels_by_name[ISP], find("chair@panel.example"), coordinator
    ) + load_demo_minutes(
        panels_by_name[COVENTRY], find("inspector.coventry@panel.example"), coordinator
    )
    unit_of_work.commit()  # the demo set is one unit: all of it or none
    return added


def load_demo_history() -> dict[str, int]:
    """Two years of the demo panels' history before the demo set's meetings, telling a story for
    the insight pages (`panel.demo_story`); after `load_demo_data`, and once."""
    panels_by_name = {panel.name: panel for panel in db.session.scalars(db.select(Panel))}
    people = {email: accounts.find_user_by_email(email) for email, *_ in PEOPLE}
    added = load_demo_story(panels_by_name[ISP], panels_by_name[COVENTRY], people)
    unit_of_work.commit()
    return added


def _set_up_demo_two_factor() -> None:
    """Every demo account (everyone signs in with a second factor) shares the published demo
    authenticator key, so that anyone trying Panel can add it to an authenticator app once (or
    use `flask demo-code`), and add a passkey from their account page."""
    for email, *_ in PEOPLE:
        user = accounts.find_user_by_email(email)
        if user is not None and not user.has_authenticator_app:
            user.totp_secret = DEMO_TOTP_SECRET
            user.two_factor_enabled_at = utcnow()


@click.command("demo-code")
@with_appcontext
def demo_code_command() -> None:
    """Print the two-factor code the demo accounts' authenticator would show now."""
    if current_app.config["PRODUCTION"]:
        raise click.ClickException("Demo accounts cannot sign in in production.")
    click.echo(pyotp.TOTP(DEMO_TOTP_SECRET).now())


@click.command("demo-data")
@click.option(
    "--national",
    is_flag=True,
    help="Then load ten years of every force's panels, for measuring Panel at national scale "
    "(panel/national_data.py): into a fresh database, once.",
)
@click.option(
    "--fraction",
    type=click.FloatRange(0, 1, min_open=True),
    default=1.0,
    show_default=True,
    help="With --national: this fraction of every count (0.1 for SQLite or a quick run).",
)
@click.option(
    "--seed",
    type=int,
    default=1,
    show_default=True,
    help="With --national: the same seed and fraction give the same rows on the same day.",
)
@with_appcontext
def demo_data_command(national: bool, fraction: float, seed: int) -> None:
    """Load the demo organisations, people and panels (safe to run again); with --national,
    the national dataset after them."""
    if current_app.config["PRODUCTION"]:
        raise click.ClickException("Demo data is never loaded in production.")
    source = click.get_current_context().get_parameter_source
    if not national and "COMMANDLINE" in (source("fraction").name, source("seed").name):
        raise click.UsageError("--fraction and --seed go with --national.")
    if national:
        _load_national(fraction, seed)
    added = load_demo_data()
    click.echo("Demo data: added " + ", ".join(f"{n} {kind}" for kind, n in added.items()) + ".")
    history = load_demo_history()
    click.echo(
        "Two years of history: "
        + (", ".join(f"{n} {kind}" for kind, n in history.items()) or "already there")
        + "."
    )
    click.echo(f"Demo accounts (password for each: {DEMO_PASSWORD}):")
    click.echo(
        "  Two-factor sign-in: add the key "
        f"{two_factor.spaced(DEMO_TOTP_SECRET)} to an authenticator app,\n"
        "  or run `.venv/bin/flask demo-code` for the current code. Passkeys work at\n"
        f"  {passkey_address()} (browsers refuse them on an IP address such as 127.0.0.1)."
    )
    for email, full_name, job_title, _org, roles in DEMO_ACCOUNTS:
        user = db.session.scalar(db.select(User).where(User.email == email))
        what = ", ".join(f"{role.label.lower()} of {panel}" for panel, role in roles.items())
        click.echo(
            f"  {email:<28} {full_name}, {job_title}: {what or 'administrator'}"
            + ("" if user and user.active else " (deactivated)")
        )


def _load_national(fraction: float, seed: int) -> None:
    from panel.national_data import AlreadyLoaded, load_national_data

    click.echo(f"Loading the national dataset (fraction {fraction:g}, seed {seed})...")
    try:
        report = load_national_data(fraction, seed)
    except AlreadyLoaded as refused:
        raise click.ClickException(str(refused)) from None
    for line in report.lines():
        click.echo(line)
