"""The minutes PDF: read back with pypdf, as a reader's software would.

A held scrutiny meeting with case reviews, lessons and notes in both layers is minuted, approved
and published through the services, once for the module (`pdfs`), each PDF rendered once; the
full PDF (panel members) and the published one (readers) are then checked page by page: the
protective marking in the top and bottom margins, "Page N of M", what each layer shows and leaves
out, the tags, language and bookmarks, the stored bytes and their hash, and that text typed into
the notes stays text.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import hashlib
import io
from dataclasses import dataclass

import pytest
from pypdf import PdfReader
from pypdf.generic import BooleanObject
from weasyprint import HTML

from panel.core.time import format_datetime
from panel.extensions import db
from panel.minutes.document import ActionRow, Document, document_of
from panel.minutes.models import MinutesVersion
from panel.minutes.pdf import render_pdf
from tests.cases.conftest import scrutiny_panel_people
from tests.lessons.conftest import scrutiny_of
from tests.minutes import minuted_meeting
from tests.minutes.minuted_meeting import (
    AOB_PUBLIC,
    AOB_RESTRICTED,
    INTERVENTION_PLACE,
    OVERALL_VIEW,
    PUBLIC_NOTE,
    RESTRICTED_NOTE,
    STAGE_COMMENT,
    THEME,
    XSS_PUBLIC,
    XSS_RESTRICTED,
    MinutedMeeting,
)

MARKING = "OFFICIAL-SENSITIVE"
FULL_VERSION = "Full version (panel members)"
READER_VERSION = "Reader version"
RESTRICTED_LABEL = "Restricted: panel members only"
MM = 72 / 25.4  # PDF points in a millimetre
# The marking and page number sit in the page margins (22 mm): nearer the edge than this.
MARGIN = 20 * MM


# --- Reading a PDF back ------------------------------------------------------------------------


@dataclass
class Run:
    text: str
    x: float
    y: float  # from the bottom of the page, in points


@dataclass
class ReadPdf:
    reader: PdfReader
    pages: list[str]  # each page's text, whitespace collapsed
    runs: list[list[Run]]  # each page's text runs, where they are drawn
    height: float

    @property
    def text(self) -> str:
        return " ".join(self.pages)

    @property
    def catalog(self):
        return self.reader.trailer["/Root"]

    def outline(self) -> list[tuple[int, str]]:
        """The bookmarks as (level, title), in order; level 1 is the top."""

        def walk(items, level):
            for item in items:
                if isinstance(item, list):
                    yield from walk(item, level + 1)
                else:
                    yield level, item.title

        return list(walk(self.reader.outline, 1))

    def structure_types(self) -> set[str]:
        """Every structure element type in the tag tree (/H1, /Table, /TH, ...)."""
        found: set[str] = set()
        stack = [self.catalog["/StructTreeRoot"]]
        while stack:
            node = stack.pop()
            if hasattr(node, "get_object"):
                node = node.get_object()
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                if "/S" in node:
                    found.add(str(node["/S"]))
                if "/K" in node:
                    stack.append(node["/K"])
        return found


@dataclass
class MarkedRun:
    """A run of text with the marked content it is drawn in: an artifact (page furniture that
    assistive technology skips), or content with a marked-content id (MCID) in the tag tree."""

    text: str
    y: float
    artifact: bool
    mcid: int | None


def marked_runs(reader: PdfReader) -> list[list[MarkedRun]]:
    """Each page's text runs with the marked-content sequence (BDC/BMC ... EMC) around them."""
    pages = []
    for page in reader.pages:
        stack: list[tuple[str, int | None]] = []
        runs: list[MarkedRun] = []

        def before(operator, operands, _cm, _tm, stack=stack):
            if operator in (b"BDC", b"BMC"):
                properties = operands[1] if len(operands) > 1 else {}
                mcid = properties.get("/MCID") if hasattr(properties, "get") else None
                stack.append((str(operands[0]), mcid))
            elif operator == b"EMC" and stack:
                stack.pop()

        def visit(text, cm, tm, _font, _size, stack=stack, runs=runs):
            if text.strip():
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                mcid = next((m for _, m in reversed(stack) if m is not None), None)
                artifact = any(tag == "/Artifact" for tag, _ in stack)
                runs.append(MarkedRun(text.strip(), y, artifact, mcid))

        page.extract_text(visitor_operand_before=before, visitor_text=visit)
        pages.append(runs)
    return pages


