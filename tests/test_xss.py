"""Markup typed into any free text comes back as text: escaped on every page, literal and inert in
the minutes PDF, and plain (never a formula) in the CSV downloads.

One payload carries the usual attacks: a script tag, an attribute break-out with an event
handler, a javascript: link, a Jinja expression and a textarea break-out. It goes into every free
text field through the services the forms call, each copy behind a marker naming the field, so
that a test can say which field came back unescaped. Every page the admin (who chairs both panels)
can open is then read.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from markupsafe import escape
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from panel.cases import services as cases
from panel.cases.agreement import services as agreement
from panel.cases.vocabularies import Rating, Stage, Strand
from panel.core.time import uk_today
from panel.interventions import services as interventions
from panel.lessons import services as lessons
from panel.lessons.lifecycle import Move
from panel.lessons.models import LessonKind, RecommendationStatus
from panel.meetings import services as meetings
from panel.meetings.agenda import services as agenda
from panel.meetings.attendance import services as attendance
from panel.meetings.models import AgendaItem, MeetingStatus
from panel.minutes import services as minutes_services
from panel.minutes.document import document_of
from panel.minutes.models import PreviousMinutesDecision
from panel.minutes.pdf import render_pdf
from panel.minutes.services import Decision
from panel.panels.models import PanelKind, Role
from tests import factories
from tests.cases import factories as case_factories
from tests.conftest import sign_in
from tests.interventions.conftest import intervention, live_case, local_for_now
from tests.meetings.factories import meeting_on
from tests.test_fuzz import _combos, _ids, _path

# With a marker of up to five letters, short enough for the shortest free-text columns (120).
PAYLOAD = (
    '{{7*7}}<script>alert(1)</script>"><img src=x onerror=alert(1)>javascript:alert(1)'
    "</textarea><svg onload=alert(1)>"
)
# What a spreadsheet would run, typed as a lesson.
FORMULA = '=HYPERLINK("javascript:alert(1)","Click")'
# Markup that must never appear as markup in a page.
RAW = ("<script>alert", "<img src=x", "<svg onload", "onerror=alert(1)>", "</textarea><svg")
JAVASCRIPT_LINK = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def text(marker: str) -> str:
    return f"{marker} {PAYLOAD}"


# Every field written below, by marker. Restricted text is in the full minutes only.
FIELDS = {
    "ORG": "an organisation's name",
    "PANEL": "a scrutiny panel's name",
    "LOCAL": "a local panel's name",
    "USER": "a person's name",
    "JOB": "a person's job title",
    "PLACE": "where a meeting is held",
    "AGENDA": "an agenda item's title",
    "GUEST": "a guest's name",
    "GORG": "a guest's organisation",
    "NARRATIVE": "a case review's narrative",
    "LEGISLATION": "a case review's legislation",
    "AREA": "a case review's policing area",
    "STAGE": "a stage finding's comment",
    "OVERALL": "a case review's overall view",
    "LESSON": "a lesson learnt",
    "THEME": "a lesson across cases",
    "RECOMMEND": "a recommendation",
    "RESPONSE": "an organisation's response",
    "EVIDENCE": "evidence of implementation",
    "ACTION": "a meeting action",
    "TYPE": "an intervention type",
    "SUMMARY": "a live case's summary",
    "RISK": "a live case's risk reason",
    "CAREA": "a live case's policing area",
    "INTERVENE": "an intervention's description",
    "UPDATE": "an intervention update",
    "COMMUNITY": "a place or community an intervention is for",
    "PUBLIC": "public minutes notes",
    "RESTRICTED": "restricted minutes notes",
    "AOBPUBLIC": "public any other business",
    "AOBRESTRICTED": "restricted any other business",
    "AMEND": "amendments to the previous minutes",
    "DECLARE": "the reason for a declared interest",
}
IN_PUBLISHED_PDF = (
    "ORG",
    "PANEL",
    "USER",
    "PLACE",
    "AGENDA",
    "GUEST",
    "GORG",
    "LESSON",
    "THEME",
    "RECOMMEND",
    "ACTION",
    "PUBLIC",
    "AOBPUBLIC",
    "AMEND",
)
IN_FULL_PDF = (
    *IN_PUBLISHED_PDF,
    "STAGE",
    "OVERALL",
    "RESTRICTED",
    "AOBRESTRICTED",
    "COMMUNITY",
    "DECLARE",
)


@pytest.fixture
def marked(app, db):
    """Both panels, chaired by an admin, with the payload in every free text field, and the
    scrutiny panel's meeting minuted and published with the real PDF renderer."""
    with app.test_request_context():
        org = factories.organisation(text("ORG"))
        admin = factories.user(full_name=text("USER"), is_admin=True, organisation_=org)
        admin.job_title = text("JOB")
        coordinator = factories.user(full_name="Imran Sadiq", organisation_=org)
        scrutiny = factories.panel(text("PANEL"), PanelKind.SCRUTINY_PANEL)
        local = factories.panel(text("LOCAL"), PanelKind.LOCAL_HATE_CRIME_PANEL)
        for panel in (scrutiny, local):
            factories.membership(panel, admin, Role.CHAIR)
            factories.membership(panel, coordinator, Role.COORDINATOR)
        for person in (admin, coordinator):
            for panel in (scrutiny, local):
                agreement.accept(person, panel)

        meeting = meeting_on(scrutiny, days_from_now=-14, status=MeetingStatus.HELD)
        meeting.place = text("PLACE")
        meeting.agenda_items = [
            AgendaItem(position=item.position, kind=item.kind, title=item.title)
            for item in meetings.agenda_template(scrutiny)
        ]
        # Agenda titles come from the panel's standing items, which the chair names.
        meeting.agenda_items[0].title = text("AGENDA")
        db.session.commit()
        attendance.add_guest(coordinator, meeting, text("GUEST"), text("GORG"))
        case_review = case_factories.case_review(
            coordinator,
            scrutiny,
            narrative=text("NARRATIVE"),
            legislation=text("LEGISLATION"),
            policing_area=text("AREA"),
        )
        cases.place_on_agenda(coordinator, case_review, meeting)
        cases.record_stage_findings(
            admin,
            case_review,
            {Stage.INVESTIGATION: cases.FindingDetails(Rating.AREA_FOR_IMPROVEMENT, text("STAGE"))},
            text("OVERALL"),
        )
        lesson = lessons.record_lesson(
            admin,
            lessons.LessonDetails(
                kind=LessonKind.IMPROVEMENT,
                strands=[Strand.RACE],
                text=text("LESSON"),
                stage=Stage.INVESTIGATION,
            ),
            case_review=case_review,
        )
        lessons.record_lesson(
            admin,
            lessons.LessonDetails(kind=LessonKind.IMPROVEMENT, strands=[], text=FORMULA),
            meeting=meeting,
        )
        lessons.record_lesson(
            admin,
            lessons.LessonDetails(kind=LessonKind.GOOD_PRACTICE, strands=[], text=text("THEME")),
            meeting=meeting,
        )
        recommendation = lessons.add_recommendation(
            admin,
            lesson,
            lessons.RecommendationDetails(org, text("RECOMMEND"), uk_today() + timedelta(60)),
            notify=False,
        ).recommendation
        for move, status, marker in (
            (Move.RESPOND, RecommendationStatus.ACCEPTED, "RESPONSE"),
            (Move.IMPLEMENT, RecommendationStatus.IMPLEMENTED, "EVIDENCE"),
        ):
            lessons.move_recommendation(
                admin, recommendation, move, status, text(marker), recommendation.version
            )
        meetings.add_action(coordinator, meeting, text("ACTION"), org, uk_today() + timedelta(21))
        # Shown in the scrutiny meeting's minutes; the service agrees interventions on local
        # panels only.
        with local_for_now(scrutiny):
            interventions.agree_intervention(
                coordinator,
                scrutiny,
                interventions.InterventionDetails(
                    type=interventions.intervention_types(scrutiny)[0],
                    description="Reassurance visits to the traders.",
                    owner=org,
                    due_date=uk_today() + timedelta(days=30),
                ),
                place_or_community=text("COMMUNITY"),
                meeting=meeting,
            )

        interventions.add_intervention_type(coordinator, local, text("TYPE"))
        case = live_case(
            coordinator,
            local,
            summary=text("SUMMARY"),
            risk_reason=text("RISK"),
            policing_area=text("CAREA"),
        )
        agreed = intervention(coordinator, case, org, description=text("INTERVENE"))
        interventions.update_intervention(
            admin, agreed, status=None, text=text("UPDATE"), version=agreed.version
        )

        case_item = next(item for item in meeting.agenda_items if item.case_review_id)
        agenda.declare_interest(coordinator, case_item, text("DECLARE"))
        minutes = minutes_services.start(coordinator, meeting)
        notes = {
            item.id: minutes_services.ItemNotes(text("RESTRICTED"), text("PUBLIC"))
            for item in meeting.agenda_items
        }
        aob = minutes_services.ItemNotes(text("AOBRESTRICTED"), text("AOBPUBLIC"))
        minutes_services.save_notes(
            coordinator,
            minutes,
            notes,
            aob,
            minutes.edit_version,
            previous=Decision(PreviousMinutesDecision.AGREED_WITH_AMENDMENTS, text("AMEND")),
        )
        minutes_services.submit(coordinator, minutes, minutes.edit_version)
        minutes_services.approve(admin, minutes, minutes.edit_version)
        minutes_services.publish(admin, minutes, minutes.edit_version, render_pdf)
        full = render_pdf(document_of(minutes))
    return SimpleNamespace(admin=admin, minutes=minutes, full_pdf=full)


