"""What the page says once an intervention is agreed or reassigned: whom the e-mail goes to (it is
queued with the change), or that nobody could be told and the owner must be told another way; and
a form's version as it was sent."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from panel.core.locking import seen_version
from panel.interventions.services import (
    Handed,
    agreed_message,
    reassigned_message,
    told_message,
)

OWNER = "Coventry Homes Partnership"


def _handed(**kwargs) -> Handed:
    intervention = SimpleNamespace(owner_organisation=SimpleNamespace(name=OWNER))
    return Handed(intervention, **kwargs)


@pytest.mark.parametrize(
    ("told", "expected"),
    [
        (1, ("Done. We will e-mail 1 person at Coventry Homes Partnership.", "success")),
        (3, ("Done. We will e-mail 3 people at Coventry Homes Partnership.", "success")),
    ],
)
def test_the_page_says_how_many_people_the_email_reached(told, expected):
    assert told_message("Done.", _handed(emailed=True, told=told)) == expected


def test_the_page_says_when_the_email_reached_nobody():
    text, category = told_message("Done.", _handed(emailed=True, told=0))
    assert category == "error"
    assert text.startswith(f"Done. Nobody at {OWNER} could be e-mailed")


def test_an_intervention_logged_by_its_own_organisation_tells_nobody_by_email():
    text, category = agreed_message(_handed())
    assert text.startswith("Intervention logged.") and category == "success"
    assert agreed_message(_handed(emailed=True, told=2))[0] == (
        f"Intervention agreed. We will e-mail 2 people at {OWNER}."
    )


def test_a_reassignment_says_whether_anything_changed_and_who_was_told():
    assert reassigned_message(_handed(changed=False)) == ("Nothing was changed.", "success")
    assert reassigned_message(_handed()) == ("Intervention reassigned.", "success")
    assert reassigned_message(_handed(emailed=True, told=1))[0] == (
        f"Intervention reassigned. We will e-mail 1 person at {OWNER}."
    )


@pytest.mark.parametrize(("sent", "seen"), [("3", 3), ("", -1), (None, -1), ("three", -1)])
def test_a_version_sent_with_a_form_is_read_as_a_number_or_as_none_at_all(sent, seen):
    assert seen_version(sent) == seen
