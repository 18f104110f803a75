"""`flask demo-data --national`: ten years of every police force's panels, for measuring Panel at
national scale.

The ordinary demo data comes first, so that its accounts sign in as usual; then 43 forces in
England and Wales, each with an Independent Scrutiny Panel, eight local Hate Crime Panels and an
Independent Advisory Group, their organisations and 20,000 people, and ten years of their
meetings: agendas, attendance, actions, case reviews and their stage findings, lessons and
recommendations, live cases and interventions, minutes, who opened which case, and the audit
trail of all of it. Two panels hold a hundred times the typical history, and they are the demo
panels: the West Midlands scrutiny panel and the Coventry Hate Crime Panel, where the demo accounts
already sit. `--fraction` scales every count, for SQLite and quick runs.

The same seed, fraction and day give the same rows. Everything is dated relative to the day it
runs (history ends at midnight, UK time), so the panels have a recent past and a near future.

How the rows are made and what they hold:

- One pass over every meeting in date order, across all panels, makes what happens at it (one
  function per family of tables), so ids rise with time as they do in a live database. Each
  object's whole life is decided when it is made and written in its state as of today: a
  recommendation accepted, implemented and closed months later is written closed, with each step
  in its history and in the audit trail at the day it happened.
- Retention has run every day, as cron runs it: case detail past its panel's period is replaced by
  the retention marker (`panel.core.retention.marker`), its viewing record is gone, and update notes
  of finished interventions are deleted, each with its audit event.
- The audit trail is chained with `panel.core.audit.chain_hash` itself, keyed with the app's
  `AUDIT_CHAIN_KEY`, in time order within the history, continuing from the chain's head, so
  `flask audit-verify` passes with that key. Sign-ins fill the
  trail to its target between the events of the work itself.
- Minutes of the history are frozen as the app freezes them (`panel.minutes.document`, read back
  with `Document.from_json`), but their PDFs are not rendered: rendering takes half a second each.
  Each published version stores a one-page placeholder PDF for readers that says so, with no
  SHA-256 (as for minutes published before both layers were kept, `flask minutes-pdf --verify`
  says NOT STORED rather than DIFFERS); members' PDFs are rendered when asked, from the frozen
  version. The demo data's own minutes have real PDFs.
- Every account made here is a demo account (`is_demo`): the demo password, and the demo
  authenticator key where a second factor is needed, encrypted as the model encrypts it.

Rows are bulk loaded, never through the ORM: COPY through psycopg on PostgreSQL (then the id
sequences are set and the tables analysed), executemany in large batches on SQLite. The whole load
is one transaction: all of it or none.
"""

from __future__ import annotations

import bisect
import gc
import itertools
import queue
import random
import threading
import time as clock
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from operator import itemgetter

import sqlalchemy as sa

from panel.accounts.models import OrganisationKind
from panel.cases.models import text_sha256
from panel.cases.services import CHECKED_FIELD, reference_prefix
from panel.cases.vocabularies import (
    AgeBand,
    Answer,
    LocationType,
    OffenceCategory,
    Outcome,
    OutOfCourtDisposal,
    Rating,
    ReportingRoute,
    Stage,
    Strand,
    UpliftAnswer,
    strand_labels,
)
from panel.core import encryption
from panel.core.audit import (
    CHAINED,
    TEXT_CHANGED,
    TEXT_HIDDEN,
    TEXT_SET,
    AuditAction,
    AuditChainHead,
    chain_hash,
    chain_key,
    text_set,
)
from panel.core.passwords import hash_password
from panel.core.retention import add_months, marker
from panel.core.time import UK, format_datetime, format_time
from panel.demo import COVENTRY, DEMO_PASSWORD, DEMO_TOTP_SECRET, DUDLEY, ISP
from panel.extensions import db
from panel.interventions.vocabularies import (
    DEFAULT_INTERVENTION_TYPES,
    ClosureReason,
    InterventionStatus,
    LiveCaseStatus,
    RiskLevel,
    VictimNeed,
    VictimOutcome,
)
from panel.lessons.models import LessonKind, RecommendationStatus
from panel.meetings.models import ActionStatus, AgendaItemKind, AttendanceStatus, MeetingStatus
from panel.meetings.services import DEFAULT_STANDING_ITEMS
from panel.minutes import document as minutes_document
from panel.minutes.models import MinutesStatus, PreviousMinutesDecision
from panel.panels.models import (
    DEFAULT_CASE_REVIEW_MINUTES,
    DEFAULT_CASE_REVIEW_RETENTION_MONTHS,
    DEFAULT_LIVE_CASE_RETENTION_MONTHS,
    Panel,
    PanelKind,
    Role,
)

# --- The scale ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    """How much of everything: the national dataset at fraction 1, or a fraction of it."""

    forces: int
    users: int
    meetings: int
    case_reviews: int
    live_cases: int
    lessons: int
    recommendations: int
    interventions: int
    # The interventions' update logs as they stand, after retention deleted old notes.
    intervention_updates: int
    audit_events: int

    def at(self, fraction: float) -> Scale:
        return Scale(
            forces=max(1, round(self.forces * fraction)),
            **{
                name: max(1, round(value * fraction))
                for name, value in vars(self).items()
                if name != "forces"
            },
        )


NATIONAL = Scale(
    forces=43,
    users=20_000,
    meetings=100_000,
    case_reviews=400_000,
    live_cases=600_000,
    lessons=3_000_000,
    recommendations=600_000,
    interventions=800_000,
    intervention_updates=1_200_000,
    audit_events=20_000_000,
)
YEARS = 10
# The demo panels hold this many times the typical history of their kind.
BUSY = 100
# Meetings a year, relative to one another: scrutiny panels meet fortnightly, local panels monthly,
# advisory groups every other month. Scaled together to the number of meetings asked for.
MEETINGS_A_YEAR = {
    PanelKind.SCRUTINY_PANEL: 26,
    PanelKind.LOCAL_HATE_CRIME_PANEL: 12,
    PanelKind.INDEPENDENT_ADVISORY_GROUP: 6,
}
# How far ahead panels have scheduled meetings.
SCHEDULED_AHEAD = timedelta(days=91)

# --- Places ------------------------------------------------------------------------------------
# The 43 territorial police forces of England and Wales, each with the towns of its local panels.
# West Midlands comes first: its scrutiny panel, Coventry's panel and the Dudley advisory group are
# the demo panels.

FORCES: list[tuple[str, tuple[str, ...]]] = [
    ("West Midlands", ("Coventry", "Birmingham", "Wolverhampton", "Dudley", "Walsall", "Sandwell",
                       "Solihull", "Sutton Coldfield")),
    ("Avon and Somerset", ("Bristol", "Bath", "Weston-super-Mare", "Taunton", "Yeovil",
                           "Bridgwater", "Frome", "Keynsham")),
    ("Bedfordshire", ("Luton", "Bedford", "Dunstable", "Leighton Buzzard", "Biggleswade", "Sandy",
                      "Kempston", "Houghton Regis")),
    ("Cambridgeshire", ("Cambridge", "Peterborough", "Huntingdon", "Ely", "Wisbech", "St Neots",
                        "March", "St Ives")),
    ("Cheshire", ("Chester", "Warrington", "Crewe", "Macclesfield", "Ellesmere Port", "Widnes",
                  "Runcorn", "Northwich")),
    ("City of London", ("Aldgate", "Bishopsgate", "Cheap", "Cornhill", "Farringdon", "Portsoken",
                        "Tower", "Walbrook")),
    ("Cleveland", ("Middlesbrough", "Hartlepool", "Stockton-on-Tees", "Redcar", "Billingham",
                   "Guisborough", "Thornaby", "Saltburn")),
    ("Cumbria", ("Carlisle", "Barrow-in-Furness", "Kendal", "Workington", "Whitehaven", "Penrith",
                 "Maryport", "Keswick")),
    ("Derbyshire", ("Derby", "Chesterfield", "Ilkeston", "Long Eaton", "Buxton", "Glossop",
                    "Swadlincote", "Matlock")),
    ("Devon and Cornwall", ("Plymouth", "Exeter", "Torquay", "Truro", "Barnstaple", "Newquay",
                            "Camborne", "Penzance")),
    ("Dorset", ("Bournemouth", "Poole", "Weymouth", "Dorchester", "Christchurch", "Bridport",
                "Wimborne", "Swanage")),
    ("Durham", ("Durham", "Darlington", "Chester-le-Street", "Consett", "Newton Aycliffe",
                "Peterlee", "Seaham", "Bishop Auckland")),
    ("Dyfed-Powys", ("Carmarthen", "Llanelli", "Aberystwyth", "Haverfordwest", "Newtown",
                     "Brecon", "Welshpool", "Llandrindod Wells")),
    ("Essex", ("Chelmsford", "Colchester", "Southend-on-Sea", "Basildon", "Harlow", "Brentwood",
               "Clacton-on-Sea", "Braintree")),
    ("Gloucestershire", ("Gloucester", "Cheltenham", "Stroud", "Tewkesbury", "Cirencester",
                         "Cinderford", "Dursley", "Lydney")),
    ("Greater Manchester", ("Manchester", "Salford", "Bolton", "Oldham", "Rochdale", "Stockport",
                            "Wigan", "Bury")),
    ("Gwent", ("Newport", "Cwmbran", "Pontypool", "Ebbw Vale", "Abergavenny", "Monmouth",
               "Caerphilly", "Blackwood")),
    ("Hampshire and Isle of Wight", ("Southampton", "Portsmouth", "Winchester", "Basingstoke",
                                     "Isle of Wight", "Andover", "Eastleigh", "Aldershot")),
    ("Hertfordshire", ("Watford", "St Albans", "Stevenage", "Hemel Hempstead", "Hatfield",
                       "Hertford", "Hitchin", "Welwyn Garden City")),
    ("Humberside", ("Hull", "Grimsby", "Scunthorpe", "Bridlington", "Goole", "Beverley",
                    "Cleethorpes", "Brigg")),
    ("Kent", ("Maidstone", "Canterbury", "Medway", "Dartford", "Folkestone", "Ashford", "Margate",
              "Gravesend")),
    ("Lancashire", ("Preston", "Blackpool", "Blackburn", "Burnley", "Lancaster", "Accrington",
                    "Chorley", "Morecambe")),
    ("Leicestershire", ("Leicester", "Loughborough", "Hinckley", "Melton Mowbray", "Coalville",
                        "Market Harborough", "Oakham", "Wigston")),
    ("Lincolnshire", ("Lincoln", "Boston", "Grantham", "Spalding", "Skegness", "Gainsborough",
                      "Stamford", "Louth")),
    ("Merseyside", ("Liverpool", "Birkenhead", "St Helens", "Southport", "Bootle", "Wallasey",
                    "Kirkby", "Huyton")),
    ("Metropolitan Police", ("Westminster", "Camden", "Hackney", "Tower Hamlets", "Newham",
                             "Croydon", "Lambeth", "Barnet")),
    ("Norfolk", ("Norwich", "King's Lynn", "Great Yarmouth", "Thetford", "Dereham", "Cromer",
                 "Wymondham", "Diss")),
    ("North Wales", ("Wrexham", "Bangor", "Rhyl", "Llandudno", "Colwyn Bay", "Holyhead", "Mold",
                     "Caernarfon")),
    ("North Yorkshire", ("York", "Harrogate", "Scarborough", "Northallerton", "Selby", "Skipton",
                         "Ripon", "Whitby")),
    ("Northamptonshire", ("Northampton", "Kettering", "Corby", "Wellingborough", "Daventry",
                          "Rushden", "Brackley", "Towcester")),
    ("Northumbria", ("Newcastle", "Sunderland", "Gateshead", "North Tyneside", "South Shields",
                     "Blyth", "Hexham", "Ashington")),
    ("Nottinghamshire", ("Nottingham", "Mansfield", "Newark", "Worksop", "Beeston", "Arnold",
                         "Hucknall", "Retford")),
    ("South Wales", ("Cardiff", "Swansea", "Bridgend", "Merthyr Tydfil", "Neath", "Port Talbot",
                     "Pontypridd", "Barry")),
    ("South Yorkshire", ("Sheffield", "Doncaster", "Rotherham", "Barnsley", "Mexborough", "Wath",
                         "Stocksbridge", "Maltby")),
    ("Staffordshire", ("Stoke-on-Trent", "Stafford", "Burton upon Trent", "Tamworth",
                       "Newcastle-under-Lyme", "Cannock", "Lichfield", "Leek")),
    ("Suffolk", ("Ipswich", "Bury St Edmunds", "Lowestoft", "Felixstowe", "Sudbury", "Haverhill",
                 "Stowmarket", "Newmarket")),
    ("Surrey", ("Guildford", "Woking", "Epsom", "Redhill", "Staines", "Camberley", "Farnham",
                "Leatherhead")),
    ("Sussex", ("Brighton and Hove", "Crawley", "Eastbourne", "Hastings", "Worthing",
                "Chichester", "Horsham", "Bognor Regis")),
    ("Thames Valley", ("Oxford", "Reading", "Milton Keynes", "Slough", "High Wycombe",
                       "Aylesbury", "Banbury", "Maidenhead")),
    ("Warwickshire", ("Warwick", "Nuneaton", "Rugby", "Leamington Spa", "Stratford-upon-Avon",
                      "Bedworth", "Kenilworth", "Atherstone")),
    ("West Mercia", ("Worcester", "Shrewsbury", "Telford", "Hereford", "Kidderminster",
                     "Redditch", "Bromsgrove", "Ludlow")),
    ("West Yorkshire", ("Leeds", "Bradford", "Huddersfield", "Wakefield", "Halifax", "Dewsbury",
                        "Keighley", "Batley")),
    ("Wiltshire", ("Swindon", "Salisbury", "Chippenham", "Trowbridge", "Devizes", "Marlborough",
                   "Warminster", "Calne")),
]  # fmt: skip

# Organisations a force works with, by what they are called; {force} and {town} are filled in.
# A name the demo data already has (e.g. "CPS West Midlands") is the demo's organisation.
FORCE_ORGANISATIONS = (
    ("CPS {force}", OrganisationKind.CPS),
    ("{force} Victims' Service", OrganisationKind.VICTIMS_SERVICE),
    ("Restorative Justice {force}", OrganisationKind.CHARITY),
    ("{force} Mental Health Partnership", OrganisationKind.HEALTH),
    ("{force} Fire and Rescue Service", OrganisationKind.OTHER),
    ("{force} Schools Safeguarding Partnership", OrganisationKind.EDUCATION),
)
TOWN_ORGANISATIONS = (
    ("{force} Police, {town} NPU", OrganisationKind.POLICE),
    ("{town} Council", OrganisationKind.COUNCIL),
    ("{town} Homes", OrganisationKind.HOUSING_PROVIDER),
    ("{town} Interfaith Forum", OrganisationKind.COMMUNITY_GROUP),
    ("{town} Disability Advocacy", OrganisationKind.CHARITY),
    ("{town} LGBT+ Network", OrganisationKind.COMMUNITY_GROUP),
    ("{town} Youth Offending Service", OrganisationKind.COUNCIL),
    ("{town} Refugee and Migrant Support", OrganisationKind.CHARITY),
)
# Organisations that work with every force.
NATIONAL_ORGANISATIONS = (
    ("Tell MAMA", OrganisationKind.CHARITY),
    ("Community Security Trust", OrganisationKind.CHARITY),
    ("HM Courts and Tribunals Service", OrganisationKind.COURT_SERVICE),
)

# Who sits on each kind of panel: (the kind of organisation, the role), in the order seats are
# filled; "town" organisations are the local panel's own town, or any town of the force.
SEATS = {
    PanelKind.SCRUTINY_PANEL: (
        [(OrganisationKind.CPS, Role.CHAIR), (OrganisationKind.POLICE, Role.COORDINATOR)]
        + [
            (kind, Role.MEMBER)
            for kind in (
                OrganisationKind.CPS,
                OrganisationKind.POLICE,
                OrganisationKind.POLICE,
                OrganisationKind.COURT_SERVICE,
                OrganisationKind.VICTIMS_SERVICE,
                OrganisationKind.CHARITY,
                OrganisationKind.CHARITY,
                OrganisationKind.CHARITY,
                OrganisationKind.COUNCIL,
                OrganisationKind.COUNCIL,
                OrganisationKind.COMMUNITY_GROUP,
                OrganisationKind.COMMUNITY_GROUP,
                OrganisationKind.COMMUNITY_GROUP,
                OrganisationKind.HEALTH,
                OrganisationKind.HOUSING_PROVIDER,
                OrganisationKind.EDUCATION,
            )
        ]
        + [(OrganisationKind.COMMUNITY_GROUP, Role.READER)] * 5
    ),
    PanelKind.LOCAL_HATE_CRIME_PANEL: (
        [(OrganisationKind.POLICE, Role.CHAIR), (OrganisationKind.COUNCIL, Role.COORDINATOR)]
        + [
            (kind, Role.MEMBER)
            for kind in (
                OrganisationKind.POLICE,
                OrganisationKind.COUNCIL,
                OrganisationKind.COUNCIL,
                OrganisationKind.HOUSING_PROVIDER,
                OrganisationKind.HOUSING_PROVIDER,
                OrganisationKind.VICTIMS_SERVICE,
                OrganisationKind.CHARITY,
                OrganisationKind.CHARITY,
                OrganisationKind.CHARITY,
                OrganisationKind.COMMUNITY_GROUP,
                OrganisationKind.COMMUNITY_GROUP,
                OrganisationKind.HEALTH,
                OrganisationKind.OTHER,
                OrganisationKind.EDUCATION,
                OrganisationKind.CPS,
                OrganisationKind.VICTIMS_SERVICE,
                OrganisationKind.POLICE,
                OrganisationKind.COUNCIL,
            )
        ]
        + [(OrganisationKind.COMMUNITY_GROUP, Role.READER)] * 3
    ),
    PanelKind.INDEPENDENT_ADVISORY_GROUP: (
        [
            (OrganisationKind.POLICE, Role.CHAIR),
            (OrganisationKind.POLICE, Role.COORDINATOR),
            (OrganisationKind.COUNCIL, Role.MEMBER),
            (OrganisationKind.COMMUNITY_GROUP, Role.MEMBER),
        ]
        + [(OrganisationKind.COMMUNITY_GROUP, Role.READER)] * 75
        + [(OrganisationKind.CHARITY, Role.READER)] * 75
    ),
}
PANEL_DESCRIPTIONS = {
    PanelKind.SCRUTINY_PANEL: "Reviews finalised hate crime cases stage by stage and follows its "
    "recommendations up.",
    PanelKind.LOCAL_HATE_CRIME_PANEL: "Agrees interventions around victims, offenders and "
    "communities.",
    PanelKind.INDEPENDENT_ADVISORY_GROUP: "Community members who advise the force and read the "
    "panels' published minutes.",
}
# (UK start time, minutes) of each kind's meetings.
MEETING_TIMES = {
    PanelKind.SCRUTINY_PANEL: (time(14), 150),
    PanelKind.LOCAL_HATE_CRIME_PANEL: (time(10), 120),
    PanelKind.INDEPENDENT_ADVISORY_GROUP: (time(18, 30), 90),
}