@dataclass
class Tagged:
    """The tag tree as a screen reader walks it: from the structure tree root down."""

    elements: list  # every structure element reachable from the root, in order
    parents: dict[int, object]  # id(element) -> its parent element
    contents: set[tuple[int, int]]  # (page index, MCID) of the content the tree reaches
    id_tree: dict[str, object]  # the structure tree's IDs, for table header references

    def of_type(self, kind: str) -> list:
        return [element for element in self.elements if element["/S"] == kind]

    def descendants(self, element, kind: str) -> list:
        found, stack = [], list(_kids(element))
        while stack:
            node = stack.pop(0)
            if isinstance(node, dict) and "/S" in node:
                if node["/S"] == kind:
                    found.append(node)
                stack[:0] = _kids(node)
        return found


def _kids(element) -> list:
    kids = element.get("/K", [])
    kids = kids.get_object() if hasattr(kids, "get_object") else kids
    if not isinstance(kids, list):
        kids = [kids]
    return [kid.get_object() if hasattr(kid, "get_object") else kid for kid in kids]


def tag_tree(reader: PdfReader) -> Tagged:
    page_index = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}
    root = reader.trailer["/Root"]["/StructTreeRoot"].get_object()
    elements, parents, contents = [], {}, set()

    def walk(element, page):
        elements.append(element)
        if "/Pg" in element:
            page = page_index[element.raw_get("/Pg").idnum]
        for kid in _kids(element):
            if isinstance(kid, int):
                contents.add((page, kid))
            elif isinstance(kid, dict) and "/S" in kid:
                parents[id(kid)] = element
                walk(kid, page)
            elif isinstance(kid, dict) and kid.get("/Type") == "/MCR":
                contents.add((page_index[kid.raw_get("/Pg").idnum], int(kid["/MCID"])))

    for top in _kids(root):
        walk(top, None)
    id_tree = {}
    if "/IDTree" in root:
        names = root["/IDTree"].get_object()["/Names"]
        id_tree = {str(names[i]): names[i + 1].get_object() for i in range(0, len(names), 2)}
    return Tagged(elements, parents, contents, id_tree)


def attributes(element) -> dict:
    """An element's attributes (/A: one dictionary or an array of them), merged."""
    found = element.get("/A")
    if found is None:
        return {}
    found = found.get_object()
    merged = {}
    for item in found if isinstance(found, list) else [found]:
        merged.update(item.get_object())
    return merged


@functools.lru_cache(maxsize=16)
def read(pdf: bytes) -> ReadPdf:
    """The PDF parsed by pypdf, its text and where each run is drawn. Parsing is slow and the
    result depends only on the bytes, so the same bytes are parsed once."""
    reader = PdfReader(io.BytesIO(pdf))
    pages, runs = [], []
    for page in reader.pages:
        found: list[Run] = []

        def visit(text, cm, tm, _font, _size, found=found):
            if text.strip():
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                found.append(Run(text.strip(), x, y))

        pages.append(" ".join(page.extract_text(visitor_text=visit).split()))
        runs.append(found)
    return ReadPdf(reader, pages, runs, float(reader.pages[0].mediabox.height))


def flat(text: str) -> str:
    return " ".join(text.split())


# --- The meeting -------------------------------------------------------------------------------


@dataclass
class MinutesPdfs:
    """One minuted meeting and its PDFs, each rendered once for the module: while a draft, then
    published by the chair."""

    minuted: MinutedMeeting  # published, by the time a test sees it
    draft_document: Document  # the full minutes before they were approved
    draft: ReadPdf  # the full minutes' PDF while a draft
    long_actions: ReadPdf  # the draft with 120 actions: a table over at least two pages
    full: ReadPdf  # the full minutes' PDF once published
    published: ReadPdf  # the readers' PDF, as stored at publication