def _pages(app, client) -> dict[str, str]:
    """Every page the admin can open with the objects that exist: address -> HTML or CSV."""
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]
    ids = _ids({name for rule in rules for name in rule.arguments})
    found = {}
    for rule in rules:
        if "GET" not in rule.methods:
            continue
        for values in _combos(rule, ids):
            path = _path(rule, values)
            response = client.get(path)
            if response.status_code == 200 and response.mimetype in ("text/html", "text/csv"):
                found[path] = response.get_data(as_text=True)
    return found


def test_payloads_in_every_free_text_field_come_back_escaped_on_every_page(app, client, marked):
    sign_in(client, marked.admin)
    pages = _pages(app, client)
    html = {path: page for path, page in pages.items() if not path.endswith(".csv")}
    assert len(html) > 50
    for path, page in html.items():
        for raw in RAW:
            assert raw not in page, (path, raw)
        assert not JAVASCRIPT_LINK.search(page), path
        # A Jinja expression typed as text is never evaluated, wherever it lands.
        assert not re.search(r"\b[A-Z]+ 49", page), path
    shown = {
        marker for marker in FIELDS if any(str(escape(text(marker))) in p for p in html.values())
    }
    missing = {marker: FIELDS[marker] for marker in FIELDS if marker not in shown}
    assert not missing, f"never shown whole and escaped on any page: {missing}"


