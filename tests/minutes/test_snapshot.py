"""Frozen minutes that survive change: an approved version's snapshot records its schema version
and still opens after the document gains or loses a field; and the readers' layer is built from
what each part allows readers to see, so a field added later never reaches readers by default.
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
import json

from panel.minutes import document as document_module
from panel.minutes.document import SCHEMA_VERSION, CaseSection, Document
from panel.minutes.models import MinutesVersion
from tests.conftest import sign_in
from tests.minutes.conftest import (
    LESSON_TEXT,
    OVERALL_VIEW,
    PUBLIC_NOTE,
    RESTRICTED_NOTE,
    STAGE_COMMENT,
    approved,
)

SECRET = "Members only: the victim's neighbour is the suspect's cousin."


def _frozen(db, minutes) -> MinutesVersion:
    return db.session.scalar(
        db.select(MinutesVersion).where(MinutesVersion.minutes_id == minutes.id)
    )


def _restore(db, version: MinutesVersion, content: dict) -> None:
    """Store `content` as the version's snapshot, as an older or newer release would have."""
    version.content = content
    db.session.commit()


def _case_item(content: dict) -> dict:
    return next(item for item in content["items"] if item.get("case"))


# --- The schema version ------------------------------------------------------------------------


def test_an_approved_snapshot_records_its_schema_version(app, held, db):
    minutes = approved(app, held)
    content = _frozen(db, minutes).content
    assert content["schema_version"] == SCHEMA_VERSION
    document = Document.from_json(content)
    assert Document.from_json(document.to_json()) == document


def test_a_snapshot_with_fields_this_code_does_not_know_still_opens(app, client, held, db):
    minutes = approved(app, held)
    version = _frozen(db, minutes)
    content = copy.deepcopy(version.content)
    content["schema_version"] = SCHEMA_VERSION + 1
    content["signature_block"] = {"signed_by": "Harriet Lang"}
    item = _case_item(content)
    item["decisions"] = ["Agreed: the lessons below."]
    item["case"]["victim_contact_log"] = "Called twice in May."
    item["case"]["stages"][0]["evidence"] = "THRIVE record"
    item["case"]["lessons"][0]["theme"] = "Interpreters"
    _restore(db, version, content)

    document = Document.from_json(version.content)
    assert document.items[[i.case is not None for i in document.items].index(True)].case.lessons
    sign_in(client, held.people.member)
    page = client.get(f"/meetings/{held.meeting.id}/minutes/versions/1")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert LESSON_TEXT in text and STAGE_COMMENT in text and RESTRICTED_NOTE in text


def test_a_snapshot_missing_fields_opens_with_their_defaults(app, client, held, db):
    minutes = approved(app, held)
    version = _frozen(db, minutes)
    content = copy.deepcopy(version.content)
    # As frozen before the schema version was recorded, and before some fields existed.
    for key in ("schema_version", "guests", "next_meeting", "aob_public", "quorum"):
        del content[key]
    item = _case_item(content)
    del item["presenter"]
    del item["case"]["overall_view"]
    del item["case"]["lessons"][0]["strands"]
    del item["case"]["stages"][0]["comment"]
    _restore(db, version, content)

    document = Document.from_json(version.content)
    assert document.guests == [] and document.next_meeting is None and document.quorum == ""
    case_item = next(item for item in document.items if item.case)
    assert case_item.presenter is None
    assert case_item.case.overall_view is None
    assert case_item.case.lessons[0].strands == ""
    assert case_item.case.stages[0].comment is None
    sign_in(client, held.people.member)
    page = client.get(f"/meetings/{held.meeting.id}/minutes/versions/1")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert LESSON_TEXT in text and PUBLIC_NOTE in text
    assert OVERALL_VIEW not in text


# --- The readers' layer is an allow-list -------------------------------------------------------


def test_every_part_of_the_document_says_what_readers_may_see(app):
    parts = [
        cls
        for _, cls in inspect.getmembers(document_module, inspect.isclass)
        if dataclasses.is_dataclass(cls) and cls.__module__ == document_module.__name__
    ]
    assert Document in parts and CaseSection in parts
    for cls in parts:
        assert "READER_FIELDS" in vars(cls), f"{cls.__name__} must list its READER_FIELDS"
        names = {f.name for f in dataclasses.fields(cls)}
        assert names >= cls.READER_FIELDS, f"{cls.__name__}: {cls.READER_FIELDS - names}"


def test_a_field_added_later_never_reaches_readers(app, held, db):
    """A new field, on the document or on a part of it, is for panel members until it is added
    to its class's READER_FIELDS: nothing has to remember to remove it."""
    minutes = approved(app, held)
    full = Document.from_json(_frozen(db, minutes).content)
    LaterCaseSection = dataclasses.make_dataclass(
        "LaterCaseSection",
        [("victim_contact_log", str, dataclasses.field(default=""))],
        bases=(CaseSection,),
    )
    LaterDocument = dataclasses.make_dataclass(
        "LaterDocument",
        [("restricted_annex", list[str], dataclasses.field(default_factory=list))],
        bases=(Document,),
    )
    items = [
        dataclasses.replace(
            item,
            case=LaterCaseSection(
                **{f.name: getattr(item.case, f.name) for f in dataclasses.fields(CaseSection)},
                victim_contact_log=SECRET,
            ),
        )
        if item.case
        else item
        for item in full.items
    ]
    later = LaterDocument(
        **{f.name: getattr(full, f.name) for f in dataclasses.fields(Document)},
        restricted_annex=[SECRET],
    )
    later = dataclasses.replace(later, items=items)
    assert SECRET in json.dumps(later.to_json())

    readers = later.for_readers()
    assert SECRET not in json.dumps(readers.to_json())
    assert SECRET not in "\n".join(readers.as_text())
    # What readers may see is still there.
    public = json.dumps(readers.to_json())
    assert PUBLIC_NOTE in public and LESSON_TEXT in public
    for members_only in (RESTRICTED_NOTE, STAGE_COMMENT, OVERALL_VIEW):
        assert members_only not in public