def with_long_actions(document: Document) -> Document:
    """The minutes with 120 actions: a table that runs over at least two pages."""
    return dataclasses.replace(
        document,
        actions=[
            ActionRow(
                f"Action row {n:03d}: write to the partner", "West Midlands Police", None, "Open"
            )
            for n in range(1, 121)
        ],
    )


@pytest.fixture(scope="module")
def pdfs(module_db) -> MinutesPdfs:
    """A held scrutiny meeting minuted with notes in both layers, its draft rendered, then
    submitted, approved by the chair and published with `render_pdf`, and rendered again. Built
    and rendered once: rendering is most of the time these tests take, and every test reads the
    same documents (`in_module_db` rolls back anything a test writes)."""
    scrutiny = scrutiny_of(scrutiny_panel_people())
    meeting = minuted_meeting.build(
        scrutiny.panel,
        chair=scrutiny.chair,
        coordinator=scrutiny.people.coordinator,
        organisations=[scrutiny.police, scrutiny.chair.organisation],
    )
    draft_document = document_of(meeting.minutes)
    draft = read(render_pdf(draft_document))
    long_actions = read(render_pdf(with_long_actions(draft_document)))
    meeting.publish(render_pdf)
    return MinutesPdfs(
        minuted=meeting,
        draft_document=draft_document,
        draft=draft,
        long_actions=long_actions,
        full=read(render_pdf(document_of(meeting.minutes))),
        published=read(meeting.minutes.published_version.published_pdf),
    )


pytestmark = pytest.mark.usefixtures("in_module_db")


# --- Every page --------------------------------------------------------------------------------


def test_marking_is_centred_at_the_top_and_bottom_of_every_page(pdfs):
    for pdf in (pdfs.full, pdfs.published):
        assert len(pdf.pages) >= 3
        width = float(pdf.reader.pages[0].mediabox.width)
        for number, runs in enumerate(pdf.runs, start=1):
            markings = [run for run in runs if run.text == MARKING]
            top = [run for run in markings if run.y > pdf.height - MARGIN]
            bottom = [run for run in markings if run.y < MARGIN]
            assert len(top) == 1 and len(bottom) == 1, f"page {number}"
            for run in top + bottom:
                # Centred: it starts as far left of the middle as the text is long, about.
                assert width / 2 - 80 < run.x < width / 2 - 20, f"page {number}"


def test_every_page_says_page_n_of_m_in_its_bottom_margin(pdfs):
    for pdf in (pdfs.full, pdfs.published):
        count = len(pdf.pages)
        for number, runs in enumerate(pdf.runs, start=1):
            [run] = [run for run in runs if run.text.startswith("Page ")]
            assert run.text == f"Page {number} of {count}"
            assert run.y < MARGIN


def top_of_page(pdf: ReadPdf, number: int) -> list[str]:
    return [run.text for run in pdf.runs[number] if run.y > pdf.height - MARGIN]


def test_draft_pdf_says_draft_at_the_top_of_every_page(pdfs):
    pdf = pdfs.draft
    assert len(pdf.pages) >= 3
    for number in range(len(pdf.pages)):
        assert "DRAFT" in top_of_page(pdf, number), f"page {number + 1}"


def test_approved_and_published_pdfs_do_not_say_draft(pdfs):
    for pdf in (pdfs.full, pdfs.published):
        assert "DRAFT" not in pdf.text


def test_every_page_names_its_version_in_the_running_header(pdfs):
    for pdf, name in (
        (pdfs.full, FULL_VERSION),
        (pdfs.published, READER_VERSION),
    ):
        for number in range(len(pdf.pages)):
            assert name in top_of_page(pdf, number), f"page {number + 1}"
    assert FULL_VERSION not in pdfs.published.text


def test_pdf_title_names_the_version_and_says_draft_until_approved(pdfs):
    document = pdfs.draft_document
    assert pdfs.draft.reader.metadata.title == f"{document.title} – {FULL_VERSION} – DRAFT"
    assert pdfs.published.reader.metadata.title == f"{document.title} – {READER_VERSION}"
    version = pdfs.minuted.minutes.published_version
    assert read(version.full_pdf).reader.metadata.title == f"{document.title} – {FULL_VERSION}"


# --- What each layer shows ---------------------------------------------------------------------