def test_csv_exports_keep_payloads_as_plain_text_and_formulas_as_text(app, client, marked):
    sign_in(client, marked.admin)
    exports = {path: body for path, body in _pages(app, client).items() if path.endswith(".csv")}
    assert len(exports) >= 3
    cells = []
    for path, body in exports.items():
        rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
        for row in rows:
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (path, cell)
                assert "&lt;" not in cell, (path, cell)
                cells.append(cell)
    assert text("LESSON") in cells and text("RECOMMEND") in cells
    assert "'" + FORMULA in cells


# --- The minutes PDF -----------------------------------------------------------------------


def _squeezed(value: str) -> str:
    return "".join(value.split())


def _objects(reader: PdfReader):
    """Every dictionary reachable from the trailer, each once."""
    seen, stack = set(), [reader.trailer]
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        if isinstance(node, DictionaryObject):
            yield node
            stack.extend(value for name, value in node.items() if name != "/Parent")
        elif isinstance(node, ArrayObject):
            stack.extend(node)


def _assert_inert(pdf: bytes) -> PdfReader:
    reader = PdfReader(io.BytesIO(pdf))
    for node in _objects(reader):
        for key in ("/JS", "/JavaScript", "/OpenAction", "/AA", "/Launch", "/SubmitForm"):
            assert key not in node, key
        assert node.get("/S") not in ("/JavaScript", "/Launch", "/URI"), node
        assert "/URI" not in node, node.get("/URI")
        if node.get("/Type") == "/Annot":
            assert node.get("/Subtype") != "/Link", node
    return reader


@pytest.mark.parametrize(
    ("layer", "markers"), [("published", IN_PUBLISHED_PDF), ("full", IN_FULL_PDF)]
)
def test_payloads_in_the_minutes_pdf_are_literal_text_with_no_script_or_link(
    marked, layer, markers
):
    pdf = (
        marked.minutes.published_version.published_pdf if layer == "published" else marked.full_pdf
    )
    reader = _assert_inert(pdf)
    content = _squeezed(" ".join(page.extract_text() for page in reader.pages))
    for marker in markers:
        assert _squeezed(text(marker)) in content, FIELDS[marker]
    assert "49<script>" not in content
