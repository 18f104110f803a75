"""The personal-data guard in forms: stop, highlight, redact, or (chair only) override."""

import json
import os
import subprocess
import sys
from pathlib import Path

from wtforms import StringField

from panel import anonymise
from panel.guard import REDACT, GuardedForm, describe, highlight


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
    from panel.guard import PLURALS

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