# --- People ------------------------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Made-up names, mixed as the panels' members are: no real person is meant.

FIRST_NAMES = _words(
    "Aaliyah Abdul Adam Adebayo Aisha Alan Alex Amara Amir Ana Andrew Anjali Ann Arjun Asha Ben "
    "Bethan Bilal Bronwen Carl Chen Chloe Chris Daniel Deborah Deepak Dylan Eilidh Elena Emeka "
    "Emma Eve Faisal Fatima Fiona Gareth Gemma Grace Hamza Hannah Harpreet Helen Ian Ifeoma "
    "Imogen Isaac Jack Jade Jamal James Jasmine Jaspreet Joanne John Jordan Joseph Kamala Karen "
    "Kate Kemi Kevin Kiran Lauren Leon Liam Lily Lucy Mandeep Maria Mark Martha Matthew Maya "
    "Mehmet Mei Michael Mohammed Nadia Naomi Neil Nia Nikhil Noor Oliver Olu Omar Paul Priya "
    "Rachel Rahul Rebecca Reza Rhys Richard Rosa Ruth Sadia Sam Sanjay Sara Sean Shabnam Simon "
    "Siobhan Sophie Stephen Sunita Tariq Thomas Tomasz Usman Victoria Wei Yasmin Yusuf Zara Zoe"
)
SURNAMES = _words(
    "Adams Ahmed Akhtar Ali Allen Anderson Asante Atkinson Bailey Baker Banerjee Barnes Begum "
    "Bell Bennett Bhatti Brooks Brown Campbell Carter Chaudhry Chen Clarke Collins Cooper Davies "
    "Dhillon Edwards Ellis Evans Farah Fisher Fletcher Foster Francis Gill Gordon Graham Green "
    "Grewal Hall Hamilton Harris Hassan Hughes Hussain Igwe Iqbal Jackson James Jenkins Johnson "
    "Jones Kaur Kelly Khan King Kowalski Lewis Lloyd Mahmood Malik Marshall Martin Mason Mensah "
    "Miller Mistry Mitchell Moore Morgan Morris Murphy Nowak Nwosu Obi Okafor Owen Parker Patel "
    "Phillips Price Quinn Rahman Reid Richards Roberts Robinson Rose Sandhu Scott Shah Sharma "
    "Singh Smith Stewart Taylor Thomas Thompson Turner Walker Ward Watson White Williams Wilson "
    "Wood Wright Young Yusuf Zaman"
)
JOB_TITLES = {
    OrganisationKind.CPS: ("District Crown Prosecutor", "Senior Crown Prosecutor",
                           "Hate crime coordinator", "Paralegal officer"),
    OrganisationKind.POLICE: ("Inspector, Neighbourhood Policing", "Hate crime coordinator",
                              "Sergeant, Safer Neighbourhoods", "Hate crime liaison officer",
                              "Community engagement officer"),
    OrganisationKind.COUNCIL: ("Community cohesion officer", "Safer communities officer",
                               "Anti-social behaviour officer", "Youth justice worker"),
    OrganisationKind.HOUSING_PROVIDER: ("Tenancy enforcement officer",
                                        "Neighbourhood housing officer"),
    OrganisationKind.VICTIMS_SERVICE: ("Hate crime caseworker", "Victim care officer"),
    OrganisationKind.CHARITY: ("Caseworker", "Support services lead", "Advocate"),
    OrganisationKind.COMMUNITY_GROUP: ("Chair", "Community volunteer", "Coordinator"),
    OrganisationKind.COURT_SERVICE: ("Legal adviser", "Listing officer"),
    OrganisationKind.HEALTH: ("Wellbeing practitioner", "Mental health nurse"),
    OrganisationKind.EDUCATION: ("Safeguarding lead", "Inclusion manager"),
    OrganisationKind.OTHER: ("Community safety manager", "Prevention officer"),
}  # fmt: skip
READER_TITLES = ("IAG volunteer", "Community member", "IAG adviser")
# Documentation addresses (RFC 5737): where people signed in from.
ADDRESSES = tuple(
    f"{net}.{host}" for net in ("192.0.2", "198.51.100", "203.0.113") for host in range(1, 255)
)

# --- What the case records say ------------------------------------------------------------------
# Anonymised as the panels write them: no names, places only as a town or a kind of place.

VICTIMS = {
    Strand.RACE: (
        "a taxi driver",
        "a shop worker of Asian heritage",
        "a Black teenager",
        "a family who had recently moved to the area",
        "a delivery driver",
    ),
    Strand.RELIGION: (
        "a Muslim woman wearing a headscarf",
        "a Jewish man on his way to the synagogue",
        "a Sikh shopkeeper",
        "volunteers at a mosque",
    ),
    Strand.SEXUAL_ORIENTATION: (
        "a gay couple",
        "a young lesbian woman",
        "a bisexual man",
        "staff at an LGBT+ venue",
    ),
    Strand.DISABILITY: (
        "a man with a learning disability",
        "a wheelchair user",
        "a woman with a visual impairment",
        "an autistic teenager",
    ),
    Strand.TRANSGENDER: ("a transgender woman", "a non-binary student", "a trans man"),
    Strand.SEX_OR_GENDER: ("a woman walking home", "a female bus driver", "a young woman"),
    Strand.ALTERNATIVE_SUBCULTURE: ("a young man dressed as a goth", "two emo teenagers"),
    Strand.AGE: ("an older man living alone", "an elderly woman"),
}
PLACES = {
    LocationType.HOME: "at their home",
    LocationType.NEIGHBOURHOOD: "in the street near their home",
    LocationType.PUBLIC_TRANSPORT: "on a bus through the town centre",
    LocationType.WORKPLACE: "at their workplace",
    LocationType.NIGHT_TIME_ECONOMY: "outside a pub late at night",
    LocationType.SCHOOL: "at a college",
    LocationType.PLACE_OF_WORSHIP: "outside their place of worship",
    LocationType.ONLINE: "online, over several weeks",
    LocationType.OTHER: "in a car park",
}
WHAT_HAPPENED = {
    OffenceCategory.VIOLENCE_WITH_INJURY: "was punched and kicked by Suspect 1, who shouted abuse",
    OffenceCategory.VIOLENCE_WITHOUT_INJURY: "was pushed and spat at by Suspect 1",
    OffenceCategory.PUBLIC_ORDER: "was threatened and abused by Suspect 1 in front of others",
    OffenceCategory.HARASSMENT: "was repeatedly taunted by Suspect 1 over several months",
    OffenceCategory.MALICIOUS_COMMUNICATIONS: "received abusive messages from an account linked "
    "to Suspect 1",
    OffenceCategory.CRIMINAL_DAMAGE: "found offensive graffiti and damage left by Suspect 1",
    OffenceCategory.ROBBERY: "was robbed by Suspect 1 and Suspect 2, who used slurs throughout",
    OffenceCategory.SEXUAL_OFFENCE: "was sexually assaulted by Suspect 1, who made hostile remarks",
    OffenceCategory.OTHER: "was targeted by Suspect 1 because of who they are",
}
RESPONSES = (
    "Officers attended within the hour and took a first account.",
    "The report waited several days before an officer was allocated.",
    "Officers seized CCTV the same day and flagged the report as a hate crime.",
    "The call handler did not record the hostility described, so the flag was added later.",
    "A neighbourhood officer visited the next day and referred the victim to support.",
)
ENDINGS = {
    True: (
        "Suspect 1 pleaded guilty; the court applied the uplift for hostility and said so in "
        "open court.",
        "Suspect 1 was charged with the aggravated offence and convicted after trial.",
        "Suspect 1 admitted the offence and accepted a community resolution with an apology.",
    ),
    False: (
        "The victim later withdrew support and the case was filed for evidential difficulties.",
        "No suspect was identified despite house-to-house enquiries.",
        "The CPS advised no further action because the evidence did not meet the test.",
    ),
}
STAGE_COMMENTS = {
    Rating.GOOD_PRACTICE: (
        "Handled promptly and flagged as a hate crime from the start.",
        "Clear record of the victim's wishes and a prompt referral to support.",
        "The right aggravated offence, with the hostility evidenced on the file.",
        "Uplift applied and announced in open court.",
        "The victim was kept informed at every step, as the Victims' Code requires.",
    ),
    Rating.SATISFACTORY: (
        "Adequate, though the investigation plan was brief.",
        "The victim was updated, but not always within the agreed times.",
        "Reasonable decision; the file would have benefited from a supervisor's review.",
        "The Victim Personal Statement was taken late, the day before the hearing.",
    ),
    Rating.AREA_FOR_IMPROVEMENT: (
        "The report was not flagged as a hate crime until the second incident.",
        "No referral to victim support was recorded.",
        "The suspect's account was never obtained under caution.",
        "No Inspector's review before the case was filed.",
        "The victim was not told the outcome until they asked.",
        "No interpreter was offered although the victim asked for one.",
    ),
    Rating.NOT_ASSESSED: (None, "Not applicable to this case."),
}
OVERALL_VIEWS = (
    "A well handled case let down by victim care.",
    "A proportionate outcome, reached more slowly than it should have been.",
    "The hostility was evidenced well; partners should share the approach.",
    "Missed opportunities early on meant the pattern of incidents was not seen.",
    "A good example of partners working together around the victim.",
)
LESSON_TEXTS = {
    (LessonKind.GOOD_PRACTICE, Stage.REPORT): (
        "Flagging the call as a hate crime from the start made an early guilty plea possible.",
        "The call handler asked the victim about the hostility and recorded it in their words.",
        "Seizing the CCTV the same night secured the key evidence.",
    ),
    (LessonKind.IMPROVEMENT, Stage.REPORT): (
        "Third-party reports waited too long for allocation; agree a target time.",
        "The hate crime flag was missing until the second incident, so the pattern was missed.",
        "The victim was not offered an interpreter when the report was taken.",
    ),
    (LessonKind.GOOD_PRACTICE, Stage.INVESTIGATION): (
        "Screenshots were preserved and the account attributed promptly.",
        "A clear investigation plan with fast-track actions completed within a day.",
    ),
    (LessonKind.IMPROVEMENT, Stage.INVESTIGATION): (
        "The suspect's account was never obtained under caution before the case was filed.",
        "No supervisor reviewed the investigation plan, and lines of enquiry were left open.",
        "Witnesses were not traced although door-to-door enquiries were planned.",
    ),
    (LessonKind.GOOD_PRACTICE, Stage.CHARGING): (
        "The right aggravated offence was charged, with the hostility evidenced on the file.",
        "The victim's wishes were weighed before an out-of-court option was chosen.",
    ),
    (LessonKind.IMPROVEMENT, Stage.CHARGING): (
        "There is no record that the victim was told what a community resolution would do.",
        "The hate crime flag was not carried onto the file sent to the CPS.",
    ),
    (LessonKind.GOOD_PRACTICE, Stage.COURT): (
        "The Community Impact Statement helped the court understand the harm to the community.",
        "Special measures were arranged early and the victim felt able to give evidence.",
    ),
    (LessonKind.IMPROVEMENT, Stage.COURT): (
        "The Victim Personal Statement was taken too late for the prosecutor to prepare it.",
        "Witness care did not tell the victim the trial had been moved.",
    ),
    (LessonKind.GOOD_PRACTICE, Stage.SENTENCING): (
        "The court applied the uplift for hostility and said so in open court.",
        "A restraining order protected the victim after sentence.",
    ),
    (LessonKind.IMPROVEMENT, Stage.SENTENCING): (
        "The uplift was applied but not announced in open court, as the law requires.",
        "No ancillary order was sought although the victim feared further contact.",
    ),
    (LessonKind.GOOD_PRACTICE, Stage.VICTIM_CARE): (
        "The victim was kept informed at every step and referred to specialist support.",
        "A trusted community organisation supported the victim through the process.",
    ),
    (LessonKind.IMPROVEMENT, Stage.VICTIM_CARE): (
        "No referral to victim support was recorded and the victim learnt the outcome by asking.",
        "Language used in letters to the victim was formal and hard to follow.",
        "The victim was not offered a translated copy of the Victims' Code.",
    ),
    (LessonKind.GOOD_PRACTICE, Stage.OUTCOME): (
        "A proportionate outcome that the victim said they were satisfied with.",
    ),
    (LessonKind.IMPROVEMENT, Stage.OUTCOME): (
        "The outcome did not reflect the repeat pattern of incidents.",
        "Filing the case without an Inspector's review left the victim without an explanation.",
    ),
}
# What a lesson adds after its finding: how widely it applies, or what is to be done with it.
FOLLOW_UPS = ("",) * 6 + (
    "Share with the force's hate crime lead.",
    "Raised with the agency concerned at the meeting.",
    "Seen in other cases reviewed this year.",
    "Include in the next training for supervisors.",
    "The panel will look for this in future reviews.",
    "Partners agreed to share their own guidance on this.",
    "The victim's feedback made the point clearly.",
    "Discussed with the officer in the case, who agreed.",
)
# And now and then (one lesson in 500) something rare, so that a search finds a few lessons of
# millions as well as many.
RARE_FOLLOW_UPS = (
    "A British Sign Language interpreter should have been booked.",
    "Welsh-language support was asked for and not given.",
    "The taxi licensing team should have been told.",
    "The school's safeguarding lead was not contacted.",
)
RARE = 0.002
THEMES = (
    "Across the cases reviewed, third-party reports waited too long for allocation.",
    "Across the cases reviewed, victims were rarely told the outcome without asking.",
    "Across the cases reviewed, interpreters were not offered when they were needed.",
    "Across the cases reviewed, the hate crime flag was often added late.",
    "Across the cases reviewed, disability hostility was under-recognised at the first report.",
)
RECOMMENDATIONS = (
    "Add a mandatory victim support referral check to the hate crime investigation plan.",
    "Audit a sample of third-party reports for missing hate crime flags and report back.",
    "Brief control room staff on recording the hostility in the victim's own words.",
    "Offer an interpreter at the first contact with every victim who needs one.",
    "Remind prosecutors to ask for the uplift to be announced in open court.",
    "Take the Victim Personal Statement at least a week before the first hearing.",
    "Record on every community resolution what the victim was told and why it was chosen.",
    "Require an Inspector's review before any hate crime case is filed.",
)
AGENCY_RESPONSES = {
    RecommendationStatus.ACCEPTED: (
        "Accepted. Guidance for supervisors is being drafted.",
        "Accepted; the change will be briefed to every team.",
        "Accepted and added to the service improvement plan.",
    ),
    RecommendationStatus.NOT_ACCEPTED: (
        "Not accepted: the existing process already covers this.",
        "Not accepted at present because of resources; to be revisited next year.",
    ),
}
EVIDENCE = (
    "The template was changed and briefed to every investigation team.",
    "An audit of fifty cases found the new check completed in all but two.",
    "Training delivered to all control room staff; attendance records shared with the panel.",
    "Guidance published on the intranet and discussed at team meetings.",
)
CLOSING_NOTES = (None, "Evidence reviewed by the panel.", "Signed off at the meeting.")
WITHDRAWAL_REASONS = (
    "Superseded by a national change in guidance.",
    "No longer needed after the service was restructured.",
)
RISK_REASONS = {
    Strand.RACE: "Repeated racist abuse and damage at the victim's home by a neighbour.",
    Strand.RELIGION: "Threats against the victim because of their faith, after a local dispute.",
    Strand.SEXUAL_ORIENTATION: "Homophobic abuse from a group of young people near the victim's "
    "home.",
    Strand.DISABILITY: "Disability-related harassment on the way to work; the victim has stopped "
    "going out.",
    Strand.TRANSGENDER: "Transphobic abuse online and in the street by people the victim knows.",
    Strand.SEX_OR_GENDER: "Misogynistic abuse and intimidation from a neighbour.",
    Strand.ALTERNATIVE_SUBCULTURE: "Abuse and threats because of how the victim dresses.",
    Strand.AGE: "An older victim targeted repeatedly by local youths.",
}
SUMMARIES = (
    "A family in social housing targeted by a neighbour (Suspect 1) over several months.",
    "The victim lives alone and has no family nearby; Suspect 1 was arrested and bailed.",
    "The victim reported through a third-party centre and does not want a prosecution.",
    "Incidents are linked to a group of young people who gather near the shops.",
)
INTERVENTION_DESCRIPTIONS = {
    DEFAULT_INTERVENTION_TYPES[0]: "Referral to victim support for emotional support.",
    DEFAULT_INTERVENTION_TYPES[1]: "Supported work placement close to home.",
    DEFAULT_INTERVENTION_TYPES[2]: "Tenancy warning to Suspect 1 and an acceptable behaviour "
    "contract.",
    DEFAULT_INTERVENTION_TYPES[3]: "Door camera and a letterbox guard fitted at the victim's home.",
    DEFAULT_INTERVENTION_TYPES[4]: "Restorative conference between the victim and Suspect 1, if "
    "both agree.",
    DEFAULT_INTERVENTION_TYPES[5]: "Suspect 1 to attend the alcohol-related violence course.",
    DEFAULT_INTERVENTION_TYPES[6]: "Behaviour change programme for Suspect 1.",
    DEFAULT_INTERVENTION_TYPES[7]: "Community resolution with a written apology.",
    DEFAULT_INTERVENTION_TYPES[8]: "Extra patrols on Friday and Saturday evenings.",
    DEFAULT_INTERVENTION_TYPES[9]: "Mediation between the neighbours through the housing provider.",
    DEFAULT_INTERVENTION_TYPES[10]: "Assembly and workshop at the local school on hate crime.",
    DEFAULT_INTERVENTION_TYPES[11]: "Bystander intervention training for staff at the shops.",
    DEFAULT_INTERVENTION_TYPES[12]: "Public forum with residents about recent incidents.",
    DEFAULT_INTERVENTION_TYPES[13]: "Interpreter for the victim's meetings with partners.",
}
PLACES_OR_COMMUNITIES = (
    "Town centre, around the bus station",
    "The estate behind the shopping parade",
    "The LGBT+ venue and the streets around it",
    "The mosque and the streets around it",
    "Students at the college",
    "The taxi rank on the high street",
)
UPDATE_NOTES = (
    "Contact made; first appointment booked.",
    "Meeting held; the victim is happy with the plan.",
    "Waiting for Suspect 1 to respond to the letter.",
    "Work started this week.",
    "The victim asked to pause this for a month.",
)
FINISH_NOTES = {
    InterventionStatus.COMPLETED: (
        None,
        "Done; the victim says things are better.",
        "Completed as agreed.",
        "Completed; the family has been told.",
        "Done, and the housing provider will keep an eye on things.",
        "Finished: the victim's daughter says they feel safer at home.",
        "Completed ahead of the review date.",
        "Done; the neighbour has been quiet since.",
    ),
    InterventionStatus.NOT_COMPLETED: (
        "The victim moved away before it could be done.",
        "Suspect 1 refused to take part.",
    ),
    InterventionStatus.CANCELLED: (
        "No longer needed: the risk has reduced.",
        "Replaced by a different intervention agreed at the panel.",
    ),
}
ACTIONS = (
    "Share the community tension assessment with partners",
    "Confirm how partners refer cases to the restorative justice service",
    "Circulate the updated third-party reporting centre list",
    "Report back on the audit of hate crime flags",
    "Invite the housing provider's anti-social behaviour lead to the next meeting",
    "Update the panel's terms of reference",
    "Share the training plan for call handlers",
)
CANCELLATION_REASONS = (
    "Not quorate: too many apologies.",
    "Moved because of a critical incident.",
    "Cancelled for the election period.",
    None,
)
DEPUTIES = ("A colleague", "Their deputy", "A team manager")
DECLARATIONS = (
    "Knows the victim's family through community work.",
    "Their organisation supported the victim and has spoken about the case.",
    "Worked with the officer in the case.",
)
NOTES = {
    "welcome": (None, "The chair welcomed members and noted the apologies received."),
    AgendaItemKind.MATTERS_ARISING: (
        "Partners asked for more time on two actions; agreed.",
        "Partners gave updates on the actions from the last meeting.",
    ),
    "tension": (
        "Police reported a rise in reports linked to a local dispute; details shared verbally.",
        "Police reported on community tension in the area. No critical incidents.",
    ),
    AgendaItemKind.CASE_REVIEW: (
        "Members discussed the file in detail; the coordinator will check one point.",
        "The panel reviewed the case stage by stage. Its ratings and lessons are below.",
    ),
    "business": (None, "No other business was raised."),
}
AMENDMENTS = "Item 3: the community tension update was given by the police, not by the council."
GUESTS = ("Housing Ombudsman service", "University hate crime project", "Regional CPS team")

