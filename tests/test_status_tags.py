"""Status tags: each enumeration shown as a GOV.UK tag declares a colour for every member, and the
one macro `status_tag` renders any of them."""

import pytest

import panel.models  # noqa: F401 - every enumeration, as the app loads them
from panel.cases.models import CaseReviewStatus
from panel.cases.vocabularies import Rating, Strand
from panel.core.database import LabelledEnum
from panel.core.outbox import OutboxStatus
from panel.interventions.vocabularies import InterventionStatus, LiveCaseStatus, RiskLevel
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
    LiveCaseStatus,
    OutboxStatus,
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


def _render(app, call, **context):
    template = app.jinja_env.from_string(
        '{% from "macros/tags.html" import status_tag %}{{ ' + call + " }}"
    )
    return " ".join(template.render(**context).split())


def test_status_tag_renders_a_meeting_status_in_its_colour(app):
    rendered = [_render(app, "status_tag(status)", status=status) for status in MeetingStatus]
    assert rendered == [
        '<strong class="govuk-tag govuk-tag--blue"> Scheduled </strong>',
        '<strong class="govuk-tag govuk-tag--turquoise"> Held </strong>',
        '<strong class="govuk-tag govuk-tag--yellow"> Minutes drafted </strong>',
        '<strong class="govuk-tag govuk-tag--purple"> Minutes approved </strong>',
        '<strong class="govuk-tag govuk-tag--green"> Minutes published </strong>',
        '<strong class="govuk-tag govuk-tag--grey"> Cancelled </strong>',
    ]


def test_status_tag_takes_other_words_and_leaves_an_untagged_member_out(app):
    assert _render(app, 'status_tag(level, "High risk")', level=RiskLevel.HIGH) == (
        '<strong class="govuk-tag govuk-tag--red"> High risk </strong>'
    )
    assert _render(app, "status_tag(kind)", kind=AgendaItemKind.STANDING) == ""
    assert "govuk-tag--purple" in _render(app, "status_tag(kind)", kind=AgendaItemKind.CASE_REVIEW)


def test_status_tag_escapes_the_words(app):
    rendered = _render(app, 'status_tag(level, "<b>risk</b>")', level=RiskLevel.HIGH)
    assert "&lt;b&gt;risk&lt;/b&gt;" in rendered


@pytest.mark.parametrize("text", ["Overdue", "Logged by <partner> & co"])
def test_tag_writes_exactly_what_govuk_frontends_tag_macro_writes(app, text):
    # Panel writes the tag's markup itself (lists show one per row; govukTag costs far more), so
    # an upgrade of GOV.UK Frontend that changes the tag must show up here.
    def render(source):
        return app.jinja_env.from_string(source).render(text=text)

    ours = render('{% from "macros/tags.html" import tag %}{{ tag(text, "red") }}')
    theirs = render(
        '{% from "govuk_frontend_jinja/components/tag/macro.html" import govukTag %}'
        '{{ govukTag({"text": text, "classes": "govuk-tag--red"}) }}'
    )
    assert ours == theirs
    assert "&lt;partner&gt; &amp; co" in ours or text == "Overdue"
