"""Status tags: each enumeration shown as a GOV.UK tag declares a colour for every member."""

import pytest

import panel.models  # noqa: F401 - every enumeration, as the app loads them
from panel.cases.models import CaseReviewStatus
from panel.cases.vocabularies import Rating, Strand
from panel.database import LabelledEnum
from panel.interventions.vocabularies import InterventionStatus, PanelCaseStatus, RiskLevel
from panel.lessons.models import LessonKind, RecommendationStatus
from panel.meetings.models import ActionStatus, AgendaItemKind, MeetingStatus
from panel.minutes.models import MinutesStatus

# The enumerations the templates show with `status_tag`.
SHOWN_AS_TAGS = {
    ActionStatus,
    AgendaItemKind,
    CaseReviewStatus,
    InterventionStatus,
    LessonKind,
    MeetingStatus,
    MinutesStatus,
    PanelCaseStatus,
    Rating,
    RecommendationStatus,
    RiskLevel,
}

# GOV.UK Frontend's tag colours. Blue and light blue predate its version 6, which shows both in
# its default blue; the classes are kept so that pages keep the markup they had.
GOVUK_TAG_COLOURS = {
    "grey",
    "green",
    "turquoise",
    "teal",
    "blue",
    "light-blue",
    "purple",
    "pink",
    "magenta",
    "red",
    "orange",
    "yellow",
}


def _labelled_enums(cls=LabelledEnum):
    for subclass in cls.__subclasses__():
        yield subclass
        yield from _labelled_enums(subclass)


def _tagged_enums():
    return [enum for enum in _labelled_enums() if enum.TAG_COLOURS is not None]


def test_every_enumeration_shown_as_a_tag_declares_its_colours():
    assert set(_tagged_enums()) == SHOWN_AS_TAGS


@pytest.mark.parametrize("enum", sorted(SHOWN_AS_TAGS, key=lambda enum: enum.__name__))
def test_every_member_has_a_govuk_tag_colour(enum):
    assert set(enum.TAG_COLOURS) == {member.name for member in enum}
    for member in enum:
        # Only an agenda item's kind may go untagged: a status is always shown.
        if member.tag_colour is None:
            assert enum is AgendaItemKind, member
        else:
            assert member.tag_colour in GOVUK_TAG_COLOURS, member


def test_asking_the_colour_of_an_enumeration_never_shown_as_a_tag_fails_loudly():
    # An AttributeError would quietly render as an uncoloured tag in a template.
    with pytest.raises(TypeError, match="Strand declares no TAG_COLOURS"):
        _ = Strand.RACE.tag_colour