# A placeholder for the readers' PDF of minutes frozen by this generator (see the module's
# docstring): a one-page PDF saying what it is.
PLACEHOLDER_TEXT = (
    "Panel national demo data.",
    "The PDF of these minutes was not rendered when the national dataset was loaded.",
    "Read the minutes on their page in Panel.",
)

# How often each value comes up, roughly as the panels see them.
OFFENCES = (
    (OffenceCategory.PUBLIC_ORDER,) * 8
    + (OffenceCategory.HARASSMENT,) * 5
    + (OffenceCategory.VIOLENCE_WITHOUT_INJURY,) * 4
    + (OffenceCategory.VIOLENCE_WITH_INJURY,) * 3
    + (OffenceCategory.MALICIOUS_COMMUNICATIONS,) * 3
    + (OffenceCategory.CRIMINAL_DAMAGE,) * 2
    + (OffenceCategory.ROBBERY, OffenceCategory.SEXUAL_OFFENCE, OffenceCategory.OTHER)
)
LEGISLATION = {
    OffenceCategory.VIOLENCE_WITH_INJURY: "Crime and Disorder Act 1998 s.29; Offences against "
    "the Person Act 1861 s.47",
    OffenceCategory.VIOLENCE_WITHOUT_INJURY: "Crime and Disorder Act 1998 s.29; Criminal "
    "Justice Act 1988 s.39",
    OffenceCategory.PUBLIC_ORDER: "Crime and Disorder Act 1998 s.31(1)(b); Public Order Act "
    "1986 s.4A",
    OffenceCategory.HARASSMENT: "Protection from Harassment Act 1997 s.2; Crime and Disorder "
    "Act 1998 s.32",
    OffenceCategory.MALICIOUS_COMMUNICATIONS: "Malicious Communications Act 1988 s.1",
    OffenceCategory.CRIMINAL_DAMAGE: "Crime and Disorder Act 1998 s.30",
    OffenceCategory.ROBBERY: "Theft Act 1968 s.8; Sentencing Act 2020 s.66",
    OffenceCategory.SEXUAL_OFFENCE: "Sexual Offences Act 2003 s.3; Sentencing Act 2020 s.66",
    OffenceCategory.OTHER: None,
}
STRANDS = (
    (Strand.RACE,) * 12
    + (Strand.RELIGION,) * 4
    + (Strand.SEXUAL_ORIENTATION,) * 3
    + (Strand.DISABILITY,) * 3
    + (Strand.TRANSGENDER, Strand.SEX_OR_GENDER, Strand.ALTERNATIVE_SUBCULTURE, Strand.AGE)
)
OUTCOMES = (
    (Outcome.OC1,) * 6
    + (Outcome.OC8,) * 4
    + (Outcome.OC3, Outcome.OC2, Outcome.OC1A, Outcome.OC9, Outcome.OC10)
    + (Outcome.OC14,) * 3
    + (Outcome.OC15,) * 3
    + (Outcome.OC16,) * 4
    + (Outcome.OC18,) * 5
    + (Outcome.OC21, Outcome.OC22, Outcome.OC20)
)
RATINGS = (
    (Rating.GOOD_PRACTICE,) * 3
    + (Rating.SATISFACTORY,) * 4
    + (Rating.AREA_FOR_IMPROVEMENT,) * 3
    + (Rating.NOT_ASSESSED,)
)
ROUTES = tuple(route for route in ReportingRoute if route != ReportingRoute.NOT_KNOWN)
LOCATIONS = tuple(place for place in LocationType if place != LocationType.NOT_KNOWN)
AGE_BANDS = tuple(AgeBand)
ANSWERS = (Answer.YES, Answer.YES, Answer.NO, Answer.NOT_KNOWN)
RISKS = (RiskLevel.HIGH,) + (RiskLevel.MEDIUM,) * 2 + (RiskLevel.STANDARD,) * 3
NEEDS = tuple(VictimNeed)
CLOSURES = (ClosureReason.RESOLVED,) * 5 + tuple(ClosureReason)
VICTIM_OUTCOMES = (VictimOutcome.NEEDS_MET,) * 4 + tuple(VictimOutcome)
STAGES = tuple(Stage)
ORDER = {stage: number for number, stage in enumerate(STAGES)}


def _pick(rng: random.Random, values):
    return values[int(rng.random() * len(values))]


@dataclass(frozen=True, slots=True)
class Strands:
    """A case's strands, with their stored values and how the app writes them out."""

    members: tuple[Strand, ...]
    values: tuple[str, ...]
    labels: str


_STRAND_SETS: dict[tuple[int, int], Strands] = {}
# A theme across cases concerns all of them.
NO_STRANDS = Strands((), (), "")


def _strands(rng: random.Random) -> Strands:
    """One strand, or now and then two."""
    first = second = int(rng.random() * len(STRANDS))
    if rng.random() < 0.2:
        second = int(rng.random() * len(STRANDS))
    found = _STRAND_SETS.get((first, second))
    if found is None:
        members = sorted({STRANDS[first], STRANDS[second]}, key=list(Strand).index)
        found = _STRAND_SETS[(first, second)] = Strands(
            tuple(members), tuple(m.value for m in members), strand_labels(members)
        )
    return found


def _days(rng: random.Random, low: int, high: int) -> timedelta:
    """Somewhere between `low` and `high` days, to the minute."""
    return timedelta(minutes=int((low + rng.random() * (high - low)) * 1440))


def allocate(total: int, weights: dict) -> dict:
    """`total` shared in proportion to `weights`, in whole numbers that add up to it (the
    largest remainders get the odd ones)."""
    whole = sum(weights.values())
    shares = {key: total * weight / whole for key, weight in weights.items()}
    counts = {key: int(share) for key, share in shares.items()}
    rest = total - sum(counts.values())
    for key in sorted(shares, key=lambda key: counts[key] - shares[key])[:rest]:
        counts[key] += 1
    return counts


def as_utc(moment: datetime) -> datetime:
    """A timestamp read back from the database: aware, in UTC (SQLite keeps no zone)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def uk_day(moment: datetime) -> date:
    return moment.astimezone(UK).date()


def at_uk(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UK).astimezone(UTC)


def meeting_label(panel: str, starts_at: datetime) -> str:
    """How the meetings' services name a meeting in the trail."""
    return f"{panel} meeting on {starts_at.astimezone(UK):%d %B %Y at %H:%M}"


def _placeholder_pdf() -> bytes:
    """A valid one-page PDF with `PLACEHOLDER_TEXT`, written out by hand."""
    lines = " ".join(
        f"({line}) Tj 0 -18 Td" for line in PLACEHOLDER_TEXT
    )  # the text has no parentheses or backslashes to escape
    stream = f"BT /F1 12 Tf 72 770 Td {lines} ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(pdf)


PLACEHOLDER_PDF = _placeholder_pdf()

# --- Writing rows ------------------------------------------------------------------------------

# The columns each table is written with, in the order the generator gives them; the rest take
# their database default or NULL.
COLUMNS = {
    table: tuple(columns.split())
    for table, columns in {
        "organisation": "id name kind created_at",
        "user_account": "id email full_name job_title organisation_id password_hash is_admin "
        "active is_demo session_token calendar_token totp_secret two_factor_enabled_at "
        "totp_last_step created_at last_signed_in_at",
        "panel": "id name kind area description quorum protective_marking "
        "case_review_retention_months live_case_retention_months default_case_review_minutes "
        "minutes_approver_not_drafter created_at",
        "membership": "id panel_id user_id role created_at",
        "agreement_acceptance": "id user_id panel_id accepted_at",
        "agenda_template_item": "id panel_id position title kind duration_minutes",
        "intervention_type": "id panel_id name position active",
        "meeting": "id panel_id series_id starts_at duration_minutes place online_link status "
        "cancellation_reason created_at",
        "agenda_item": "id meeting_id position kind title presenter_user_id "
        "presenter_organisation_id duration_minutes notes case_review_id",
        "attendance": "id meeting_id user_id organisation_id status deputy_name "
        "apologies_sent_at apologies_sent_by_id",
        "guest": "id meeting_id name organisation_name",
        "meeting_action": "id panel_id meeting_id description owner_organisation_id due_date "
        "status closed_at created_at",
        "interest_declaration": "id agenda_item_id user_id reason declared_at",
        "case_review": "id panel_id reference status offence_category legislation "
        "reporting_route incident_month incident_year policing_area location_type "
        "victim_age_band victim_key_worker repeat_victim suspect_identified outcome "
        "out_of_court_disposal uplift_applied uplift_announced victim_wishes_recorded narrative "
        "overall_view created_at created_by_id closed_at checked_by_id checked_at checked_sha256",
        "case_review_strand": "case_review_id strand",
        "stage_finding": "id case_review_id stage rating comment updated_at updated_by_id",
        "case_view": "id object_type object_id user_id day first_at last_at count",
        "lesson": "id panel_id case_review_id meeting_id stage kind text search_document "
        "created_at created_by_id updated_at updated_by_id",
        "lesson_strand": "lesson_id strand",
        "recommendation": "id lesson_id panel_id organisation_id text due_date status response "
        "evidence created_at created_by_id version",
        "recommendation_event": "id recommendation_id status note at by_id by_organisation_id",
        "live_case": "id panel_id reference referred_by_id policing_area risk_level risk_reason "
        "summary status review_date closure_reason victim_outcome felt_safer closed_at "
        "created_at created_by_id version",
        "live_case_strand": "live_case_id strand",
        "live_case_need": "live_case_id need",
        "intervention": "id panel_id live_case_id place_or_community type_id description "
        "owner_organisation_id lead_id due_date status status_reason agreed_at_id created_at "
        "created_by_id logged_by_partner version",
        "intervention_update": "id intervention_id at author_id author_organisation_id text "
        "status restricted",
        "minutes": "id meeting_id status version_number aob_restricted aob_public started_at "
        "started_by_id submitted_at submitted_by_id drafted_at drafted_by_id edit_version "
        "previous_decision previous_amendments agreed_at agreed_at_meeting_id",
        "minutes_note": "id minutes_id agenda_item_id restricted public updated_at updated_by_id",
        "minutes_version": "id minutes_id number content drafted_at drafted_by_id submitted_at "
        "submitted_by_id approved_at approved_by_id published_at published_by_id published_pdf "
        "published_sha256 full_pdf full_sha256",
        "audit_event": "id occurred_at actor_id actor_email action object_type object_id "
        "object_label changes remote_addr sequence previous_hash hash",
    }.items()
}


def loader_for(connection: sa.Connection) -> SqliteLoader | PostgresLoader:
    if connection.dialect.name == "postgresql":
        return PostgresLoader(connection)
    return SqliteLoader(connection)


class SqliteLoader:
    """Writes batches of rows with an executemany on the session's own connection, each value
    converted by its column's type as the ORM converts it (timestamps, dates, JSON). Rows hold
    what the model's columns hold: enumerations as their stored values, aware UTC timestamps,
    dicts for JSON."""

    def __init__(self, connection: sa.Connection):
        self.connection = connection
        self.statements: dict[str, tuple[str, list]] = {}

    def begin(self, tables: Iterable[str]) -> None:
        pass

    def write(self, table: str, rows: list[tuple]) -> None:
        statement, converters = self._statement(table)
        if converters:
            converted = [list(row) for row in rows]
            for index, convert in converters:
                for row in converted:
                    row[index] = convert(row[index])
            rows = [tuple(row) for row in converted]
        self.connection.exec_driver_sql(statement, rows)

    def _statement(self, table: str) -> tuple[str, list]:
        if table not in self.statements:
            columns = COLUMNS[table]
            model = db.metadata.tables[table]
            dialect = self.connection.dialect
            compiled = sa.insert(model).compile(dialect=dialect, column_keys=list(columns))
            if tuple(compiled.positiontup or ()) != columns:
                raise RuntimeError(f"unexpected order of parameters for {table}")
            converters = []
            for index, column in enumerate(columns):
                convert = model.c[column].type.dialect_impl(dialect).bind_processor(dialect)
                if convert is not None:
                    converters.append((index, convert))
            self.statements[table] = (str(compiled), converters)
        return self.statements[table]

    def abort(self) -> None:
        pass

    def end(self, tables: Iterable[str]) -> None:
        pass