def test_full_pdf_shows_both_layers_stage_comments_and_every_lesson(pdfs):
    pdf = pdfs.full
    for case_review in pdfs.minuted.case_reviews:
        assert f"Case review {case_review.reference}" in pdf.text
        for number in (1, 2):
            assert flat(minuted_meeting.lesson_text(case_review.reference, number)) in pdf.text
    assert pdf.text.count(RESTRICTED_LABEL) >= len(pdfs.minuted.case_reviews)
    for phrase in (RESTRICTED_NOTE, PUBLIC_NOTE, STAGE_COMMENT, OVERALL_VIEW, AOB_RESTRICTED):
        assert flat(phrase) in pdf.text, phrase
    assert AOB_PUBLIC in pdf.text
    assert THEME in pdf.text
    assert INTERVENTION_PLACE in pdf.text
    assert "Remind response officers to offer an interpreter" in pdf.text
    assert "Full minutes: panel members only" in pdf.text


def test_published_pdf_leaves_out_restricted_notes_stage_comments_and_live_details(
    pdfs,
):
    pdf = pdfs.published
    for phrase in (
        RESTRICTED_NOTE,
        RESTRICTED_LABEL,
        STAGE_COMMENT,
        OVERALL_VIEW,
        AOB_RESTRICTED,
        INTERVENTION_PLACE,
        "Injected heading",
    ):
        assert flat(phrase) not in pdf.text, phrase
    assert "Comment" not in pdf.text  # no comment column in the stage ratings
    for case_review in pdfs.minuted.case_reviews:
        assert f"Stage ratings for case review {case_review.reference}" in pdf.text
        for number in (1, 2):
            assert flat(minuted_meeting.lesson_text(case_review.reference, number)) in pdf.text
    for phrase in (PUBLIC_NOTE, AOB_PUBLIC, THEME, "Good practice", "Area for improvement"):
        assert flat(phrase) in pdf.text, phrase
    assert "Published minutes: panel members and readers" in pdf.text


def test_document_control_says_who_approved_which_version_and_when(pdfs):
    version = pdfs.minuted.minutes.published_version
    approved_on = format_datetime(version.approved_at, "date")
    text = pdfs.published.pages[0]
    assert f"Panel {pdfs.minuted.panel.name}" in text
    assert f"Place {pdfs.minuted.meeting.place}" in text
    assert "Version 1" in text
    assert "Status Published" in text
    assert f"Approved by and on {pdfs.minuted.chair.full_name} on {approved_on}" in text
    assert f"Protective marking {MARKING}" in text


def test_draft_pdf_says_it_is_not_yet_approved(pdfs):
    text = pdfs.draft.pages[0]
    assert "Status Draft" in text
    assert "Approved by and on Not yet approved" in text


def test_attendance_lists_each_person_with_deputies_apologies_and_guests(
    pdfs,
):
    text = pdfs.published.text
    assert "Present Name Organisation Role" in text
    assert "Harriet Lang CPS West Midlands Chair" in text
    assert "Imran Sadiq CPS West Midlands Coordinator" in text
    assert "Sam Deputy for" in text
    assert "Apologies" in text
    assert "Priya Nair (Tell MAMA)" in text


def test_matters_arising_and_next_meeting_are_minuted(pdfs):
    text = pdfs.published.text
    assert "Matters arising" in text
    assert format_datetime(pdfs.minuted.next_meeting.starts_at, "weekday") in text


def test_previous_minutes_have_their_own_section_when_no_item_lists_matters_arising(
    pdfs,
):
    document = pdfs.draft_document
    document = dataclasses.replace(
        document,
        items=[item for item in document.items if item.matters_arising is None],
        previous_minutes="Agreed: the minutes of the last meeting are a correct record.",
    )
    pdf = read(render_pdf(document))
    assert (2, "Minutes of the previous meeting") in pdf.outline()
    assert document.previous_minutes in pdf.text


# --- Accessibility -----------------------------------------------------------------------------


