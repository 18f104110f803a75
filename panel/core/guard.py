"""The personal-data guard in forms: free text is checked before it is saved.

`GuardedForm` runs `panel.core.anonymise.find` over its `guarded_fields` once the ordinary checks
pass. On a finding the form is shown again: each field names what it found (in the error summary and
beside the field) and shows the text with every finding highlighted. The person can then edit it,
press "Redact and save" (each finding becomes its kind, `[POSTCODE]`, `[PHONE]`, ..., and each
person a number kept through the text, `[PERSON 1]`, `[PERSON 2]`), or, where the view
allows it (the panel's members, coordinator and chair), save it as written with a reason, which the
service audits and the chair and coordinator see on their home page.

Each guarded field has a `GuardPolicy`: which kinds of personal data it accepts. An exact date
identifies a victim in the story of an incident, not in "met the job coach on 1 December"; a name
the panel itself records (a member, a deputy, a guest) identifies nobody in the minutes. A form
lists its fields as ``guarded_fields = {"text": PROGRESS_NOTE}``; a bare tuple of names means
`STRICT` for each. Every guarded field in Panel, deliberately:

- INCIDENT_NARRATIVE (everything refused): the case review's summary of the case
  (`narrative`), its stage comments and the panel's overall view; the live case's risk reason
  and summary.
- PROGRESS_NOTE (exact dates accepted, dates of birth still refused): an intervention's
  description and its updates; a recommendation's response, implementation evidence and closing
  or withdrawal note; a meeting's action.
- MINUTES_NOTE (exact dates and the names of people Panel records accepted): the restricted and
  public notes of each agenda item and of any other business, and the amendments to the
  previous minutes.
- STRICT (the default, everything refused): the case review's legislation and policing area;
  the live case's policing area; an intervention's place or community; a lesson's text and a
  recommendation's text (read across panels); agenda and standing item titles; a declaration of
  interest's reason; a meeting's cancellation reason; a meeting's key message (published beyond
  the panel: its form offers no saving past the guard, and its service checks the text again).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from markupsafe import Markup, escape
from wtforms import HiddenField, TextAreaField
from wtforms.validators import Length, Optional

from panel.core import anonymise, registry
from panel.core.forms import BaseForm

REDACT, OVERRIDE = "redact", "override"


@dataclass(frozen=True)
class GuardPolicy:
    """What one free-text field accepts: every other kind of personal data is refused."""

    name: str
    # Kinds of finding (anonymise.KIND_LABELS) the field keeps, e.g. {"DATE"}.
    allows: frozenset[str] = frozenset()
    # Whether names of people Panel itself records (members, attendees, deputies, guests) pass.
    known_names: bool = False

    def refused(
        self, findings: list[anonymise.Finding], known: KnownNames
    ) -> list[anonymise.Finding]:
        return [
            finding
            for finding in findings
            if finding.kind not in self.allows
            and not (self.known_names and finding.kind == "NAME" and known.matches(finding.text))
        ]


STRICT = GuardPolicy("strict")
INCIDENT_NARRATIVE = GuardPolicy("incident narrative")
PROGRESS_NOTE = GuardPolicy("progress note", allows=frozenset({"DATE"}))
MINUTES_NOTE = GuardPolicy("minutes note", allows=frozenset({"DATE"}), known_names=True)


class KnownNames:
    """The names of people Panel itself records, as the guard finds them: "Priya Shah" covers
    "Priya Shah", "Ms Shah", "Priya" and "Shah" (a finding whose words, without titles, are all
    words of one known name)."""

    def __init__(self, names: Iterable[str] = ()):
        self._people = [parts for name in names if (parts := anonymise.name_parts(name))]

    def matches(self, text: str) -> bool:
        parts = anonymise.name_parts(text)
        return bool(parts) and any(parts <= person for person in self._people)


@dataclass(frozen=True)
class GuardOutcome:
    """What the guard decided for a saved form; the service audits an override."""

    overridden: bool = False
    reason: str | None = None
    # {field name: [kind, ...]} found and kept by an override, or redacted.
    kinds: dict[str, list[str]] = field(default_factory=dict)
    redacted: bool = False


# How the error message counts more than one finding of a kind.
PLURALS = {
    "NAME": "people's names",
    "ADDRESS": "addresses",
    "POSTCODE": "postcodes",
    "PHONE": "phone numbers",
    "EMAIL": "email addresses",
    "DOB": "dates of birth",
    "DATE": "exact dates",
    "CRIME_REF": "crime, incident or CPS reference numbers",
    "NI_NUMBER": "National Insurance numbers",
    "NHS_NUMBER": "NHS numbers",
    "VEHICLE_REG": "vehicle registrations",
    "SOCIAL_HANDLE": "social media handles",
    "URL": "links to personal web pages or profiles",
    "IP_ADDRESS": "IP addresses",
}


def describe(findings: list[anonymise.Finding]) -> str:
    """E.g. "a postcode and 2 people's names": what was found, in order of first use."""
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding.kind] = counts.get(finding.kind, 0) + 1
    parts = [
        anonymise.KIND_LABELS[kind] if n == 1 else f"{n} {PLURALS[kind]}"
        for kind, n in counts.items()
    ]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def highlight(text: str, findings: list[anonymise.Finding]) -> Markup:
    """The text, escaped, with each finding in a <mark> that says what it is to screen readers."""
    out, position = [], 0
    for finding in findings:
        out.append(escape(text[position : finding.start]))
        out.append(
            Markup(
                '<mark class="panel-finding"><span class="govuk-visually-hidden">({}) </span>{}'
                "</mark>"
            ).format(finding.label, text[finding.start : finding.end])
        )
        position = finding.end
    out.append(escape(text[position:]))
    return Markup("").join(out)


class GuardedForm(BaseForm):
    """A form whose `guarded_fields` must be free of the personal data their policies refuse,
    or knowingly kept. `known_names` are the people Panel records where the form is used (a
    meeting's members, attendees, deputies and guests), for fields whose policy accepts them."""

    # {field name: policy}; a tuple of names means STRICT for each.
    guarded_fields: Mapping[str, GuardPolicy] | tuple[str, ...] = {}

    # Whether "Redact and save" is offered. Text for the public (key messages) only rewords:
    # "[PERSON 1]" in a published sentence tells a reader someone was named there.
    allow_redact = True
    # What the page says after a finding when redacting is not offered.
    reword_advice = "Remove names, addresses, dates and other details that could identify someone."

    guard_action = HiddenField()
    override_reason = TextAreaField(
        "Why must this be saved as written?",
        widget=GovTextArea(),
        description="The reason and what was found are recorded in the audit trail and shown to "
        "the panel’s chair and coordinator; the text itself is not.",
        validators=[Optional(), Length(max=500, message="Reason must be 500 characters or fewer")],
    )

    def __init__(
        self, *args, allow_override: bool = False, known_names: Iterable[str] = (), **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.allow_override = allow_override
        self.known_names = KnownNames(known_names)
        self.guard_findings: dict[str, list[anonymise.Finding]] = {}
        self.guard_outcome = GuardOutcome()

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        action = self.guard_action.data
        if action == REDACT and self.allow_redact:
            return self._redact()
        self.guard_findings = self._findings()
        if not self.guard_findings:
            return True
        kinds = {
            name: sorted({f.kind for f in found}) for name, found in self.guard_findings.items()
        }
        if action == OVERRIDE and self.allow_override:
            if self.override_reason.data:
                self.guard_outcome = GuardOutcome(True, self.override_reason.data, kinds)
                return True
            self.override_reason.errors = [
                *self.override_reason.errors,
                "Enter why this must be saved as written",
            ]
        for name, found in self.guard_findings.items():
            field_ = getattr(self, name)
            way_out = "reword it, or redact it" if self.allow_redact else "reword it"
            field_.errors = [
                *field_.errors,
                f"{_name(field_)} contains what looks like {describe(found)}: {way_out}",
            ]
        return False

    def guard_policies(self) -> dict[str, GuardPolicy]:
        fields = self.guarded_fields
        if isinstance(fields, Mapping):
            return dict(fields)
        return dict.fromkeys(fields, STRICT)

    def _findings(self) -> dict[str, list[anonymise.Finding]]:
        """{field name: what its policy refuses}, for the fields with any."""
        own = _reference_prefixes()
        return {
            name: refused
            for name, policy in self.guard_policies().items()
            if (
                refused := policy.refused(
                    anonymise.find(getattr(self, name).data or "", own), self.known_names
                )
            )
        }

    def _redact(self) -> bool:
        """Replace what each field's policy refuses; what it accepts stays as written."""
        kinds = {}
        people: list[set[str]] = []  # shared, so that a person keeps one number in every field
        for name, found in self._findings().items():
            field_ = getattr(self, name)
            kinds[name] = sorted({f.kind for f in found})
            field_.data = anonymise.redact(field_.data, found, people)
        self.guard_outcome = GuardOutcome(kinds=kinds, redacted=bool(kinds))
        return True


def _reference_prefixes() -> frozenset[str]:
    """The prefixes of Panel's own references, which are never personal data."""
    return registry.current().own_reference_prefixes()


def _name(field_) -> str:
    """The label as the subject of a message: "Legislation", not "Legislation (optional)"."""
    return field_.label.text.removesuffix(" (optional)")