class PostgresLoader:
    """Writes batches of rows with COPY (binary, each column's type read from the database)
    through psycopg, on the session's own connection and in its transaction.

    A thread does the writing, so that PostgreSQL works through one batch while the next is
    generated. Foreign keys, and indexes other than primary keys and unique constraints, are
    dropped while the rows go in and made again at the end, in the same transaction (so a row
    that breaks a foreign key still fails the whole load, when the key is made again). Measured
    on the audit trail, keeping the indexes up to date row by row took 16 µs a row instead of
    6, and checking its foreign key 4 µs more; about a hundred million foreign-key checks
    across the tables cost PostgreSQL more than all the rest of its work, while making each key
    again is one scan of its table.
    """

    def __init__(self, connection: sa.Connection):
        self.connection = connection
        self.raw = connection.connection.driver_connection
        self.types: dict[str, list[str]] = {}
        # What was dropped: the statements that make it again, in order.
        self.dropped: list = []
        self.batches: queue.Queue = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.thread: threading.Thread | None = None

    def begin(self, tables: Iterable[str]) -> None:
        from psycopg import sql

        names = list(tables)
        with self.raw.cursor() as cursor:
            cursor.execute(
                "SELECT t.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
                "JOIN pg_class t ON t.oid = c.conrelid "
                "WHERE t.relnamespace = current_schema()::regnamespace "
                "AND t.relname = ANY(%s) AND c.contype = 'f' ORDER BY t.relname, c.conname",
                (names,),
            )
            keys = cursor.fetchall()
            for table, name, _ in keys:
                cursor.execute(
                    sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                        sql.Identifier(table), sql.Identifier(name)
                    )
                )
            cursor.execute(
                "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid "
                "WHERE t.relnamespace = current_schema()::regnamespace "
                "AND t.relname = ANY(%s) AND NOT i.indisunique AND NOT i.indisprimary "
                "ORDER BY c.relname",
                (names,),
            )
            for name, definition in cursor.fetchall():
                cursor.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
                self.dropped.append(definition)
            for table, name, definition in keys:
                self.dropped.append(
                    sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(
                        sql.Identifier(table), sql.Identifier(name)
                    )
                    + sql.SQL(definition)  # as PostgreSQL wrote it out
                )
            cursor.execute(
                "SELECT t.relname, a.attname, y.typname FROM pg_attribute a "
                "JOIN pg_class t ON t.oid = a.attrelid JOIN pg_type y ON y.oid = a.atttypid "
                "WHERE t.relnamespace = current_schema()::regnamespace "
                "AND t.relname = ANY(%s) AND a.attnum > 0 AND NOT a.attisdropped",
                (names,),
            )
            found: dict[str, dict[str, str]] = defaultdict(dict)
            for table, column, type_name in cursor.fetchall():
                found[table][column] = type_name
        self.types = {table: [found[table][c] for c in COLUMNS[table]] for table in names}
        self.thread = threading.Thread(target=self._work, name="national-copy", daemon=True)
        self.thread.start()

    def write(self, table: str, rows: list[tuple]) -> None:
        if self.error is not None:
            raise self.error
        self.batches.put((table, rows))

    def _work(self) -> None:
        while (batch := self.batches.get()) is not None:
            if self.error is None:
                try:
                    self._copy(*batch)
                except BaseException as error:  # handed to the generating thread
                    self.error = error

    def _copy(self, table: str, rows: list[tuple]) -> None:
        from psycopg import sql

        statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
            sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, COLUMNS[table]))
        )
        with self.raw.cursor() as cursor, cursor.copy(statement) as copy:
            copy.set_types(self.types[table])
            write_row = copy.write_row
            for row in rows:
                write_row(row)

    def abort(self) -> None:
        """Stop the writing thread once it has written what it was given."""
        if self.thread is not None:
            self.batches.put(None)
            self.thread.join()
            self.thread = None

    def end(self, tables: Iterable[str]) -> None:
        """Wait for the last batch; build the indexes again; move each id sequence past the
        rows written (COPY gave the ids); refresh the planner's statistics."""
        self.abort()
        if self.error is not None:
            raise self.error
        with self.raw.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            for statement in self.dropped:
                cursor.execute(statement)
        for name in tables:
            table = db.metadata.tables[name]
            if "id" in table.c:
                self.connection.execute(
                    sa.select(
                        sa.func.setval(
                            sa.func.pg_get_serial_sequence(name, "id"),
                            sa.select(sa.func.max(table.c.id)).scalar_subquery(),
                        )
                    )
                )
        self.connection.exec_driver_sql("ANALYZE")


class Sink:
    """Rows waiting to be written, by table. They are written in foreign-key order whenever
    enough have gathered, so that no row arrives before one it refers to."""

    BATCH = 200_000

    def __init__(self, loader: SqliteLoader | PostgresLoader):
        self.loader = loader
        self.buffers: dict[str, list[tuple]] = {table: [] for table in COLUMNS}
        self.written: dict[str, int] = dict.fromkeys(COLUMNS, 0)
        self.order = [table.name for table in db.metadata.sorted_tables if table.name in COLUMNS]

    def rows(self, table: str) -> list[tuple]:
        """The list to append the table's rows to (a new one after each flush)."""
        return self.buffers[table]

    def maybe_flush(self) -> None:
        if sum(map(len, self.buffers.values())) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        for table in self.order:
            rows = self.buffers[table]
            if rows:
                self.buffers[table] = []
                self.written[table] += len(rows)
                self.loader.write(table, rows)


# --- Who is who, and what happened ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    email: str
    name: str
    organisation_id: int
    organisation: str


@dataclass(eq=False, slots=True)
class PanelPlan:
    """A panel as the generator works with it: its people, and where its history stands."""

    id: int
    name: str
    kind: PanelKind
    area: str
    town: str | None
    weight: int
    demo: bool
    created_at: datetime
    prefix: str = ""
    chair: Person | None = None
    coordinator: Person | None = None
    roles: dict[int, Role] = field(default_factory=dict)
    # Everyone on the register (chairs, coordinators, members), and the readers.
    members: list[Person] = field(default_factory=list)
    readers: list[Person] = field(default_factory=list)
    # The register's people by organisation: who can own an intervention or answer for one.
    by_organisation: dict[int, list[Person]] = field(default_factory=dict)
    partners: list[list[Person]] = field(default_factory=list)
    intervention_types: list[tuple[int, str]] = field(default_factory=list)
    standing_items: list[tuple[str, AgendaItemKind, int | None]] = field(default_factory=list)
    meetings: list[MeetingPlan] = field(default_factory=list)
    # Case reviews that come back at the next meeting, and actions still open from the last.
    carried: list[CaseState] = field(default_factory=list)
    open_actions: list[tuple[str, str, date]] = field(default_factory=list)
    # The last reference number given, by table and year.
    numbers: dict[tuple[str, int], int] = field(default_factory=lambda: defaultdict(int))

    @property
    def organisers(self) -> list[Person]:
        return [person for person in (self.chair, self.coordinator) if person is not None]


@dataclass(eq=False, slots=True)
class MeetingPlan:
    id: int
    panel: PanelPlan
    starts_at: datetime
    ends_at: datetime
    status: MeetingStatus
    created_at: datetime
    place: str | None = None
    online_link: str | None = None
    label: str = ""
    minutes: MinutesStatus | None = None
    # What it decided about the minutes of the meeting before it (`previous`).
    decision: PreviousMinutesDecision | None = None
    previous: MeetingPlan | None = None
    next: MeetingPlan | None = None
    # When its minutes were started, submitted, approved and published.
    started_at: datetime | None = None
    submitted_at: datetime | None = None
    approved_at: datetime | None = None
    published_at: datetime | None = None

    @property
    def held(self) -> bool:
        return self.status not in (MeetingStatus.SCHEDULED, MeetingStatus.CANCELLED)


@dataclass(eq=False, slots=True)
class CaseState:
    """A case review as its meetings see it: where its review begins and ends, and what the
    minutes of those meetings say about it."""

    id: int
    reference: str
    label: str
    strands: Strands
    offence: OffenceCategory
    outcome: Outcome
    narrative: str
    overall_view: str | None
    findings: dict[Stage, tuple[Rating, str | None]]
    # The stages rated at its first meeting, when the review takes two.
    rated_first: list[Stage]
    first: MeetingPlan
    finishes: MeetingPlan | None
    # When it went on its first meeting's agenda.
    placed_at: datetime | None = None
    # When the chair checked it for identifying detail, just before it went on an agenda.
    checked_at: datetime | None = None


@dataclass(slots=True)
class AgendaRow:
    id: int
    position: int
    title: str
    kind: AgendaItemKind
    case: CaseState | None


@dataclass
class MeetingRecord:
    """What happened at a held meeting, as its minutes tell it."""

    items: list[AgendaRow]
    register: list[tuple[Person, AttendanceStatus, str | None]] = field(default_factory=list)
    guests: list[str] = field(default_factory=list)
    arising: list[tuple[str, str, date]] = field(default_factory=list)
    actions: list[dict] = field(default_factory=list)
    # Lesson rows of the minutes, by case review id (None: themes across cases).
    lessons: dict[int | None, list[dict]] = field(default_factory=dict)
    declarations: list[dict] = field(default_factory=list)
    interventions: list[dict] = field(default_factory=list)


@dataclass
class NationalReport:
    """What `load_national_data` made: rows per table, and how long it took."""

    fraction: float
    seed: int
    rows: dict[str, int]
    seconds: float
    # Seconds spent making and writing the rows, and making indexes and keys again.
    writing: float = 0.0
    indexing: float = 0.0

    def lines(self) -> list[str]:
        width = max(map(len, self.rows))
        total = sum(self.rows.values())
        return [
            f"National data (fraction {self.fraction:g}, seed {self.seed}): {total:,} rows in "
            f"{self.seconds:,.0f} seconds ({self.writing:,.0f} writing the rows, "
            f"{self.indexing:,.0f} making indexes, keys and statistics, the rest the demo data).",
            *(f"  {table:<{width}} {count:>12,}" for table, count in self.rows.items() if count),
        ]


class AlreadyLoaded(Exception):
    """The database holds the national data already: it is loaded once, into a database that
    holds the demo data only (or nothing)."""


# --- The audit trail ---------------------------------------------------------------------------

# `chain_hash` is called with each event's values in this order. If the chain comes to cover
# something else, this fails at import rather than writing a trail that does not verify.
if CHAINED != (
    "previous_hash",
    "sequence",
    "occurred_at",
    "actor_id",
    "actor_email",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "changes",
    "remote_addr",
):
    raise ImportError("panel.core.audit chains other fields: update AuditTrail._chain")


class AuditTrail:
    """The events of the history, held by UTC day until every event of that day is known; then
    put in time order, chained after the chain's head with `chain_hash` (keyed with the app's
    `AUDIT_CHAIN_KEY`, so verify with the same key) and written.

    Events are made with what they record, which may be weeks before or months after the meeting
    being generated; a day is written once the generation has moved `LAG` days past it. Sign-ins
    fill each day, so that the trail reaches its target evenly through the years.
    """

    LAG = 100  # days: the earliest an event is made before the meeting being generated

    def __init__(self, sink: Sink, rng: random.Random, head: tuple[int, str | None], next_id):
        self.sink = sink
        self.rng = rng
        self.sequence, self.previous_hash = head
        self.key = chain_key()
        self.next_id = next_id
        self.days: dict[int, list[tuple]] = defaultdict(list)
        self.next_day = 0
        self.written = 0
        self.last_signed_in: dict[int, datetime] = {}

    def start(self, first: datetime, last: datetime, target: int, people) -> None:
        """Write from the day of `first` to the day of `last`, `target` events in all, with
        sign-ins by `people`: (day joined, day left or None, person)."""
        self.first_day = self.next_day = first.toordinal()
        self.last_day = last.toordinal()
        for day in sorted(day for day in self.days if day < self.first_day):
            self.days[self.first_day].extend(self.days.pop(day))
        self.target = target
        self.people = sorted(people, key=itemgetter(0))
        self.joined = [joined for joined, _, _ in self.people]

    def add(
        self,
        at: datetime,
        actor: Person | None,
        action: AuditAction,
        object_type: str | None,
        object_id: int | None,
        label: str | None,
        changes: dict | None = None,
        remote_addr: str | None = None,
    ) -> None:
        # An event for a day already written joins the first day still open (rare: a sign-in
        # day's worth of lag), keeping its own time.
        day = at.toordinal()
        if day < self.next_day:
            day = self.next_day
        self.days[day].append(
            (at, actor, action, object_type, object_id, label, changes, remote_addr)
        )

    def write_until(self, day: int) -> None:
        """Chain and write every day before `day`."""
        while self.next_day < min(day, self.last_day + 1):
            events = self.days.pop(self.next_day, [])
            self._sign_ins(self.next_day, events)
            events.sort(key=itemgetter(0))
            self._chain(events)
            self.next_day += 1

    def _chain(self, events: list[tuple]) -> None:
        rows = self.sink.rows("audit_event")
        sequence, previous_hash, next_id = self.sequence, self.previous_hash, self.next_id
        for at, actor, action, object_type, object_id, label, changes, remote_addr in events:
            sequence += 1
            actor_id = actor.id if actor is not None else None
            email = actor.email if actor is not None else None
            digest = chain_hash(
                self.key,
                previous_hash,
                sequence,
                at,
                actor_id,
                email,
                action,
                object_type,
                object_id,
                label,
                changes,
                remote_addr,
            )
            rows.append(
                (
                    next_id,
                    at,
                    actor_id,
                    email,
                    action._value_,
                    object_type,
                    object_id,
                    label,
                    changes,
                    remote_addr,
                    sequence,
                    previous_hash,
                    digest,
                )
            )
            previous_hash = digest
            next_id += 1
        self.written += len(events)
        self.sequence, self.previous_hash, self.next_id = sequence, previous_hash, next_id

    def _sign_ins(self, day: int, events: list[tuple]) -> None:
        """Add the day's sign-ins and sign-outs: enough to keep the trail on course for its
        target, and never fewer than a twentieth of a day's share."""
        days = self.last_day - self.first_day + 1
        due = round(self.target * (day - self.first_day + 1) / days) - self.written - len(events)
        count = max(due, int(self.target / days / 20))
        eligible = bisect.bisect_right(self.joined, day)
        if not eligible:
            return
        rng, people = self.rng, self.people
        midnight = datetime.fromordinal(day).replace(tzinfo=UTC)
        for _ in range(count):
            _, left, person = people[int(rng.random() * eligible)]
            while left is not None and left <= day:  # someone still here signs in instead
                _, left, person = people[int(rng.random() * eligible)]
            at = midnight + timedelta(seconds=25_200 + int(rng.random() * 43_200))
            address = ADDRESSES[int(rng.random() * len(ADDRESSES))]
            roll = rng.random()
            if roll < 0.02:
                action = AuditAction.SIGN_IN_FAILED
            elif roll < 0.72:
                action = AuditAction.SIGN_IN
                self.last_signed_in[person.id] = at
            else:
                action = AuditAction.SIGN_OUT
            events.append(
                (at, person, action, "user_account", person.id, person.email, None, address)
            )


# --- The generator -----------------------------------------------------------------------------