def test_pdf_is_tagged_in_british_english_with_its_title_and_metadata(pdfs):
    document = document_of(pdfs.minuted.minutes)
    for pdf in (pdfs.full, pdfs.published):
        assert pdf.catalog["/MarkInfo"]["/Marked"] == BooleanObject(True)
        assert "/StructTreeRoot" in pdf.catalog
        assert pdf.catalog["/Lang"] == "en-GB"
        assert pdf.catalog["/ViewerPreferences"]["/DisplayDocTitle"] == BooleanObject(True)
        assert pdf.reader.metadata.title.startswith(document.title)
        assert pdf.reader.metadata.author == "Panel"
        assert pdf.reader.metadata.subject == pdfs.minuted.panel.name
        assert {"/H1", "/H2", "/H3", "/Table", "/Caption", "/THead", "/TH", "/TD", "/P"} <= (
            pdf.structure_types()
        )


def test_text_is_set_in_liberation_sans_embedded_in_the_pdf(pdfs):
    reader = pdfs.published.reader
    fonts = {
        str(font.get_object()["/BaseFont"]).split("+")[-1]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts == {"Liberation-Sans", "Liberation-Sans-Bold"}


def test_headings_are_bookmarks_at_their_levels(pdfs):
    document = document_of(pdfs.minuted.minutes)
    outline = pdfs.full.outline()
    assert outline[0] == (1, document.title)
    assert {level for level, _ in outline[1:]} == {2, 3}
    sections = [title for level, title in outline if level == 2]
    assert sections[:3] == ["Document control", "Attendance", "Declarations of interest"]
    assert [f"{item.number}. {item.title}" for item in document.items] == sections[3:-9]
    assert sections[-9:] == [
        "Lessons across cases",
        "Interventions agreed",
        "Actions",
        "Any other business",
        "Close of the meeting",
        "Date of next meeting",
        "Summary of recommendations",
        "Signed as a correct record",
        "Handling and retention",
    ]
    reference = pdfs.minuted.case_reviews[0].reference
    after_case = outline[outline.index((2, next(s for s in sections if reference in s))) + 1 :]
    assert after_case[:3] == [
        (3, "Case summary"),
        (3, "Stage ratings"),
        (3, "Overall view"),
    ]
    assert "Injected heading" not in {title for _, title in outline}


def test_table_header_row_repeats_on_each_page_the_table_runs_onto(pdfs):
    pdf = pdfs.long_actions
    pages = [number for number, text in enumerate(pdf.pages) if "Action row " in text]
    assert len(pages) >= 2
    for number in pages:
        assert "Action Owner Due Status" in pdf.pages[number]
        runs = pdf.runs[number]
        header = max(run.y for run in runs if run.text == "Owner")
        assert header > max(run.y for run in runs if run.text.startswith("Action row "))


def test_running_header_and_footer_are_artifacts_outside_the_tag_tree(pdfs):
    for pdf in (pdfs.full, pdfs.published):
        tagged = tag_tree(pdf.reader)
        for number, runs in enumerate(marked_runs(pdf.reader)):
            furniture = [run for run in runs if run.y > pdf.height - MARGIN or run.y < MARGIN]
            assert {run.text for run in furniture} >= {
                MARKING,
                f"Page {number + 1} of {len(pdf.pages)}",
            }
            for run in furniture:
                assert run.artifact and run.mcid is None, (number, run.text)
            for run in runs:
                if run in furniture:
                    continue
                if run.artifact:
                    # Only a table's header row, repeated where the table runs onto this page:
                    # at the top of the page's content (below the 22 mm margin).
                    assert run.y > pdf.height - 22 * MM - 40, (number, run.text)
                else:
                    assert (number, run.mcid) in tagged.contents, (number, run.text)
        # Every marked-content id of every page is in the tree: nothing is left dangling.
        parent_tree = pdf.catalog["/StructTreeRoot"]["/ParentTree"].get_object()["/Nums"]
        for i in range(0, len(parent_tree), 2):
            page, mcids = int(parent_tree[i]), parent_tree[i + 1].get_object()
            if isinstance(mcids, list):
                for mcid in range(len(mcids)):
                    assert (page, mcid) in tagged.contents, (page, mcid)


def test_table_split_across_pages_is_one_table_in_the_tag_tree(pdfs):
    pdf = pdfs.long_actions
    assert len([text for text in pdf.pages if "Action row " in text]) >= 2
    tagged = tag_tree(pdf.reader)
    tables = tagged.of_type("/Table")
    # Each table of the minutes has a caption; a fragment of one cut off at a page would not.
    for table in tables:
        assert _kids(table)[0]["/S"] == "/Caption"
    rows = [len(tagged.descendants(table, "/TR")) for table in tables]
    assert 121 in rows  # the header row and 120 actions, in one table
    [actions] = [table for table, count in zip(tables, rows, strict=True) if count == 121]
    assert [kid["/S"] for kid in _kids(actions)] == ["/Caption", "/THead", "/TBody"]
    # The header row repeated on later pages is drawn there, but read once.
    assert len(tagged.descendants(actions, "/TH")) == 4


def test_header_cells_have_their_scope_and_data_cells_point_to_them(pdfs):
    pdf = pdfs.long_actions
    tagged = tag_tree(pdf.reader)
    headers = tagged.of_type("/TH")
    assert headers
    scopes = {"/THead": "/Column", "/TBody": "/Row"}
    for header in headers:
        section = tagged.parents[id(tagged.parents[id(header)])]["/S"]
        assert attributes(header).get("/Scope") == scopes[section]
    for cell in tagged.of_type("/TD"):
        for key in attributes(cell).get("/Headers", []):
            assert tagged.id_tree[str(key)]["/S"] == "/TH"
    cells = tagged.of_type("/TD")
    assert all(attributes(cell).get("/Headers") for cell in cells[-50:])


def test_rendering_leaves_the_garbage_collector_running_even_when_it_fails(pdfs, monkeypatch):
    def fail(*args, **kwargs):
        assert not gc.isenabled()  # paused while WeasyPrint works
        raise RuntimeError("render failed")

    monkeypatch.setattr(HTML, "write_pdf", fail)
    with pytest.raises(RuntimeError):
        render_pdf(pdfs.draft_document)
    assert gc.isenabled()


# --- Publication and escaping ------------------------------------------------------------------


def test_published_bytes_are_stored_with_their_hash_and_given_back_unchanged(app, pdfs):
    version = pdfs.minuted.minutes.published_version
    stored = db.session.scalar(
        db.select(MinutesVersion.published_pdf).where(MinutesVersion.id == version.id)
    )
    assert stored.startswith(b"%PDF-")
    assert hashlib.sha256(stored).hexdigest() == version.published_sha256
    runner = app.test_cli_runner()
    served = []
    for _ in range(2):
        result = runner.invoke(
            args=["minutes-pdf", str(pdfs.minuted.meeting.id), "--published", "--out", "-"]
        )
        assert result.exit_code == 0, result.output
        served.append(result.stdout_bytes)
    assert served == [stored, stored]


def test_publication_stores_both_layers_with_their_sha256(pdfs):
    version = pdfs.minuted.minutes.published_version
    for pdf, sha256, name in (
        (version.full_pdf, version.full_sha256, FULL_VERSION),
        (version.published_pdf, version.published_sha256, READER_VERSION),
    ):
        assert pdf.startswith(b"%PDF-")
        assert hashlib.sha256(pdf).hexdigest() == sha256
        assert name in read(pdf).pages[0]
    full = read(version.full_pdf)
    assert flat(RESTRICTED_NOTE) in full.text
    assert "Status Published" in full.pages[0]
    assert flat(RESTRICTED_NOTE) not in read(version.published_pdf).text


def test_each_layer_renders_to_the_same_bytes_every_time_with_its_publication_date(
    pdfs,
):
    version = pdfs.minuted.minutes.published_version
    document = document_of(pdfs.minuted.minutes)
    again = render_pdf(document, created=version.published_at)
    assert again == render_pdf(document, created=version.published_at)
    info = read(again).reader.metadata
    assert info.creation_date.replace(tzinfo=None) == (
        version.published_at.replace(microsecond=0, tzinfo=None)
    )


def test_text_typed_into_notes_comes_out_as_text_not_markup(pdfs):
    full = pdfs.full
    assert XSS_PUBLIC in full.text
    assert XSS_RESTRICTED in full.text
    assert XSS_PUBLIC in pdfs.published.text
