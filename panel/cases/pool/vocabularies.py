"""What the pool reads in an extract, and the themes a draw offers: the column headings police
and CPS systems give, words for strands and offences as extracts spell them, headings that carry
personal data, and groups of Home Office outcome types (domain.md, "Outcomes")."""

from __future__ import annotations

import re
from typing import TypeVar

from panel.cases.vocabularies import OffenceCategory, Outcome, Strand
from panel.core.database import LabelledEnum

E = TypeVar("E", bound=LabelledEnum)


def by_value(enum_class: type[E], value: str) -> E:
    """The member stored as `value`; ValueError if none. (A LabelledEnum's own call reads to
    mypy as its two-argument constructor.)"""
    for member in enum_class:
        if member.value == value:
            return member
    raise ValueError(f"{value!r} is not a {enum_class.__name__}")


# The largest extract one upload takes: a force's finalised hate crime over a year or two.
MAX_ROWS = 5_000
POLICING_AREA_LENGTH = 120
AGENCY_REFERENCE_LENGTH = 40


class Column(LabelledEnum):
    """A column the pool keeps; its label is how messages name it ("the offence category")."""

    STRANDS = ("strands", "strands")
    OFFENCE_CATEGORY = ("offence_category", "offence category")
    OUTCOME = ("outcome", "outcome code")
    FINALISED = ("finalised", "finalised month")
    POLICING_AREA = ("policing_area", "policing area")
    AGENCY_REFERENCE = ("agency_reference", "agency's reference")


REQUIRED_COLUMNS = (
    Column.STRANDS,
    Column.OFFENCE_CATEGORY,
    Column.OUTCOME,
    Column.FINALISED,
    Column.POLICING_AREA,
)


def heading_key(heading: str) -> str:
    """A heading as compared: lower case, words only ("Outcome_Code " is "outcome code")."""
    return " ".join(re.findall(r"[a-z0-9]+", heading.lower()))


# Headings as extracts name them, by column.
HEADINGS: dict[str, Column] = {
    **dict.fromkeys(
        (
            "strand",
            "strands",
            "hate strand",
            "hate strands",
            "hate crime strand",
            "hate crime strands",
            "hate type",
            "motivation",
            "hate motivation",
            "flag",
            "hate flag",
        ),
        Column.STRANDS,
    ),
    **dict.fromkeys(
        ("offence category", "offence", "offence type", "crime type", "category", "offence group"),
        Column.OFFENCE_CATEGORY,
    ),
    **dict.fromkeys(
        (
            "outcome",
            "outcome code",
            "outcome type",
            "home office outcome",
            "ho outcome",
            "outcome category",
        ),
        Column.OUTCOME,
    ),
    **dict.fromkeys(
        (
            "finalised",
            "finalised month",
            "month finalised",
            "finalised date",
            "date finalised",
            "finalised on",
            "outcome date",
            "outcome month",
            "finalized",
            "finalized month",
            "date finalized",
        ),
        Column.FINALISED,
    ),
    **dict.fromkeys(
        (
            "policing area",
            "area",
            "npu",
            "neighbourhood policing unit",
            "local policing area",
            "lpa",
            "district",
            "local authority",
        ),
        Column.POLICING_AREA,
    ),
    **dict.fromkeys(
        (
            "agency reference",
            "reference",
            "crime number",
            "crime reference",
            "crime ref",
            "crime no",
            "urn",
            "cps urn",
            "case reference",
            "case ref",
            "occurrence number",
        ),
        Column.AGENCY_REFERENCE,
    ),
}

# Headings of columns that carry personal data whatever their cells say: never read, never kept.
# Matched as whole words of the heading ("Victim name", "Suspect DOB", "Home address").
PERSONAL_HEADING_WORDS = re.compile(
    r"\b(name|names|forename|surname|first name|last name|victim|suspect|offender|witness|"
    r"address|street|postcode|post code|dob|d o b|date of birth|birth|born|age|phone|telephone|"
    r"mobile|email|e mail|ni number|national insurance|nhs|"
    r"registration|vrm|officer|oic)\b"
)


def personal_heading(heading: str) -> bool:
    return bool(PERSONAL_HEADING_WORDS.search(heading_key(heading)))


def _words(enum_class, extra: dict[str, LabelledEnum]) -> dict[str, LabelledEnum]:
    found = {}
    for member in enum_class:
        found[heading_key(member.value)] = member
        found[heading_key(member.label)] = member
    return {**found, **extra}