class NationalData:
    """Generates the national dataset into a `Sink`; `run()` does it all. One method per family
    of tables: organisations; people and panels; meetings; then at each meeting its agenda,
    attendance and actions, case reviews and lessons (scrutiny panels), live cases and
    interventions (local panels), and minutes."""

    def __init__(self, sink: Sink, fraction: float, seed: int, today: date):
        self.sink = sink
        self.scale = NATIONAL.at(fraction)
        self.rng = random.Random(seed)  # noqa: S311 - reproducible made-up data, not secrets
        self.today = today
        # History ends at midnight, UK time, so that the same day gives the same rows.
        self.now = at_uk(today, 0)
        self.start = at_uk(today.replace(year=today.year - YEARS, day=min(today.day, 28)), 0)
        self.ids: dict[str, itertools.count] = {}

    def next_id(self, table: str) -> int:
        return next(self.ids[table])

    def run(self) -> None:
        self.audit = AuditTrail(self.sink, self.rng, self.head, self.next_id("audit_event"))
        self.audit.next_day = (self.start - timedelta(days=400)).toordinal()
        self.organisations()
        self.people_and_panels()
        self.schedule()
        self.audit.start(
            self.start - timedelta(days=90),
            self.now - timedelta(seconds=1),
            self.scale.audit_events,
            self.sign_ins,
        )
        self.sink.flush()
        for meeting in self.meetings:
            self.meeting(meeting)
            self.audit.write_until(meeting.starts_at.toordinal() - AuditTrail.LAG)
            self.sink.maybe_flush()
        self.audit.write_until(self.now.toordinal() + 1)
        self.sink.flush()

    # --- What is there already ---

    def read_existing(self) -> None:
        """The demo data's organisations, people and panels, and where each table's ids and the
        audit chain stand."""
        connection = self.sink.loader.connection

        def rows(query: str) -> list:
            return connection.execute(sa.text(query)).all()

        if rows("SELECT 1 FROM organisation WHERE name = 'CPS Avon and Somerset'") or rows(
            "SELECT 1 FROM organisation WHERE name = 'West Midlands Police, Birmingham NPU'"
        ):
            raise AlreadyLoaded(
                "This database already holds the national data: load it into a fresh database."
            )
        for table in COLUMNS:
            columns = db.metadata.tables[table].c
            if "id" in columns:
                highest = connection.execute(sa.select(sa.func.max(columns.id))).scalar()
                self.ids[table] = itertools.count((highest or 0) + 1)
        head = rows("SELECT last_sequence, last_hash FROM audit_chain_head WHERE id = 1")
        self.head = (head[0][0], head[0][1]) if head else (0, None)
        self.head_exists = bool(head)
        self.demo_panels = {name: id_ for id_, name in rows("SELECT id, name FROM panel")}
        self.organisation_ids = {
            name: id_ for id_, name in rows("SELECT id, name FROM organisation")
        }
        self.demo_people = {
            id_: Person(id_, email, name, organisation_id, organisation)
            for id_, email, name, organisation_id, organisation in rows(
                "SELECT u.id, u.email, u.full_name, o.id, o.name FROM user_account u "
                "JOIN organisation o ON o.id = u.organisation_id ORDER BY u.id"
            )
        }
        self.demo_memberships = rows("SELECT panel_id, user_id, role FROM membership ORDER BY id")
        self.demo_standing = rows(
            "SELECT panel_id, title, kind, duration_minutes FROM agenda_template_item "
            "ORDER BY panel_id, position"
        )
        self.demo_types = rows(
            "SELECT panel_id, id, name FROM intervention_type ORDER BY panel_id, position"
        )
        self.demo_first_meetings = {
            panel_id: as_utc(first)
            for panel_id, first in rows(
                "SELECT panel_id, min(starts_at) FROM meeting GROUP BY panel_id"
            )
        }
        self.demo_references = rows(
            "SELECT panel_id, 'case_review', reference FROM case_review UNION ALL "
            "SELECT panel_id, 'live_case', reference FROM live_case"
        )

    # --- Organisations ---

    def organisations(self) -> None:
        """Every force's organisations, the towns' own, and the national ones; those the demo
        data made are reused by name."""
        self.force_organisations: list[dict[OrganisationKind, list[tuple[int, str]]]] = []
        self.town_organisations: dict[str, dict[OrganisationKind, list[tuple[int, str]]]] = {}
        national = self._organisations(NATIONAL_ORGANISATIONS)
        for force, towns in FORCES[: self.scale.forces]:
            kinds = defaultdict(list, {kind: list(found) for kind, found in national.items()})
            for kind, found in self._organisations(
                [(name.format(force=force), kind) for name, kind in FORCE_ORGANISATIONS]
            ).items():
                kinds[kind].extend(found)
            for town in towns:
                own = self._organisations(
                    [
                        (name.format(force=force, town=town), kind)
                        for name, kind in TOWN_ORGANISATIONS
                    ]
                )
                for kind, found in own.items():
                    kinds[kind].extend(found)
                self.town_organisations[town] = own
            self.force_organisations.append(kinds)

    def _organisations(self, specs) -> dict[OrganisationKind, list[tuple[int, str]]]:
        rows = self.sink.rows("organisation")
        found: dict[OrganisationKind, list[tuple[int, str]]] = defaultdict(list)
        for name, kind in specs:
            id_ = self.organisation_ids.get(name)
            if id_ is None:
                id_ = self.organisation_ids[name] = self.next_id("organisation")
                rows.append((id_, name, kind._value_, self.start - timedelta(days=90)))
            found[kind].append((id_, name))
        return found

    # --- People and panels ---

    def people_and_panels(self) -> None:
        """Each force's panels and the people on them, an administrator, and the rest of its
        share of the users: colleagues who are on no panel, and people who have left (their
        accounts deactivated). The demo accounts keep their seats on the demo panels."""
        rng = self.rng
        self.password_hash = hash_password(DEMO_PASSWORD)
        # Every account shares the published demo key, encrypted once as the model encrypts it.
        self.totp_secret = encryption.encrypt(DEMO_TOTP_SECRET)
        self.panels: list[PanelPlan] = []
        self.sign_ins: list[tuple[int, int | None, Person]] = []
        self.user_number = 0
        share = self.scale.users / self.scale.forces
        for number, (force, towns) in enumerate(FORCES[: self.scale.forces]):
            budget = round(share * (number + 1)) - round(share * number)
            kinds = self.force_organisations[number]
            police = kinds[OrganisationKind.POLICE][0]
            self._user(police, OrganisationKind.POLICE, role=None, admin=True)
            budget -= 1
            people: list[Person] = []
            for plan in self._panels_of(number, force, towns):
                budget -= self._seat(plan, kinds, people, budget)
                self.panels.append(plan)
            everyone = [
                (kind, organisation) for kind, found in kinds.items() for organisation in found
            ]
            for _ in range(max(0, budget)):
                kind, organisation = _pick(rng, everyone)
                left = rng.random() < 0.4
                self._user(organisation, kind, role=None, active=not left, left=left)
        for person in self.demo_people.values():
            self.sign_ins.append(((self.start - timedelta(days=30)).toordinal(), None, person))
        self._acceptances()

    def _panels_of(self, number: int, force: str, towns: tuple[str, ...]) -> list[PanelPlan]:
        """The force's advisory group (first: its readers read the other panels' minutes too),
        its scrutiny panel and its local panels; in the first force, the demo panels."""
        demo = number == 0
        specs = [
            (
                DUDLEY if demo else f"{force} Independent Advisory Group",
                PanelKind.INDEPENDENT_ADVISORY_GROUP,
                force,
                None,
            ),
            (
                ISP if demo else f"{force} Independent Scrutiny Panel",
                PanelKind.SCRUTINY_PANEL,
                force,
                None,
            ),
            *(
                (
                    COVENTRY if demo and town == "Coventry" else f"{town} Hate Crime Panel",
                    PanelKind.LOCAL_HATE_CRIME_PANEL,
                    town,
                    town,
                )
                for town in towns
            ),
        ]
        rows = self.sink.rows("panel")
        plans = []
        for name, kind, area, town in specs:
            existing = self.demo_panels.get(name)
            plan = PanelPlan(
                id=existing or self.next_id("panel"),
                name=name,
                kind=kind,
                area=area,
                town=town,
                weight=BUSY if name in (ISP, COVENTRY) and existing else 1,
                demo=existing is not None,
                created_at=self.start - timedelta(days=60),
                prefix=reference_prefix(Panel(name=name, kind=kind)),
            )
            if existing is None:
                rows.append(
                    (
                        plan.id,
                        name,
                        kind._value_,
                        area,
                        PANEL_DESCRIPTIONS[kind],
                        3,
                        "OFFICIAL-SENSITIVE",
                        DEFAULT_CASE_REVIEW_RETENTION_MONTHS,
                        DEFAULT_LIVE_CASE_RETENTION_MONTHS,
                        DEFAULT_CASE_REVIEW_MINUTES,
                        False,
                        plan.created_at,
                    )
                )
            self._standing_items_and_types(plan)
            for panel_id, table, reference in self.demo_references:
                if panel_id == plan.id and reference.count("-") == 2:
                    _, year, serial = reference.split("-")
                    key = (table, int(year))
                    plan.numbers[key] = max(plan.numbers[key], int(serial))
            plans.append(plan)
        return plans

    def _standing_items_and_types(self, plan: PanelPlan) -> None:
        """The panel's standing items and intervention types: the defaults the app starts a
        panel with (`agenda_template`, `intervention_types`), or the demo panel's own."""
        plan.standing_items = [
            (title, AgendaItemKind(kind), minutes)
            for panel_id, title, kind, minutes in self.demo_standing
            if panel_id == plan.id
        ]
        if not plan.standing_items:
            plan.standing_items = list(DEFAULT_STANDING_ITEMS)
            rows = self.sink.rows("agenda_template_item")
            for position, (title, kind, minutes) in enumerate(plan.standing_items, start=1):
                rows.append(
                    (
                        self.next_id("agenda_template_item"),
                        plan.id,
                        position,
                        title,
                        kind._value_,
                        minutes,
                    )
                )
        if plan.kind != PanelKind.LOCAL_HATE_CRIME_PANEL:
            return
        plan.intervention_types = [
            (id_, name) for panel_id, id_, name in self.demo_types if panel_id == plan.id
        ]
        if not plan.intervention_types:
            rows = self.sink.rows("intervention_type")
            for position, name in enumerate(DEFAULT_INTERVENTION_TYPES, start=1):
                id_ = self.next_id("intervention_type")
                rows.append((id_, plan.id, name, position, True))
                plan.intervention_types.append((id_, name))

    def _seat(self, plan: PanelPlan, kinds, people: list[Person], budget: int) -> int:
        """Fill the panel's seats (`SEATS`): a demo panel's demo members first; then new people
        from the panel's own town where it has one, while the force's share of users lasts;
        then people already on the force's other panels. Returns how many people were made."""
        rng = self.rng
        taken: set[int] = set()
        if plan.demo:
            for panel_id, user_id, role in self.demo_memberships:
                if panel_id == plan.id:
                    self._join(plan, self.demo_people[user_id], Role(role))
                    taken.add(user_id)
        local = self.town_organisations.get(plan.town or "", {})
        rows = self.sink.rows("membership")
        made = 0
        for kind, role in SEATS[plan.kind]:
            if (role == Role.CHAIR and plan.chair) or (
                role == Role.COORDINATOR and plan.coordinator
            ):
                continue
            if made < budget:
                options = local.get(kind) or kinds.get(kind) or kinds[OrganisationKind.OTHER]
                person = self._user(_pick(rng, options), kind, role=role)
                people.append(person)
                made += 1
            else:
                free = [person for person in people if person.id not in taken]
                if not free:
                    break
                person = _pick(rng, free)
            taken.add(person.id)
            rows.append(
                (self.next_id("membership"), plan.id, person.id, role._value_, plan.created_at)
            )
            self._join(plan, person, role)
        return made

    @staticmethod
    def _join(plan: PanelPlan, person: Person, role: Role) -> None:
        plan.roles[person.id] = role
        if role == Role.READER:
            plan.readers.append(person)
            return
        plan.members.append(person)
        if person.organisation_id not in plan.by_organisation:
            plan.by_organisation[person.organisation_id] = []
            plan.partners.append(plan.by_organisation[person.organisation_id])
        plan.by_organisation[person.organisation_id].append(person)
        if role == Role.CHAIR and plan.chair is None:
            plan.chair = person
        if role == Role.COORDINATOR and plan.coordinator is None:
            plan.coordinator = person

    def _user(self, organisation, kind, *, role, admin=False, active=True, left=False) -> Person:
        """A new account: a made-up name, a job that fits the organisation, the demo password,
        and the demo authenticator key if the person needs a second factor."""
        rng = self.rng
        self.user_number += 1
        first, last = _pick(rng, FIRST_NAMES), _pick(rng, SURNAMES)
        email = f"{first}.{last}.{self.user_number}@national.example".lower().replace("'", "")
        titles = READER_TITLES if role == Role.READER else JOB_TITLES[kind]
        joined = self.start - timedelta(days=30, minutes=int(rng.random() * 43_200))
        # Everyone signs in with a second factor (panel/accounts/two_factor/services.py).
        person = Person(self.next_id("user_account"), email, f"{first} {last}", *organisation)
        self.sink.rows("user_account").append(
            (
                person.id,
                email,
                person.name,
                _pick(rng, titles),
                person.organisation_id,
                self.password_hash,
                admin,
                active,
                True,
                f"{rng.getrandbits(128):032x}",
                None,
                self.totp_secret,
                joined,
                None,
                joined,
                None,
            )
        )
        gone = joined + _days(rng, 200, 3000) if left else None
        self.sign_ins.append(
            (joined.toordinal(), min(gone, self.now).toordinal() if gone else None, person)
        )
        return person

    def _acceptances(self) -> None:
        """Members accept their panel's confidentiality agreement once a year."""
        rng = self.rng
        rows = self.sink.rows("agreement_acceptance")
        for plan in self.panels:
            for person in plan.members:
                at = self.start + _days(rng, 0, 60)
                while at < self.now:
                    id_ = self.next_id("agreement_acceptance")
                    rows.append((id_, person.id, plan.id, at))
                    self.audit.add(
                        at,
                        person,
                        AuditAction.CREATE,
                        "agreement_acceptance",
                        id_,
                        f"{person.email} accepted the confidentiality agreement of {plan.name}",
                    )
                    at += _days(rng, 330, 360)

    # --- Meetings ---

    def schedule(self) -> None:
        """Every panel's meetings over the ten years (and the next three months, except on the
        demo panels, whose present is the demo data's), spread evenly on weekdays at the
        panel's usual time; the busy panels meet several times a day. A meeting's status, and
        its minutes', follow from its date: past meetings are held (a few cancelled), with
        minutes drafted, approved or published according to how long ago they were."""
        rng = self.rng
        weights = {plan: MEETINGS_A_YEAR[plan.kind] * plan.weight for plan in self.panels}
        counts = allocate(self.scale.meetings, weights)
        meetings = []
        for plan in self.panels:
            end = self.now + SCHEDULED_AHEAD
            if plan.id in self.demo_first_meetings:
                end = min(end, self.demo_first_meetings[plan.id] - timedelta(days=7))
            for starts_at in self._meeting_times(plan, counts[plan], end):
                meetings.append(self._meeting_plan(plan, starts_at))
        meetings.sort(key=lambda meeting: (meeting.starts_at, meeting.panel.id))
        rows = self.sink.rows("meeting")
        for meeting in meetings:
            plan = meeting.panel
            meeting.id = self.next_id("meeting")
            plan.meetings.append(meeting)
            meeting.label = meeting_label(plan.name, meeting.starts_at)
            meeting.place, meeting.online_link = self._venue(plan)
            reason = None
            if meeting.status == MeetingStatus.CANCELLED:
                reason = _pick(rng, CANCELLATION_REASONS)
            rows.append(
                (
                    meeting.id,
                    plan.id,
                    None,
                    meeting.starts_at,
                    MEETING_TIMES[plan.kind][1],
                    meeting.place,
                    meeting.online_link,
                    meeting.status._value_,
                    reason,
                    meeting.created_at,
                )
            )
            self._meeting_events(meeting, reason)
        for plan in self.panels:
            previous = None
            for meeting in plan.meetings:
                if meeting.status == MeetingStatus.CANCELLED:
                    continue
                meeting.previous = previous
                if previous is not None:
                    previous.next = meeting
                    if meeting.minutes is not None:
                        meeting.decision = _pick(rng, DECISIONS)
                previous = meeting
        self.meetings = meetings
        self._rates()

    def _meeting_times(self, plan: PanelPlan, count: int, end: datetime) -> list[datetime]:
        if count <= 0:
            return []
        first = uk_day(self.start) + timedelta(days=int(self.rng.random() * 14))
        days = max(1, (uk_day(end) - first).days)
        starts, minutes = MEETING_TIMES[plan.kind]
        times = []
        if days >= count:
            for number in range(count):
                day = first + timedelta(days=int((number + 0.5) * days / count))
                day -= timedelta(days=max(0, day.weekday() - 4))  # not at a weekend
                times.append(datetime.combine(day, starts, tzinfo=UK))
        else:
            # The busy panels meet several times a day, from 8am.
            gap = 600 // -(-count // days)
            previous, slot = None, 0
            for number in range(count):
                day = first + timedelta(days=number * days // count)
                slot = slot + 1 if day == previous else 0
                previous = day
                times.append(
                    datetime.combine(day, time(8), tzinfo=UK) + timedelta(minutes=gap * slot)
                )
        return [moment.astimezone(UTC) for moment in times if moment < end]

    def _meeting_plan(self, plan: PanelPlan, starts_at: datetime) -> MeetingPlan:
        rng = self.rng
        ends_at = starts_at + timedelta(minutes=MEETING_TIMES[plan.kind][1])
        created_at = max(plan.created_at + timedelta(hours=1), starts_at - _days(rng, 28, 88))
        created_at = min(created_at, self.now - _days(rng, 1, 5))
        meeting = MeetingPlan(0, plan, starts_at, ends_at, MeetingStatus.SCHEDULED, created_at)
        if starts_at >= self.now:
            return meeting
        if rng.random() < 0.03:
            meeting.status = MeetingStatus.CANCELLED
            return meeting
        age = (self.now - ends_at).days
        for days, minutes, status in MINUTES_BY_AGE:
            if age >= days:
                meeting.minutes, meeting.status = minutes, status
                break
        if meeting.minutes is not None:
            meeting.started_at = ends_at + timedelta(days=1, hours=1)
            meeting.submitted_at = meeting.started_at + timedelta(days=6)
            meeting.approved_at = meeting.started_at + timedelta(days=13)
            meeting.published_at = meeting.started_at + timedelta(days=16)
        return meeting

    @staticmethod
    def _venue(plan: PanelPlan) -> tuple[str | None, str | None]:
        link = "https://teams.example.org/l/" + "-".join(plan.name.lower().split())
        if plan.kind == PanelKind.SCRUTINY_PANEL:
            return f"{plan.area} Police headquarters, conference room", None
        if plan.kind == PanelKind.LOCAL_HATE_CRIME_PANEL:
            return f"{plan.area} Council House, Committee Room 2", link
        return None, link

    def _meeting_events(self, meeting: MeetingPlan, reason: str | None) -> None:
        coordinator = meeting.panel.coordinator
        self.audit.add(
            meeting.created_at,
            coordinator,
            AuditAction.CREATE,
            "meeting",
            meeting.id,
            meeting.label,
            {
                "starts_at": meeting.starts_at.isoformat(),
                "place": text_set(meeting.place),
                "online_link": text_set(meeting.online_link),
            },
        )
        if meeting.status == MeetingStatus.CANCELLED:
            at, changes = (
                meeting.starts_at - timedelta(days=3),
                {
                    "status": ["scheduled", "cancelled"],
                    "cancellation_reason": [TEXT_HIDDEN, TEXT_CHANGED],
                },
            )
        elif meeting.held:
            at, changes = meeting.ends_at, {"status": ["scheduled", "held"]}
        else:
            return
        self.audit.add(
            at, coordinator, AuditAction.UPDATE, "meeting", meeting.id, meeting.label, changes
        )

    def _rates(self) -> None:
        """How many of each thing per meeting (or per case, or per lesson), so that the totals
        come out as asked; the busy panels get their hundredfold share by meeting a hundred
        times as often."""
        held: dict[PanelKind, int] = defaultdict(int)
        for meeting in self.meetings:
            if meeting.held:
                held[meeting.panel.kind] += 1
        scrutiny = max(1, held[PanelKind.SCRUTINY_PANEL])
        local = max(1, held[PanelKind.LOCAL_HATE_CRIME_PANEL])
        scale = self.scale
        themes = THEMES_PER_MEETING * scrutiny
        self.rates = {
            "case_reviews": scale.case_reviews / scrutiny,
            "lessons": max(0.0, scale.lessons - themes) / scale.case_reviews,
            "recommendations": min(
                1.0, scale.recommendations / (IMPROVEMENTS * (scale.lessons - themes) + themes)
            ),
            "live_cases": scale.live_cases / local,
            "interventions": (1 - PLACE_BASED) * scale.interventions / scale.live_cases,
            "places": PLACE_BASED * scale.interventions / local,
        }
        self.owed: dict[str, float] = defaultdict(float)

    def _owed(self, what: str) -> int:
        """How many of `what` to make now: the rate, give or take, with the remainder carried
        to the next time so that the total comes out true."""
        rate = self.rates[what]
        owed = self.owed[what] + rate
        count = max(0, int(owed + (self.rng.random() - 0.5) * min(rate, 1.0)))
        self.owed[what] = owed - count
        return count

    # --- At each meeting ---

    def meeting(self, meeting: MeetingPlan) -> None:
        """What happens at one meeting, family by family."""
        plan = meeting.panel
        cases = []
        if plan.kind == PanelKind.SCRUTINY_PANEL and meeting.status != MeetingStatus.CANCELLED:
            cases = self.case_reviews(meeting)
        record = MeetingRecord(items=self.agenda(meeting, cases))
        if not meeting.held:
            return
        record.register = self.attendance(meeting)
        record.guests = self.guests(meeting)
        record.arising = plan.open_actions
        record.actions = self.actions(meeting)
        if plan.kind == PanelKind.SCRUTINY_PANEL:
            record.lessons = self.lessons(meeting, cases)
            record.declarations = self.declarations(meeting, record.items)
        elif plan.kind == PanelKind.LOCAL_HATE_CRIME_PANEL:
            record.interventions = self.live_cases(meeting)
        if meeting.minutes is not None:
            self.minutes(meeting, record)

    def agenda(self, meeting: MeetingPlan, cases: list[CaseState]) -> list[AgendaRow]:
        """The standing items, with the case reviews just before "Any other business", as
        `agenda.position_for_new_item` places them."""
        plan = meeting.panel
        standing = plan.standing_items
        closing = next(
            (n for n, (title, *_) in enumerate(standing) if "other business" in title.lower()),
            len(standing),
        )
        entries = [(title, kind, minutes, None) for title, kind, minutes in standing[:closing]]
        entries += [
            (
                f"Case review {case.reference}",
                AgendaItemKind.CASE_REVIEW,
                DEFAULT_CASE_REVIEW_MINUTES,
                case,
            )
            for case in cases
        ]
        entries += [(title, kind, minutes, None) for title, kind, minutes in standing[closing:]]
        rows = self.sink.rows("agenda_item")
        items = []
        day = meeting.starts_at.astimezone(UK)
        for position, (title, kind, minutes, case) in enumerate(entries, start=1):
            id_ = self.next_id("agenda_item")
            rows.append(
                (
                    id_,
                    meeting.id,
                    position,
                    kind._value_,
                    title,
                    None,
                    None,
                    minutes,
                    None,
                    case.id if case else None,
                )
            )
            items.append(AgendaRow(id_, position, title, kind, case))
            if case is not None:
                placed = case.placed_at
                if meeting is not case.first:  # carried over once the first meeting was over
                    placed = max(case.first.ends_at, meeting.created_at) + timedelta(hours=2)
                self.audit.add(
                    placed,
                    plan.coordinator,
                    AuditAction.CREATE,
                    "agenda_item",
                    id_,
                    f"Agenda item {position} ({title}) of the {plan.name} meeting on "
                    f"{day.day} {day:%B %Y}"[:200],
                    {
                        "title": title,
                        "presenter": None,
                        "duration_minutes": minutes,
                        "position": position,
                    },
                )
        return items

    def attendance(self, meeting: MeetingPlan) -> list[tuple[Person, AttendanceStatus, str | None]]:
        """Everyone on the register: most present, some with apologies sent the day before, a
        few absent or represented by a deputy."""
        rng = self.rng
        plan = meeting.panel
        rows = self.sink.rows("attendance")
        organisers = plan.organisers
        local = meeting.starts_at.astimezone(UK)
        label = f" at {plan.name} meeting on {local.day} {local:%B %Y}"
        register = []
        for person in plan.members:
            roll = rng.random()
            deputy = sent_at = sent_by = None
            if roll < 0.8 or person in organisers:
                status = AttendanceStatus.PRESENT
            elif roll < 0.92:
                status = AttendanceStatus.APOLOGIES
                sent_at, sent_by = meeting.starts_at - timedelta(hours=20), person.id
            elif roll < 0.97:
                status = AttendanceStatus.ABSENT
            else:
                status = AttendanceStatus.DEPUTY
                deputy = _pick(rng, DEPUTIES)
            id_ = self.next_id("attendance")
            rows.append(
                (
                    id_,
                    meeting.id,
                    person.id,
                    person.organisation_id,
                    status._value_,
                    deputy,
                    sent_at,
                    sent_by,
                )
            )
            register.append((person, status, deputy))
            self.audit.add(
                sent_at or meeting.ends_at,
                person if sent_at else plan.coordinator,
                AuditAction.CREATE,
                "attendance",
                id_,
                person.name + label,
                {
                    "organisation": person.organisation,
                    "status": status._value_,
                    "deputy_name": text_set(deputy),
                },
            )
        return register

    def guests(self, meeting: MeetingPlan) -> list[str]:
        """Now and then someone from outside the panel is invited."""
        rng = self.rng
        if rng.random() >= 0.1:
            return []
        name = f"{_pick(rng, FIRST_NAMES)} {_pick(rng, SURNAMES)}"
        organisation = _pick(rng, GUESTS)
        id_ = self.next_id("guest")
        self.sink.rows("guest").append((id_, meeting.id, name, organisation))
        local = meeting.starts_at.astimezone(UK)
        self.audit.add(
            meeting.starts_at - timedelta(days=2),
            meeting.panel.coordinator,
            AuditAction.CREATE,
            "guest",
            id_,
            f"Guest {id_} at {meeting.panel.name} meeting on {local.day} {local:%B %Y}",
            {"name": TEXT_SET, "organisation_name": TEXT_SET},
        )
        return [f"{name} ({organisation})"]

    def actions(self, meeting: MeetingPlan) -> list[dict]:
        """The actions agreed at the meeting: most are closed at the next one, a few are left
        open for years."""
        rng = self.rng
        plan = meeting.panel
        rows = self.sink.rows("meeting_action")
        owners = plan.partners
        raised, still_open = [], []
        for _ in range(1 + int(rng.random() * 2.5)):
            description = _pick(rng, ACTIONS)
            owner = _pick(rng, owners)[0]
            due = uk_day(meeting.starts_at) + timedelta(days=14 + int(rng.random() * 30))
            closed_at = None
            if meeting.next is not None and meeting.next.held and rng.random() < 0.97:
                closed_at = meeting.next.ends_at - timedelta(minutes=30)
            status = ActionStatus.CLOSED if closed_at else ActionStatus.OPEN
            id_ = self.next_id("meeting_action")
            rows.append(
                (
                    id_,
                    plan.id,
                    meeting.id,
                    description,
                    owner.organisation_id,
                    due,
                    status._value_,
                    closed_at,
                    meeting.ends_at,
                )
            )
            local = meeting.starts_at.astimezone(UK)
            label = f"Action {id_} of the {plan.name} meeting on {local.day} {local:%B %Y}"
            self.audit.add(
                meeting.ends_at,
                plan.coordinator,
                AuditAction.CREATE,
                "meeting_action",
                id_,
                label,
                {
                    "description": TEXT_SET,
                    "owner_organisation": owner.organisation,
                    "due_date": due.isoformat(),
                },
            )
            if closed_at is not None:
                self.audit.add(
                    closed_at,
                    plan.coordinator,
                    AuditAction.UPDATE,
                    "meeting_action",
                    id_,
                    label,
                    {"status": ["open", "closed"], "closed_at": [None, closed_at.isoformat()]},
                )
            # Frozen at approval, a few weeks on: the action is still open then.
            raised.append(
                {
                    "description": description,
                    "owner": owner.organisation,
                    "due": format_datetime(due, "date"),
                    "status": ActionStatus.OPEN.label,
                }
            )
            still_open.append((description, owner.organisation, due))
        plan.open_actions = still_open
        return raised

    def declarations(self, meeting: MeetingPlan, items: list[AgendaRow]) -> list[dict]:
        """Now and then a member declares an interest in a case review on the agenda."""
        rng = self.rng
        plan = meeting.panel
        cases = [item for item in items if item.case is not None]
        members = [person for person in plan.members if person not in plan.organisers]
        if not cases or not members or rng.random() >= 0.08:
            return []
        item = cases[0]
        person = _pick(rng, members)
        reason = _pick(rng, DECLARATIONS)
        at = meeting.starts_at - timedelta(days=1)
        local = meeting.starts_at.astimezone(UK)
        id_ = self.next_id("interest_declaration")
        self.sink.rows("interest_declaration").append((id_, item.id, person.id, reason, at))
        self.audit.add(
            at,
            person,
            AuditAction.CREATE,
            "interest_declaration",
            id_,
            f"{person.name}’s interest in agenda item {item.position} of the {plan.name} "
            f"meeting on {local.day} {local:%B %Y}"[:200],
            {"agenda_item": item.position, "reason": TEXT_SET},
        )
        return [
            {"name": person.name, "organisation": person.organisation,
             "item": f"{item.position}. {item.title}", "reason": reason}
        ]  # fmt: skip

    # --- Case reviews ---

    def case_reviews(self, meeting: MeetingPlan) -> list[CaseState]:
        """The case reviews on a scrutiny panel's agenda: those carried over from its last
        meeting, and those added for this one (for a meeting to come, if it is soon)."""
        plan = meeting.panel
        cases, plan.carried = plan.carried, []
        if meeting.held:
            count = self._owed("case_reviews")
        elif meeting.starts_at - self.now < timedelta(days=30) and not plan.demo:
            count = max(1, round(self.rates["case_reviews"] / 2))
        else:
            count = 0
        cases += [self.case_review(meeting) for _ in range(count)]
        return cases

    def case_review(self, meeting: MeetingPlan) -> CaseState:
        """A new case review and its whole life: added a few weeks before `meeting` and put on
        its agenda; reviewed there (or begun there and finished at the next meeting); closed a
        few weeks later; its detail deleted when the panel's retention period runs out."""
        rng = self.rng
        plan = meeting.panel
        coordinator = plan.coordinator
        created_at = min(meeting.starts_at - _days(rng, 14, 56), self.now - _days(rng, 0.1, 1))
        year = created_at.astimezone(UK).year
        plan.numbers[("case_review", year)] += 1
        reference = f"{plan.prefix}-{year}-{plan.numbers[('case_review', year)]:03d}"
        strands = _strands(rng)
        offence, location, outcome = (
            _pick(rng, OFFENCES),
            _pick(rng, LOCATIONS),
            _pick(rng, OUTCOMES),
        )
        narrative = (
            f"The victim, {_pick(rng, VICTIMS[strands.members[0]])}, {WHAT_HAPPENED[offence]} "
            f"{PLACES[location]}. {_pick(rng, RESPONSES)}\n\n"
            f"{_pick(rng, ENDINGS[outcome.positive])}"
        )
        finishes = None
        if meeting.held:
            finishes = meeting.next if meeting.next and rng.random() < 0.1 else meeting
        findings, rated_first = {}, []
        status, overall_view, closed_at = "on_agenda", None, None
        if finishes is not None:
            for stage in STAGES:
                rating = _pick(rng, RATINGS)
                findings[stage] = (rating, _pick(rng, STAGE_COMMENTS[rating]))
            if finishes is not meeting:
                rated_first = list(STAGES)[: 2 + int(rng.random() * 3)]
            if finishes.held:
                status, overall_view = "reviewed", _pick(rng, OVERALL_VIEWS)
                closing = finishes.ends_at + _days(rng, 3, 40)
                if closing < self.now and rng.random() < 0.97:
                    status, closed_at = "closed", closing
            else:
                findings = {stage: findings[stage] for stage in rated_first}
        case = CaseState(
            self.next_id("case_review"),
            reference,
            f"Case review {reference} of {plan.name}"[:200],
            strands,
            offence,
            outcome,
            narrative,
            overall_view,
            findings,
            rated_first,
            meeting,
            finishes,
        )
        case.placed_at = min(
            max(created_at, meeting.created_at) + timedelta(minutes=20),
            self.now - timedelta(minutes=1),
        )
        uplift = (
            UpliftAnswer.YES
            if outcome in (Outcome.OC1, Outcome.OC1A)
            else UpliftAnswer.NOT_APPLICABLE
        )
        details = {
            "offence_category": offence._value_,
            "legislation": LEGISLATION[offence],
            "reporting_route": _pick(rng, ROUTES)._value_,
            "incident_month": 1 + int(rng.random() * 12),
            "incident_year": year - 1 - int(rng.random() * 2),
            "policing_area": f"{plan.area} police area",
            "location_type": location._value_,
            "victim_age_band": _pick(rng, AGE_BANDS)._value_,
            "victim_key_worker": _pick(rng, ANSWERS)._value_,
            "repeat_victim": _pick(rng, ANSWERS)._value_,
            "suspect_identified": (Answer.YES if outcome.positive else _pick(rng, ANSWERS))._value_,
            "outcome": outcome._value_,
            "out_of_court_disposal": (
                OutOfCourtDisposal.COMMUNITY_RESOLUTION
                if outcome == Outcome.OC8
                else OutOfCourtDisposal.NONE
            )._value_,
            "uplift_applied": uplift._value_,
            "uplift_announced": uplift._value_,
            "victim_wishes_recorded": _pick(rng, ANSWERS)._value_,
        }
        deleted = self._case_review_retention(case, closed_at)
        gone = marker(deleted) if deleted else None
        # The chair checked the narrative for identifying detail just before it went on the
        # agenda; findings recorded since changed the text, which withdrew the check.
        case.checked_at = case.placed_at - timedelta(minutes=5)
        still_checked = not (gone or overall_view or any(c for _, c in findings.values()))
        self.sink.rows("case_review").append(
            (
                case.id,
                plan.id,
                reference,
                status,
                *details.values(),
                gone or narrative,
                gone if gone and overall_view else overall_view,
                created_at,
                coordinator.id,
                closed_at,
                plan.chair.id if plan.chair else None,
                case.checked_at,
                text_sha256(narrative, (), None) if still_checked else None,
            )
        )
        self.sink.rows("case_review_strand").extend((case.id, value) for value in strands.values)
        findings_rows = self.sink.rows("stage_finding")
        for stage, (rating, comment) in findings.items():
            when = (meeting if stage in rated_first or finishes is meeting else finishes).ends_at
            findings_rows.append(
                (
                    self.next_id("stage_finding"),
                    case.id,
                    stage._value_,
                    rating._value_,
                    gone if gone and comment else comment,
                    when,
                    coordinator.id,
                )
            )
        self._case_review_events(case, details, created_at, status, closed_at)
        self._views(
            "case_review",
            case.id,
            case.label,
            plan,
            min(meeting.starts_at, self.now),
            keep=not deleted,
        )
        if finishes is not None and finishes is not meeting:
            plan.carried.append(case)  # it comes back at the next meeting
        return case

    def _case_review_retention(self, case: CaseState, closed_at: datetime | None) -> date | None:
        """The day the case review's detail was deleted under the retention policy, if that
        day has come: the panel's period after the later of its closing and the publication of
        the minutes of the last meeting that discussed it (`panel.cases.retention`)."""
        finishes = case.finishes
        if closed_at is None or finishes is None or finishes.published_at is None:
            return None
        started = max(uk_day(closed_at), uk_day(finishes.published_at))
        due = add_months(started, DEFAULT_CASE_REVIEW_RETENTION_MONTHS)
        if due >= self.today:
            return None
        comments = sum(comment is not None for _, comment in case.findings.values())
        self.audit.add(
            at_uk(due, 6, 30),
            None,
            AuditAction.RETENTION_DELETE,
            "case_review",
            case.id,
            case.label,
            {
                "deleted": ", ".join(
                    ["narrative", "overall view"]
                    + (
                        [f"{comments} stage comment{'s' if comments != 1 else ''}"]
                        if comments
                        else []
                    )
                ),
                "retention_months": DEFAULT_CASE_REVIEW_RETENTION_MONTHS,
                "due": due.isoformat(),
            },
        )
        return due

    def _case_review_events(self, case, details, created_at, status, closed_at) -> None:
        coordinator = case.first.panel.coordinator
        add = self.audit.add
        add(
            created_at,
            coordinator,
            AuditAction.CREATE,
            "case_review",
            case.id,
            case.label,
            {
                "reference": case.reference,
                "strands": case.strands.labels,
                **details,
                "narrative": "(set)",
            },
        )
        if case.first.panel.chair is not None:
            add(
                case.checked_at,
                case.first.panel.chair,
                AuditAction.UPDATE,
                "case_review",
                case.id,
                case.label,
                {CHECKED_FIELD: [None, "yes"]},
            )
        add(
            case.placed_at,
            coordinator,
            AuditAction.UPDATE,
            "case_review",
            case.id,
            case.label,
            {"status": ["added", "on_agenda"]},
        )
        withdrawn = False
        for meeting, stages in self._review_steps(case):
            changes: dict = {}
            for stage in stages:
                rating, comment = case.findings[stage]
                changes[f"{stage._value_}_rating"] = [None, rating._value_]
                if comment:
                    changes[f"{stage._value_}_comment"] = ["(hidden)", "(changed)"]
            if meeting is case.finishes and meeting.held:
                changes["overall_view"] = ["(hidden)", "(changed)"]
                changes["status"] = ["on_agenda", "reviewed"]
            if not withdrawn and any(
                key.endswith("_comment") or key == "overall_view" for key in changes
            ):
                changes[CHECKED_FIELD] = ["yes", "withdrawn: the text changed"]
                withdrawn = True
            add(
                meeting.ends_at,
                coordinator,
                AuditAction.UPDATE,
                "case_review",
                case.id,
                case.label,
                changes,
            )
        if closed_at is not None:
            add(
                closed_at,
                coordinator,
                AuditAction.UPDATE,
                "case_review",
                case.id,
                case.label,
                {"status": ["reviewed", "closed"]},
            )

    @staticmethod
    def _review_steps(case: CaseState) -> list[tuple[MeetingPlan, list[Stage]]]:
        """The meetings at which the case's stages were rated, with the stages rated at each."""
        if case.finishes is None:
            return []
        if case.finishes is case.first:
            return [(case.first, list(STAGES))]
        steps = [(case.first, case.rated_first)]
        if case.finishes.held:
            steps.append((case.finishes, [s for s in STAGES if s not in case.rated_first]))
        return steps

    def _views(
        self,
        object_type: str,
        object_id: int,
        label: str,
        plan: PanelPlan,
        around: datetime,
        *,
        keep: bool,
    ) -> None:
        """A few members open the case in the days before the meeting: the viewing record (kept
        only while the case keeps its detail) and the day's first opening in the trail."""
        rng = self.rng
        members = plan.members
        rows = self.sink.rows("case_view")
        seen = set()
        for _ in range(1 + int(rng.random() * 3)):
            person = _pick(rng, members)
            if person.id in seen:
                continue
            seen.add(person.id)
            first_at = around - _days(rng, 0.2, 6)
            if keep:
                count = 1 + int(rng.random() * 3)
                rows.append(
                    (
                        self.next_id("case_view"),
                        object_type,
                        object_id,
                        person.id,
                        uk_day(first_at),
                        first_at,
                        first_at + timedelta(minutes=7 * count),
                        count,
                    )
                )
            self.audit.add(first_at, person, AuditAction.VIEW, object_type, object_id, label)

    # --- Lessons and recommendations ---

    def lessons(self, meeting: MeetingPlan, cases: list[CaseState]) -> dict[int | None, list[dict]]:
        """The lessons recorded at a scrutiny panel's meeting: several for each case review
        finished there, and now and then a theme across cases; areas for improvement may carry
        a recommendation. Returns the minutes' lesson rows by case review (None for themes)."""
        rng = self.rng
        plan = meeting.panel
        found: dict[int | None, list[dict]] = {}
        at = meeting.ends_at + timedelta(minutes=30)
        for case in cases:
            if case.finishes is not meeting:
                continue
            count = self._owed("lessons")
            stages = list(STAGES)
            rng.shuffle(stages)
            stages = sorted((stages * (1 + count // len(stages)))[:count], key=ORDER.__getitem__)
            rows = []
            for stage in stages:
                rating = case.findings[stage][0]
                if rating == Rating.GOOD_PRACTICE:
                    kind = LessonKind.GOOD_PRACTICE
                elif rating == Rating.AREA_FOR_IMPROVEMENT or rng.random() < IMPROVEMENT:
                    kind = LessonKind.IMPROVEMENT
                else:
                    kind = LessonKind.GOOD_PRACTICE
                follow_up = _pick(rng, RARE_FOLLOW_UPS if rng.random() < RARE else FOLLOW_UPS)
                text = f"{_pick(rng, LESSON_TEXTS[(kind, stage)])} {follow_up}".rstrip()
                rows.append(self._lesson(plan, at, kind, text, case, stage, case.strands))
            found[case.id] = rows
        if rng.random() < THEMES_PER_MEETING:
            text = _pick(rng, THEMES)
            found[None] = [
                self._lesson(
                    plan, at, LessonKind.IMPROVEMENT, text, None, None, NO_STRANDS, meeting
                )
            ]
        return found

    def _lesson(self, plan, at, kind, text, case, stage, strands, meeting=None) -> dict:
        rng = self.rng
        author = plan.coordinator
        id_ = self.next_id("lesson")
        recommendations = []
        if kind == LessonKind.IMPROVEMENT and rng.random() < self.rates["recommendations"]:
            recommendations.append(self._recommendation(plan, id_, at))
        search = "\n".join(
            part
            for part in [text, *(part for r in recommendations for part in r["search"])]
            if part
        )
        self.sink.rows("lesson").append(
            (
                id_,
                plan.id,
                case.id if case else None,
                meeting.id if meeting else None,
                stage._value_ if stage else None,
                kind._value_,
                text,
                search,
                at,
                author.id,
                at,
                author.id,
            )
        )
        self.sink.rows("lesson_strand").extend((id_, value) for value in strands.values)
        about = f"{case.reference}, {stage.label}" if case else "Theme across cases"
        self.audit.add(
            at,
            author,
            AuditAction.CREATE,
            "lesson",
            id_,
            f"{kind.label} lesson {id_} ({about}) of {plan.name}"[:200],
            {
                "kind": kind._value_,
                "stage": stage._value_ if stage else None,
                "strands": strands.labels,
                "text": "(set)",
            },
        )
        return {
            "number": id_,
            "kind": kind.label,
            "about": stage.label if stage else "Theme across cases",
            "strands": strands.labels or "All strands",
            "text": text,
            "recommendations": [r["row"] for r in recommendations],
        }

    def _recommendation(self, plan: PanelPlan, lesson_id: int, at: datetime) -> dict:
        """A recommendation and its lifecycle: the agency responds within weeks, implements
        what it accepted within months, and the chair closes it; a few are withdrawn, and a
        few are never answered."""
        rng = self.rng
        chair = plan.chair or plan.coordinator
        people = _pick(rng, plan.partners)
        agency = people[0]
        text = _pick(rng, RECOMMENDATIONS)
        due = uk_day(at) + timedelta(days=30 + int(rng.random() * 60))
        id_ = self.next_id("recommendation")
        label = f"Recommendation {id_} to {agency.organisation} of {plan.name}"[:200]
        S = RecommendationStatus
        steps = [(at, S.OPEN, None, chair)]
        moment = at + _days(rng, 5, 60)
        if rng.random() > 0.03 and moment < self.now:
            accepted = rng.random() < 0.82
            answer = S.ACCEPTED if accepted else S.NOT_ACCEPTED
            steps.append((moment, answer, _pick(rng, AGENCY_RESPONSES[answer]), agency))
            moment += _days(rng, 20, 150)
            if accepted and rng.random() < 0.9:
                steps.append((moment, S.IMPLEMENTED, _pick(rng, EVIDENCE), agency))
                moment += _days(rng, 5, 60)
                steps.append((moment, S.CLOSED, _pick(rng, CLOSING_NOTES), chair))
            elif not accepted and rng.random() < 0.8:
                steps.append((moment, S.CLOSED, _pick(rng, CLOSING_NOTES), chair))
            else:
                steps.append((moment, S.WITHDRAWN, _pick(rng, WITHDRAWAL_REASONS), chair))
        steps = [step for step in steps if step[0] < self.now]
        status = steps[-1][1]
        # The latest response and evidence, as far as the recommendation has got by today.
        response = next((note for _, s, note, _ in steps if s in ANSWERED), None)
        evidence = next((note for _, s, note, _ in steps if s == S.IMPLEMENTED), None)
        self.sink.rows("recommendation").append(
            (
                id_,
                lesson_id,
                plan.id,
                agency.organisation_id,
                text,
                due,
                status._value_,
                response,
                evidence,
                at,
                chair.id,
                len(steps),
            )
        )
        events = self.sink.rows("recommendation_event")
        previous = None
        for moment, step, note, person in steps:
            events.append(
                (
                    self.next_id("recommendation_event"),
                    id_,
                    step._value_,
                    note,
                    moment,
                    person.id,
                    person.organisation_id,
                )
            )
            if previous is None:
                changes = {
                    "organisation": agency.organisation,
                    "due_date": due.isoformat(),
                    "text": "(set)",
                }
                self.audit.add(
                    moment, person, AuditAction.CREATE, "recommendation", id_, label, changes
                )
            else:
                changes = {"status": [previous._value_, step._value_]}
                if step in (S.ACCEPTED, S.NOT_ACCEPTED):
                    changes["response"] = ["(hidden)", "(changed)"]
                elif step == S.IMPLEMENTED:
                    changes["evidence"] = ["(hidden)", "(changed)"]
                elif note:
                    changes["note"] = ["(hidden)", "(set)"]
                self.audit.add(
                    moment, person, AuditAction.UPDATE, "recommendation", id_, label, changes
                )
            previous = step
        return {
            "search": (text, response, evidence),
            "row": {
                "number": id_,
                "organisation": agency.organisation,
                "text": text,
                "due": format_datetime(due, "date"),
                # As frozen at approval, a fortnight on.
                "status": S.OPEN.label,
            },
        }

    # --- Live cases and interventions ---

    def live_cases(self, meeting: MeetingPlan) -> list[dict]:
        """The cases referred to a local panel's meeting and the interventions agreed for them
        (and for places and communities). Returns the minutes' intervention rows."""
        rows = []
        for _ in range(self._owed("live_cases")):
            case = self.live_case(meeting)
            for _ in range(self._owed("interventions")):
                rows.append(self.intervention(meeting, case))
        for _ in range(self._owed("places")):
            rows.append(self.intervention(meeting, None))
        return rows

    def live_case(self, meeting: MeetingPlan) -> dict:
        """A case referred to the panel a week or two before `meeting`, and its whole life: open
        until the risk has gone down, then closed with what it achieved for the victim; its
        detail deleted when the panel's retention period runs out."""
        rng = self.rng
        plan = meeting.panel
        coordinator = plan.coordinator
        created_at = meeting.starts_at - _days(rng, 2, 20)
        year = created_at.astimezone(UK).year
        plan.numbers[("live_case", year)] += 1
        reference = f"{plan.prefix}-{year}-{plan.numbers[('live_case', year)]:03d}"
        strands = _strands(rng)
        needs = sorted(
            {_pick(rng, NEEDS) for _ in range(1 + int(rng.random() * 3))}, key=NEEDS.index
        )
        risk = _pick(rng, RISKS)
        referred_by = _pick(rng, plan.partners)[0] if rng.random() < 0.7 else None
        risk_reason = RISK_REASONS[strands.members[0]]
        summary = _pick(rng, SUMMARIES) if rng.random() < 0.6 else None
        review_date = uk_day(meeting.starts_at) + timedelta(days=14 + int(rng.random() * 42))
        status, closed_at, closure = LiveCaseStatus.OPEN, None, (None, None, None)
        closing = meeting.ends_at + _days(rng, 30, 300)
        version = 1
        if closing < self.now and rng.random() < 0.98:
            status, closed_at = LiveCaseStatus.CLOSED, closing
            closure = (_pick(rng, CLOSURES), _pick(rng, VICTIM_OUTCOMES), _pick(rng, ANSWERS))
            version += 1
        elif review_date < self.today and rng.random() < 0.3:
            status = LiveCaseStatus.UNDER_REVIEW
            version += 1
        id_ = self.next_id("live_case")
        label = f"Live case {reference} of {plan.name}"[:200]
        deleted = None
        if closed_at is not None:
            due = add_months(uk_day(closed_at), DEFAULT_LIVE_CASE_RETENTION_MONTHS)
            if due < self.today:
                deleted = due
                self.audit.add(
                    at_uk(due, 6, 30),
                    None,
                    AuditAction.RETENTION_DELETE,
                    "live_case",
                    id_,
                    label,
                    {
                        "deleted": "risk reason" + (", summary" if summary else ""),
                        "retention_months": DEFAULT_LIVE_CASE_RETENTION_MONTHS,
                        "due": due.isoformat(),
                    },
                )
        gone = marker(deleted) if deleted else None
        self.sink.rows("live_case").append(
            (
                id_,
                plan.id,
                reference,
                referred_by.organisation_id if referred_by else None,
                f"{plan.area} NPU",
                risk._value_,
                gone or risk_reason,
                gone if gone and summary else summary,
                status._value_,
                review_date,
                *(value._value_ if value else None for value in closure),
                closed_at,
                created_at,
                coordinator.id,
                version,
            )
        )
        self.sink.rows("live_case_strand").extend((id_, value) for value in strands.values)
        self.sink.rows("live_case_need").extend((id_, need._value_) for need in needs)
        add = self.audit.add
        add(
            created_at,
            coordinator,
            AuditAction.CREATE,
            "live_case",
            id_,
            label,
            {
                "reference": reference,
                "strands": strands.labels,
                "needs": ", ".join(need.label for need in needs),
                "policing_area": f"{plan.area} NPU",
                "risk_level": risk._value_,
                "risk_reason": "(set)",
                "summary": "(set)" if summary else None,
                "status": "open",
                "review_date": review_date.isoformat(),
                "referred_by_id": referred_by.organisation_id if referred_by else None,
            },
        )
        if status == LiveCaseStatus.UNDER_REVIEW:
            add(
                at_uk(review_date, 9),
                coordinator,
                AuditAction.UPDATE,
                "live_case",
                id_,
                label,
                {"status": ["open", "under_review"]},
            )
        if closed_at is not None:
            add(
                closed_at,
                coordinator,
                AuditAction.UPDATE,
                "live_case",
                id_,
                label,
                {
                    "status": ["open", "closed"],
                    "closure_reason": [None, closure[0].value],
                    "victim_outcome": [None, closure[1].value],
                    "felt_safer": [None, closure[2].value],
                    "closed_at": [None, closed_at.isoformat()],
                },
            )
        self._views("live_case", id_, label, plan, meeting.starts_at, keep=deleted is None)
        return {"id": id_, "reference": reference, "closed_at": closed_at}

    def intervention(self, meeting: MeetingPlan, case: dict | None) -> dict:
        """An intervention agreed at `meeting` and its log: under way within weeks, a note or
        two, then completed (or not, with the reason) around its due date; a few are left open.
        Once its case has closed and the retention period has run out, its text goes and the
        notes in its log are deleted."""
        rng = self.rng
        plan = meeting.panel
        type_id, type_name = _pick(rng, plan.intervention_types)
        people = _pick(rng, plan.partners)
        owner = people[0]
        lead = _pick(rng, people) if rng.random() < 0.5 else None
        organisers = plan.organisers
        partner = [p for p in people if p not in organisers]
        by_partner = bool(partner) and rng.random() < 0.15
        author = _pick(rng, partner) if by_partner else plan.coordinator
        created_at = meeting.ends_at + timedelta(minutes=10)
        due = uk_day(meeting.starts_at) + timedelta(days=14 + int(rng.random() * 76))
        place = None if case else _pick(rng, PLACES_OR_COMMUNITIES)
        description = INTERVENTION_DESCRIPTIONS.get(type_name, "As agreed at the panel.")
        S = InterventionStatus
        log = [(created_at, author, None, S.AGREED)]
        status, reason = S.AGREED, None
        moment = created_at + _days(rng, 2, 21)
        if rng.random() < UNDER_WAY:
            log.append(
                (
                    moment,
                    _pick(rng, people),
                    _pick(rng, UPDATE_NOTES) if rng.random() < 0.5 else None,
                    S.IN_PROGRESS,
                )
            )
        end = at_uk(due, 11) + _days(rng, -10, 30)
        for _ in range(int(NOTES_PER_INTERVENTION + rng.random())):
            note_at = moment + (end - moment) * rng.random()
            log.append((note_at, _pick(rng, people), _pick(rng, UPDATE_NOTES), None))
        if rng.random() < 0.98:
            roll = rng.random()
            final = S.COMPLETED if roll < 0.8 else S.NOT_COMPLETED if roll < 0.9 else S.CANCELLED
            note = _pick(rng, FINISH_NOTES[final])
            log.append((max(end, moment + timedelta(hours=1)), _pick(rng, people), note, final))
        log = sorted((entry for entry in log if entry[0] < self.now), key=itemgetter(0))
        for _, _, note, step in log:
            if step is not None:
                status = step
                if step in (S.NOT_COMPLETED, S.CANCELLED):
                    reason = note
        id_ = self.next_id("intervention")
        about = case["reference"] if case else "a place or community"
        label = f"Intervention {id_} ({type_name}) for {about} of {plan.name}"[:200]
        deleted = self._intervention_retention(case, status, log, id_, label, reason)
        gone = marker(deleted) if deleted else None
        self.sink.rows("intervention").append(
            (
                id_,
                plan.id,
                case["id"] if case else None,
                place,
                type_id,
                gone or description,
                owner.organisation_id,
                lead.id if lead else None,
                due,
                status._value_,
                gone if gone and reason else reason,
                meeting.id,
                created_at,
                author.id,
                by_partner,
                sum(step is not None for *_, step in log),
            )
        )
        updates = self.sink.rows("intervention_update")
        add = self.audit.add
        previous = None
        for at, person, note, step in log:
            if not (deleted and note):  # retention deletes the entries that carry a note
                updates.append(
                    (
                        self.next_id("intervention_update"),
                        id_,
                        at,
                        person.id,
                        person.organisation_id,
                        note,
                        step._value_ if step else None,
                        False,
                    )
                )
            if previous is None:
                add(
                    at,
                    person,
                    AuditAction.CREATE,
                    "intervention",
                    id_,
                    label,
                    {
                        "type": type_name,
                        "owner": owner.organisation,
                        "lead": lead.name if lead else None,
                        "due_date": due.isoformat(),
                        "description": "(set)",
                        "logged_by_partner": by_partner,
                    },
                )
                previous = S.AGREED
                continue
            changes: dict = {}
            if step is not None:
                changes["status"] = [previous._value_, step._value_]
                if step in (S.NOT_COMPLETED, S.CANCELLED):
                    changes["status_reason"] = ["(hidden)", "(changed)"]
                previous = step
            if note:
                changes["update"] = "(added)"
            add(at, person, AuditAction.UPDATE, "intervention", id_, label, changes)
        return {
            "number": id_,
            "about": about,
            "type": type_name,
            "owner": owner.organisation,
            "due": format_datetime(due, "date"),
            "status": S.AGREED.label,
        }

    def _intervention_retention(self, case, status, log, id_, label, reason) -> date | None:
        """The day an intervention's text went under the retention policy, if it has come: the
        panel's period after the later of its case's closing and its last entry, once the case
        is closed and the intervention finished (`panel.interventions.retention`)."""
        if case is None or case["closed_at"] is None or status in OPEN_INTERVENTION:
            return None
        started = max(uk_day(case["closed_at"]), max(uk_day(at) for at, *_ in log))
        due = add_months(started, DEFAULT_LIVE_CASE_RETENTION_MONTHS)
        if due >= self.today:
            return None
        notes = sum(note is not None for _, _, note, _ in log)
        deletes = ["description"] + (["status reason"] if reason else [])
        if notes:
            deletes.append(f"{notes} update note{'s' if notes != 1 else ''}")
        self.audit.add(
            at_uk(due, 6, 30),
            None,
            AuditAction.RETENTION_DELETE,
            "intervention",
            id_,
            label,
            {
                "deleted": ", ".join(deletes),
                "retention_months": DEFAULT_LIVE_CASE_RETENTION_MONTHS,
                "due": due.isoformat(),
            },
        )
        return due

    # --- Minutes ---

    def minutes(self, meeting: MeetingPlan, record: MeetingRecord) -> None:
        """The meeting's minutes, as far as their lifecycle has gone: drafted with notes under
        each item and the decision on the previous minutes, submitted, approved (the document
        frozen as version 1), published with the readers' placeholder PDF."""
        plan = meeting.panel
        coordinator, chair = plan.coordinator, plan.chair or plan.coordinator
        status = meeting.minutes
        reached = MINUTES_ORDER.index(status)
        id_ = self.next_id("minutes")
        started, drafted = meeting.started_at, meeting.started_at + timedelta(days=2)
        submitted = meeting.submitted_at if reached >= 1 else None
        decision = meeting.decision
        amendments = (
            AMENDMENTS if decision == PreviousMinutesDecision.AGREED_WITH_AMENDMENTS else None
        )
        following = meeting.next
        agreed_by = (
            following
            if following is not None
            and following.minutes is not None
            and following.decision is not None
            and following.decision.agreed
            else None
        )
        agreed_at = agreed_by.started_at + timedelta(days=2) if agreed_by else None
        self.sink.rows("minutes").append(
            (
                id_,
                meeting.id,
                status._value_,
                1,
                None,
                None,
                started,
                coordinator.id,
                submitted,
                coordinator.id if submitted else None,
                drafted,
                coordinator.id,
                2 + reached + (1 if agreed_by else 0),
                decision._value_ if decision else None,
                amendments,
                agreed_by.starts_at if agreed_by else None,
                agreed_by.id if agreed_by else None,
            )
        )
        notes = self.sink.rows("minutes_note")
        noted = []
        for item in record.items:
            restricted, public = _notes_for(item)
            if restricted or public:
                notes.append(
                    (
                        self.next_id("minutes_note"),
                        id_,
                        item.id,
                        restricted,
                        public,
                        drafted,
                        coordinator.id,
                    )
                )
                noted.append((item, restricted, public))
        if reached >= 2:
            self.sink.rows("minutes_version").append(
                (
                    self.next_id("minutes_version"),
                    id_,
                    1,
                    self._document(meeting, record, noted, chair),
                    drafted,
                    coordinator.id,
                    submitted,
                    coordinator.id,
                    meeting.approved_at,
                    chair.id,
                    meeting.published_at if reached >= 3 else None,
                    chair.id if reached >= 3 else None,
                    PLACEHOLDER_PDF if reached >= 3 else None,
                    None,
                    None,
                    None,
                )
            )
        self._minutes_events(meeting, id_, reached, [item.id for item, *_ in noted], agreed_at)

    def _minutes_events(self, meeting, id_, reached, noted_ids, agreed_at) -> None:
        plan = meeting.panel
        coordinator, chair = plan.coordinator, plan.chair or plan.coordinator
        label = f"Minutes of {plan.name}, {format_datetime(meeting.starts_at, 'date')}"[:200]
        add = self.audit.add
        started = meeting.started_at
        add(started, coordinator, AuditAction.CREATE, "minutes", id_, label)
        add(
            started,
            coordinator,
            AuditAction.UPDATE,
            "meeting",
            meeting.id,
            label,
            {"status": ["held", "minutes_drafted"]},
        )
        drafted = started + timedelta(days=2)
        add(
            drafted,
            coordinator,
            AuditAction.UPDATE,
            "minutes",
            id_,
            label,
            {"notes_of_items": noted_ids},
        )
        if meeting.decision is not None:
            add(
                drafted,
                coordinator,
                AuditAction.UPDATE,
                "minutes",
                id_,
                label,
                {"previous_minutes": meeting.decision.label},
            )
        steps = (
            (
                1,
                meeting.submitted_at,
                coordinator,
                "draft",
                "submitted",
                "submitted for approval",
                None,
            ),
            (
                2,
                meeting.approved_at,
                chair,
                "submitted",
                "approved",
                "version 1 approved",
                "minutes_approved",
            ),
            (
                3,
                meeting.published_at,
                chair,
                "approved",
                "published",
                "version 1 published",
                "minutes_published",
            ),
        )
        previous_meeting_status = "minutes_drafted"
        for needed, at, actor, old, new, step, meeting_status in steps:
            if reached < needed:
                break
            add(
                at,
                actor,
                AuditAction.UPDATE,
                "minutes",
                id_,
                label,
                {"status": [old, new], "step": step},
            )
            if meeting_status:
                add(
                    at,
                    actor,
                    AuditAction.UPDATE,
                    "meeting",
                    meeting.id,
                    label,
                    {"status": [previous_meeting_status, meeting_status]},
                )
                previous_meeting_status = meeting_status
        if agreed_at is not None:
            following = meeting.next
            add(
                agreed_at,
                following.panel.coordinator,
                AuditAction.UPDATE,
                "minutes",
                id_,
                label,
                {
                    "agreed_at": [None, following.starts_at.isoformat()],
                    "agreed_at_meeting_id": [None, following.id],
                },
            )

    def _document(self, meeting: MeetingPlan, record: MeetingRecord, noted, chair: Person) -> dict:
        """The minutes as approved: the JSON of `panel.minutes.document.Document` (its fields,
        filled as `assemble` fills them from what the meeting recorded)."""
        plan = meeting.panel
        notes = {item.id: (restricted, public) for item, restricted, public in noted}
        lessons = record.lessons
        numbered = []
        items = []
        for item in record.items:
            restricted, public = notes.get(item.id, (None, None))
            case = None
            if item.case is not None:
                case = self._case_section(item.case, meeting, lessons.get(item.case.id, []))
                numbered += case["lessons"]
            arising = None
            if item.kind == AgendaItemKind.MATTERS_ARISING:
                day = uk_day(meeting.starts_at)
                arising = [
                    {
                        "kind": "Action",
                        "description": description,
                        "owner": owner,
                        "due": format_datetime(due, "date"),
                        "overdue": due < day,
                        "public_description": None,
                        "case_reference": None,
                    }
                    for description, owner, due in record.arising
                ]
            items.append(
                {
                    "number": item.position,
                    "title": item.title,
                    "kind": item.kind._value_,
                    "presenter": None,
                    "restricted": restricted,
                    "public": public,
                    "case": case,
                    "matters_arising": arising,
                    "matters_arising_total": None,
                    "withheld": None,
                }
            )
        across = lessons.get(None, [])
        recommendations = 0
        for number, lesson in enumerate([*numbered, *across], start=1):
            lesson["number"] = number
            for row in lesson["recommendations"]:
                recommendations += 1
                row["number"] = recommendations
        register = record.register
        represented = {
            person.organisation_id
            for person, status, _ in register
            if status in (AttendanceStatus.PRESENT, AttendanceStatus.DEPUTY)
        }
        quorate = "Quorate" if len(represented) >= 3 else "Not quorate"
        count = len(represented)
        previous = minutes_document.which_minutes(meeting.previous)
        decision = meeting.decision
        amendments = []
        if decision == PreviousMinutesDecision.AGREED:
            said = f"Agreed: {previous} are a correct record."
        elif decision == PreviousMinutesDecision.AGREED_WITH_AMENDMENTS:
            said = f"Agreed: {previous} are a correct record, with these amendments:"
            amendments = [AMENDMENTS]
        else:
            said = ""
        following = meeting.next
        return {
            "schema_version": minutes_document.SCHEMA_VERSION,
            "layer": minutes_document.FULL,
            "panel": plan.name,
            "marking": "OFFICIAL-SENSITIVE",
            "title": f"Minutes of {plan.name}, {format_datetime(meeting.starts_at, 'date')}",
            "meeting_date": format_datetime(meeting.starts_at, "weekday"),
            "meeting_time": format_time(meeting.starts_at),
            "place": meeting.place or ("Online" if meeting.online_link else "Not recorded"),
            "chair": plan.chair.name if plan.chair else None,
            "version": 1,
            "status": MinutesStatus.APPROVED.label,
            "approved_by": chair.name,
            "approved_on": format_datetime(meeting.approved_at, "date"),
            "present": [],
            "deputies": [
                f"{deputy} for {person.name} ({person.organisation})"
                for person, status, deputy in register
                if status == AttendanceStatus.DEPUTY
            ],
            "apologies": [
                f"{person.name} ({person.organisation})"
                for person, status, _ in register
                if status == AttendanceStatus.APOLOGIES
            ],
            "guests": record.guests,
            "quorum": f"{quorate}: {count} organisation{'s' if count != 1 else ''} represented; "
            "the quorum is 3.",
            "previous_minutes": said,
            "items": items,
            "lessons_across_cases": across,
            "interventions": record.interventions,
            "actions": record.actions,
            "aob_restricted": None,
            "aob_public": None,
            "next_meeting": (
                f"{format_datetime(following.starts_at, 'weekday')} at "
                f"{format_time(following.starts_at)}"
                if following is not None
                else None
            ),
            "attendees": [
                {
                    "name": person.name,
                    "organisation": person.organisation,
                    "role": plan.roles[person.id].label,
                }
                for person, status, _ in register
                if status == AttendanceStatus.PRESENT
            ],
            "absent": [
                f"{person.name} ({person.organisation})"
                for person, status, _ in register
                if status == AttendanceStatus.ABSENT
            ],
            "declarations": record.declarations,
            "previous_minutes_amendments": amendments,
            "close_time": format_time(meeting.ends_at),
            "handling": minutes_document.HANDLING.format(marking="OFFICIAL-SENSITIVE"),
            "retention": minutes_document.RETENTION.format(
                case_reviews=DEFAULT_CASE_REVIEW_RETENTION_MONTHS,
                live_cases=DEFAULT_LIVE_CASE_RETENTION_MONTHS,
            ),
            # A meeting of the history lists no more than the minutes hold.
            "shortened": [],
            "key_messages": [],
        }

    @staticmethod
    def _case_section(case: CaseState, meeting: MeetingPlan, lessons: list[dict]) -> dict:
        """A case review in the minutes of `meeting`: the stages rated so far, and its lessons
        and overall view at the meeting that finished it."""
        finished = case.finishes is meeting
        rated = [stage for stage in STAGES if stage in case.findings]
        if not finished:
            rated = [stage for stage in rated if stage in case.rated_first]
        return {
            "reference": case.reference,
            "strands": case.strands.labels,
            "offence": case.offence.label,
            "outcome": case.outcome.label,
            "summary": case.narrative,
            "stages": [
                {
                    "stage": stage.label,
                    "rating": case.findings[stage][0].label,
                    "comment": case.findings[stage][1],
                }
                for stage in rated
            ],
            "lessons": lessons if finished else [],
            "overall_view": case.overall_view if finished else None,
        }

    # --- Finishing ---

    def finish(self) -> None:
        """Record when people last signed in, move the audit chain's head to the last event,
        and date the demo people's seats on the demo panels from the start of the history, as
        if they had sat there all along."""
        connection = self.sink.loader.connection
        users = db.metadata.tables["user_account"]
        signed_in = [
            {"user": user_id, "at": at} for user_id, at in sorted(self.audit.last_signed_in.items())
        ]
        if signed_in:
            connection.execute(
                sa.update(users)
                .where(users.c.id == sa.bindparam("user"))
                .values(last_signed_in_at=sa.bindparam("at")),
                signed_in,
            )
        head = db.metadata.tables["audit_chain_head"]
        values = {"last_sequence": self.audit.sequence, "last_hash": self.audit.previous_hash}
        if self.head_exists:
            connection.execute(sa.update(head).where(head.c.id == 1).values(**values))
        else:  # keyed from the first event, as a new chain's head says (signed)
            first = AuditChainHead.first(self.audit.key)
            connection.execute(
                sa.insert(head).values(
                    id=1,
                    keyed_from=first.keyed_from,
                    keyed_from_seal=first.keyed_from_seal,
                    **values,
                )
            )
        since = self.start - timedelta(days=60)
        memberships = db.metadata.tables["membership"]
        demo_ids = list(self.demo_people)
        if demo_ids:
            connection.execute(
                sa.update(users).where(users.c.id.in_(demo_ids)).values(created_at=since)
            )
            connection.execute(
                sa.update(memberships)
                .where(memberships.c.user_id.in_(demo_ids))
                .values(created_at=since)
            )


# The minutes lifecycle in order, and what each meeting of a given age has reached.
MINUTES_ORDER = (
    MinutesStatus.DRAFT,
    MinutesStatus.SUBMITTED,
    MinutesStatus.APPROVED,
    MinutesStatus.PUBLISHED,
)
MINUTES_BY_AGE = (
    (35, MinutesStatus.PUBLISHED, MeetingStatus.MINUTES_PUBLISHED),
    (21, MinutesStatus.APPROVED, MeetingStatus.MINUTES_APPROVED),
    (14, MinutesStatus.SUBMITTED, MeetingStatus.MINUTES_DRAFTED),
    (7, MinutesStatus.DRAFT, MeetingStatus.MINUTES_DRAFTED),
    (0, None, MeetingStatus.HELD),
)
DECISIONS = (PreviousMinutesDecision.AGREED,) * 17 + (
    PreviousMinutesDecision.AGREED_WITH_AMENDMENTS,
    PreviousMinutesDecision.AGREED_WITH_AMENDMENTS,
    None,
)
# A scrutiny panel records a theme across cases at half its meetings. A lesson from a stage
# rated good practice is good practice, from one rated for improvement an area for improvement,
# and otherwise an area for improvement at `IMPROVEMENT` odds. 5% of interventions are for a
# place or community.
THEMES_PER_MEETING = 0.5
IMPROVEMENT = 0.45
IMPROVEMENTS = (
    RATINGS.count(Rating.AREA_FOR_IMPROVEMENT)
    + IMPROVEMENT
    * (
        len(RATINGS)
        - RATINGS.count(Rating.GOOD_PRACTICE)
        - RATINGS.count(Rating.AREA_FOR_IMPROVEMENT)
    )
) / len(RATINGS)
PLACE_BASED = 0.05
# Of interventions, the share marked as under way before they end, and the notes in a log on
# average: with the first entry of each and the status moves without a note (retention deletes
# the entries with one), the logs as they stand come to about `intervention_updates`.
UNDER_WAY = 0.25
NOTES_PER_INTERVENTION = 0.4
OPEN_INTERVENTION = (InterventionStatus.AGREED, InterventionStatus.IN_PROGRESS)
ANSWERED = (RecommendationStatus.ACCEPTED, RecommendationStatus.NOT_ACCEPTED)


def _notes_for(item: AgendaRow) -> tuple[str | None, str | None]:
    """What the minutes say under an agenda item, by its kind or a word in its title."""
    if item.kind in NOTES:
        return NOTES[item.kind]
    title = item.title.lower()
    for key, notes in NOTES.items():
        if isinstance(key, str) and key in title:
            return notes
    return None, None


# --- The command's work ------------------------------------------------------------------------


def load_national_data(fraction: float = 1.0, seed: int = 1, today: date | None = None):
    """Load the national dataset (`fraction` of it) into the app's database, after the demo
    data, in one transaction; returns what it made. `today` (a UK day) is when the history ends:
    the same seed, fraction and day give the same rows. Raises `AlreadyLoaded` if the database
    holds it already."""
    from panel.core import unit_of_work
    from panel.core.time import uk_today
    from panel.demo import load_demo_data

    started = clock.perf_counter()
    load_demo_data()
    loader = loader_for(db.session.connection())
    sink = Sink(loader)
    generator = NationalData(sink, fraction, seed, today or uk_today())
    generator.read_existing()
    loader.begin(COLUMNS)
    # Millions of rows are made as tuples, none in a reference cycle: Python's cyclic garbage
    # collector would only walk them, again and again (a third of the time, measured).
    gc.disable()
    writing = clock.perf_counter()
    try:
        generator.run()
        loader.abort()  # the last batch written
    except BaseException:
        loader.abort()  # the transaction is rolled back
        raise
    finally:
        gc.enable()
    indexing = clock.perf_counter()
    loader.end(table for table, count in sink.written.items() if count)
    generator.finish()
    unit_of_work.commit()
    db.session.expire_all()  # the chain's head and anything else held was written past the ORM
    done = clock.perf_counter()
    return NationalReport(
        fraction,
        seed,
        dict(sink.written),
        done - started,
        writing=indexing - writing,
        indexing=done - indexing,
    )
