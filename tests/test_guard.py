"""The personal-data guard in forms: stop, highlight, redact, or override with a reason; what
each field refuses (its policy); and who may override."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from wtforms import StringField

from panel.core import anonymise
from panel.core.guard import (
    INCIDENT_NARRATIVE,
    MINUTES_NOTE,
    PROGRESS_NOTE,
    REDACT,
    STRICT,
    GuardedForm,
    GuardOutcome,
    describe,
    highlight,
)
from panel.panels.services import OverrideRefused, check_override


class NoteForm(GuardedForm):
    guarded_fields = ("note",)
    note = StringField("Note")


def _form(app, data, **kwargs):
    with app.test_request_context(method="POST", data=data):
        form = NoteForm(**kwargs)
        valid = form.validate()
    return form, valid


CLEAN = "The victim reported the incident to West Midlands Police in March 2025."
DIRTY = "The victim lives near CV1 5RR and was abused by Suspect 1."


def test_clean_text_passes(app):
    form, valid = _form(app, {"note": CLEAN})
    assert valid and form.guard_findings == {}


def test_personal_data_stops_the_form_and_names_the_kind(app):
    form, valid = _form(app, {"note": DIRTY})
    assert not valid
    assert form.note.errors == ["Note contains what looks like a postcode: reword it, or redact it"]
    assert [f.kind for f in form.guard_findings["note"]] == ["POSTCODE"]


def test_redact_replaces_each_finding_and_passes(app):
    form, valid = _form(app, {"note": DIRTY, "guard_action": REDACT})
    assert valid
    assert form.note.data == "The victim lives near [POSTCODE] and was abused by Suspect 1."
    assert form.guard_outcome.redacted and form.guard_outcome.kinds == {"note": ["POSTCODE"]}


def test_override_is_refused_unless_allowed(app):
    form, valid = _form(
        app, {"note": DIRTY, "guard_action": "override", "override_reason": "Public figure"}
    )
    assert not valid
    assert not form.guard_outcome.overridden


def test_allowed_override_needs_a_reason(app):
    form, valid = _form(app, {"note": DIRTY, "guard_action": "override"}, allow_override=True)
    assert not valid
    assert form.override_reason.errors == ["Enter why this must be saved as written"]


def test_allowed_override_with_a_reason_keeps_the_text(app):
    form, valid = _form(
        app,
        {"note": DIRTY, "guard_action": "override", "override_reason": "It is the police station"},
        allow_override=True,
    )
    assert valid
    assert form.note.data == DIRTY
    assert form.guard_outcome.overridden
    assert form.guard_outcome.kinds == {"note": ["POSTCODE"]}


def test_highlight_escapes_the_text_and_marks_each_finding():
    text = "<b>Call</b> 07700 900123 now"
    marked = str(highlight(text, anonymise.find(text)))
    assert "&lt;b&gt;Call&lt;/b&gt;" in marked
    assert '<mark class="panel-finding">' in marked
    assert "(a phone number)" in marked and "07700 900123</mark>" in marked


def test_every_kind_has_a_plural():
    from panel.core.guard import PLURALS

    assert set(PLURALS) == set(anonymise.KIND_LABELS)


def test_describe_counts_repeated_kinds():
    findings = anonymise.find("Call 07700 900123 or 07700 900456 near CV1 5RR")
    assert describe(findings) == "2 phone numbers and a postcode"


def test_pii_scan_command_reads_and_writes_json_lines(tmp_path):
    """Through the real `flask pii-scan`, as a batch job would run it."""
    lines = [
        {"id": "a-1", "text": "Seen at CV1 5RR by PC Jones."},
        {"id": 7, "text": "No personal data in March 2025."},
    ]
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "pii-scan"],
        input="".join(json.dumps(line) + "\n" for line in lines),
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent.parent,
        env={**os.environ, "PANEL_INSTANCE_PATH": str(tmp_path)},
        check=True,
    )
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["id"] for row in out] == ["a-1", 7]
    assert {span["kind"] for span in out[0]["spans"]} == {"POSTCODE", "NAME"}
    assert out[1]["spans"] == []
    first = out[0]["spans"][0]
    assert lines[0]["text"][first["start"] : first["end"]] in ("CV1 5RR", "PC Jones")


def test_panels_own_reference_in_a_title_is_saved_as_written(app):
    """An agenda item titled after its case review saved with "Redact and save" used to become
    "Case review [CRIME_REF]"."""
    form, valid = _form(app, {"note": "Case review ISP-2026-004"})
    assert valid and form.guard_findings == {}
    form, valid = _form(app, {"note": "Case review ISP-2026-004", "guard_action": REDACT})
    assert valid and form.note.data == "Case review ISP-2026-004"


def test_every_reference_panel_issues_passes_the_guard(db):
    from panel.cases import services as case_services
    from panel.interventions import services as intervention_services
    from panel.panels.models import PanelKind
    from tests import factories

    scrutiny = factories.panel("Independent Scrutiny Panel", PanelKind.SCRUTINY_PANEL)
    local = factories.panel("Coventry Hate Crime Panel", PanelKind.LOCAL_HATE_CRIME_PANEL)
    references = [
        case_services.next_reference(scrutiny, 2026),
        intervention_services.next_reference(local, 2026),
    ]
    assert references == ["ISP-2026-001", "CHCP-2026-001"]
    for serial in (1, 42, 999, 1000, 99999):
        references.append(f"ISP-2026-{serial:03d}")
    own = case_services.reference_prefixes()
    for reference in references:
        assert anonymise.find(f"Case review {reference} was carried over.", own) == [], reference


# --- Field-level policies ----------------------------------------------------------------------


class PolicyForm(GuardedForm):
    guarded_fields = {"narrative": INCIDENT_NARRATIVE, "progress": PROGRESS_NOTE}
    narrative = StringField("Narrative")
    progress = StringField("Progress")


class MinutesForm(GuardedForm):
    guarded_fields = {"notes": MINUTES_NOTE}
    notes = StringField("Notes")


MET_THE_COACH = "Met the job coach on 1 December."


def _policy_form(app, form_class, data, **kwargs):
    with app.test_request_context(method="POST", data=data):
        form = form_class(**kwargs)
        valid = form.validate()
    return form, valid


def test_an_exact_date_passes_in_a_progress_note_but_not_in_an_incident_narrative(app):
    form, valid = _policy_form(app, PolicyForm, {"progress": MET_THE_COACH})
    assert valid and form.guard_findings == {}

    form, valid = _policy_form(app, PolicyForm, {"narrative": MET_THE_COACH})
    assert not valid
    assert form.narrative.errors == [
        "Narrative contains what looks like an exact date: reword it, or redact it"
    ]


def test_a_date_of_birth_is_refused_even_where_dates_are_allowed(app):
    form, valid = _policy_form(app, PolicyForm, {"progress": "Born 1 December 1990."})
    assert not valid
    assert [f.kind for f in form.guard_findings["progress"]] == ["DOB"]


def test_redacting_replaces_only_what_the_policy_refuses(app):
    form, valid = _policy_form(
        app,
        PolicyForm,
        {"progress": "Rang Mrs Jane Doe on 1 December.", "guard_action": REDACT},
    )
    assert valid
    assert form.progress.data == "Rang [PERSON 1] on 1 December."
    assert form.guard_outcome.kinds == {"progress": ["NAME"]}


def test_redacting_keeps_each_persons_number_from_one_field_to_the_next(app):
    form, valid = _policy_form(
        app,
        PolicyForm,
        {
            "narrative": "Paul Venn pushed Mrs Adaeze Obi at the bus stop.",
            "progress": "Mrs Obi was called on 1 December; Mr Venn has moved away.",
            "guard_action": REDACT,
        },
    )
    assert valid
    assert form.narrative.data == "[PERSON 1] pushed [PERSON 2] at the bus stop."
    assert form.progress.data == "[PERSON 2] was called on 1 December; [PERSON 1] has moved away."


def test_a_plain_tuple_of_fields_stays_strict(app):
    form, valid = _form(app, {"note": MET_THE_COACH})
    assert not valid and [f.kind for f in form.guard_findings["note"]] == ["DATE"]
    assert form.guard_policies() == {"note": STRICT}


def test_names_panel_records_pass_in_minutes_notes_whole_or_in_part(app):
    known = ["Priya Shah", "Tomasz Nowak"]
    text = "Priya Shah welcomed Tomasz Nowak; Ms Shah and Nowak's team met on 1 December."
    form, valid = _policy_form(app, MinutesForm, {"notes": text}, known_names=known)
    assert valid and form.guard_findings == {}


def test_an_unknown_name_is_still_refused_in_minutes_notes(app):
    known = ["Priya Shah"]
    form, valid = _policy_form(
        app, MinutesForm, {"notes": "Priya Shah said Sarah Connolly complained."}, known_names=known
    )
    assert not valid
    assert [f.text for f in form.guard_findings["notes"]] == ["Sarah Connolly"]
    # A known given name with an unknown surname is someone else.
    form, valid = _policy_form(
        app, MinutesForm, {"notes": "Priya Connolly complained."}, known_names=known
    )
    assert not valid


def test_known_names_count_only_where_the_policy_accepts_them(app):
    form, valid = _policy_form(
        app, PolicyForm, {"progress": "Priya Shah visited."}, known_names=["Priya Shah"]
    )
    assert not valid and [f.kind for f in form.guard_findings["progress"]] == ["NAME"]


def test_every_guarded_form_in_panel_gives_each_field_a_policy(app):
    """A new guarded field is a decision: the form says which policy each field follows."""
    from collections.abc import Mapping

    import panel.models  # noqa: F401  (every module with forms is loaded by the app)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    panel_forms = [c for c in subclasses(GuardedForm) if c.__module__.startswith("panel.")]
    assert len(panel_forms) >= 12
    for form_class in panel_forms:
        assert isinstance(form_class.guarded_fields, Mapping), form_class.__qualname__


def test_the_policies_follow_the_field(app):
    from panel.cases.forms import CaseReviewForm
    from panel.interventions.forms import InterventionForm, UpdateForm
    from panel.interventions.live_cases.forms import LiveCaseForm
    from panel.lessons.forms import MoveForm
    from panel.meetings.attendance.forms import ActionForm

    assert CaseReviewForm.guarded_fields["narrative"] is INCIDENT_NARRATIVE
    assert LiveCaseForm.guarded_fields["risk_reason"] is INCIDENT_NARRATIVE
    assert LiveCaseForm.guarded_fields["summary"] is INCIDENT_NARRATIVE
    assert UpdateForm.guarded_fields["text"] is PROGRESS_NOTE
    assert InterventionForm.guarded_fields["description"] is PROGRESS_NOTE
    assert MoveForm.guarded_fields["note"] is PROGRESS_NOTE
    assert ActionForm.guarded_fields["description"] is PROGRESS_NOTE


# --- Who may save past the guard ---------------------------------------------------------------


def test_members_coordinator_and_chair_may_override_but_not_readers(app, people):
    overridden = GuardOutcome(True, "A public helpline", {"note": ["PHONE"]})
    with app.test_request_context():
        for person in (people.member, people.coordinator, people.chair):
            check_override(person, people.panel, overridden)
        for person in (people.reader, people.outsider):
            with pytest.raises(OverrideRefused) as refused:
                check_override(person, people.panel, overridden)
            assert not str(refused.value).startswith("Only the chair")