STRAND_WORDS: dict[str, LabelledEnum] = _words(
    Strand,
    {
        "racial": Strand.RACE,
        "race or ethnicity": Strand.RACE,
        "ethnicity": Strand.RACE,
        "nationality": Strand.RACE,
        "religion": Strand.RELIGION,
        "religious": Strand.RELIGION,
        "faith": Strand.RELIGION,
        "sexual orientation": Strand.SEXUAL_ORIENTATION,
        "homophobic": Strand.SEXUAL_ORIENTATION,
        "homophobia": Strand.SEXUAL_ORIENTATION,
        "disability": Strand.DISABILITY,
        "disablist": Strand.DISABILITY,
        "transgender": Strand.TRANSGENDER,
        "transphobic": Strand.TRANSGENDER,
        "trans": Strand.TRANSGENDER,
        "gender identity": Strand.TRANSGENDER,
        "misogyny": Strand.SEX_OR_GENDER,
        "sex": Strand.SEX_OR_GENDER,
        "gender": Strand.SEX_OR_GENDER,
        "sex or gender": Strand.SEX_OR_GENDER,
        "alternative subculture": Strand.ALTERNATIVE_SUBCULTURE,
        "subculture": Strand.ALTERNATIVE_SUBCULTURE,
        "age": Strand.AGE,
    },
)

OFFENCE_WORDS: dict[str, LabelledEnum] = _words(
    OffenceCategory,
    {
        "violence with injury": OffenceCategory.VIOLENCE_WITH_INJURY,
        "assault with injury": OffenceCategory.VIOLENCE_WITH_INJURY,
        "violence without injury": OffenceCategory.VIOLENCE_WITHOUT_INJURY,
        "assault without injury": OffenceCategory.VIOLENCE_WITHOUT_INJURY,
        "common assault": OffenceCategory.VIOLENCE_WITHOUT_INJURY,
        "public order": OffenceCategory.PUBLIC_ORDER,
        "public order offences": OffenceCategory.PUBLIC_ORDER,
        "harassment": OffenceCategory.HARASSMENT,
        "stalking": OffenceCategory.HARASSMENT,
        "stalking and harassment": OffenceCategory.HARASSMENT,
        "malicious communications": OffenceCategory.MALICIOUS_COMMUNICATIONS,
        "criminal damage": OffenceCategory.CRIMINAL_DAMAGE,
        "graffiti": OffenceCategory.CRIMINAL_DAMAGE,
        "robbery": OffenceCategory.ROBBERY,
        "sexual offence": OffenceCategory.SEXUAL_OFFENCE,
        "sexual offences": OffenceCategory.SEXUAL_OFFENCE,
        "other": OffenceCategory.OTHER,
    },
)

# An outcome code as extracts write it: "14", "OC14", "Outcome 14", "1A", "14: Evidential ...".
OUTCOME_CODE = re.compile(r"^(?:oc|outcome|outcome type|ho)?\s*0*(\d{1,2}a?)\b", re.IGNORECASE)
OUTCOMES_BY_CODE = {outcome.value.upper(): outcome for outcome in Outcome}


def outcomes(*codes: str) -> frozenset[Outcome]:
    return frozenset(OUTCOMES_BY_CODE[code] for code in codes)


class OutcomeGroup(LabelledEnum):
    """Themes panels draw by, as groups of Home Office outcome types (domain.md)."""

    POSITIVE = ("positive", "Positive outcomes (1 to 10)")
    # The disposals given out of court: cautions (youth, and adult including conditional
    # cautions), the penalty notice for disorder and community resolution. Domain.md names
    # conditional caution and community resolution for hate crime; cautions and PNDs count as
    # out-of-court disposals in the Home Office's counting too.
    OUT_OF_COURT = ("out_of_court", "Out-of-court disposals (2, 3, 6 and 8)")
    # Closed without any action against a suspect: evidential difficulties (14 to 16), time
    # limit expired (17), no suspect identified (18), further investigation not in the public
    # interest (21). Not 9 and 10 (decisions on a known offender, counted as positive) nor 20
    # (another body acts).
    NO_FURTHER_ACTION = ("no_further_action", "No further action (14 to 18 and 21)")

    @property
    def outcomes(self) -> frozenset[Outcome]:
        return OUTCOME_GROUPS[self]


OUTCOME_GROUPS: dict[OutcomeGroup, frozenset[Outcome]] = {
    OutcomeGroup.POSITIVE: frozenset(outcome for outcome in Outcome if outcome.positive),
    OutcomeGroup.OUT_OF_COURT: outcomes("2", "3", "6", "8"),
    OutcomeGroup.NO_FURTHER_ACTION: outcomes("14", "15", "16", "17", "18", "21"),
}
