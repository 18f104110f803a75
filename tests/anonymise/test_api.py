"""The guard's interface: find, redact, KIND_LABELS and the JSON Lines batch scan."""

import dataclasses
import io
import json

import pytest

from panel.core.anonymise import KIND_LABELS, Finding, find, redact, scan_lines

KINDS = {
    "NAME",
    "ADDRESS",
    "POSTCODE",
    "PHONE",
    "EMAIL",
    "DOB",
    "DATE",
    "CRIME_REF",
    "NI_NUMBER",
    "NHS_NUMBER",
    "VEHICLE_REG",
    "SOCIAL_HANDLE",
    "URL",
    "IP_ADDRESS",
}

NARRATIVE = (
    "On 12/03/2025 Aisha Khan (DOB 04/05/1990) of 14 Acacia Avenue, Coventry CV6 5AB was abused "
    "by Suspect 1. PC 4521 Jones logged crime number 20/123456/25. Call 07700 900123."
)


def test_every_kind_has_a_label_for_error_messages():
    assert set(KIND_LABELS) == KINDS
    assert KIND_LABELS["POSTCODE"] == "a postcode"
    assert KIND_LABELS["NAME"] == "a person's name"


def test_findings_are_sorted_frozen_and_do_not_overlap():
    findings = find(NARRATIVE)
    assert findings == sorted(findings)
    for before, after in zip(findings, findings[1:], strict=False):
        assert before.end <= after.start
    for finding in findings:
        assert NARRATIVE[finding.start : finding.end] == finding.text
        assert finding.kind in KINDS
    with pytest.raises(dataclasses.FrozenInstanceError):
        findings[0].kind = "NAME"


def test_date_of_birth_wins_over_date_for_the_same_text():
    kinds = {f.text: f.kind for f in find(NARRATIVE)}
    assert kinds["04/05/1990"] == "DOB"
    assert kinds["12/03/2025"] == "DATE"


def test_email_wins_over_handle_and_url():
    assert [f.kind for f in find("Write to jo.bloggs@gmail.com today")] == ["EMAIL"]


def test_redact_replaces_each_finding_with_its_kind_and_numbers_people():
    assert redact(NARRATIVE) == (
        "On [DATE] [PERSON 1] (DOB [DOB]) of [ADDRESS], Coventry [POSTCODE] was abused by "
        "Suspect 1. [PERSON 2] logged crime number [CRIME_REF]. Call [PHONE]."
    )


def test_redact_uses_the_findings_it_is_given():
    text = "Mr Patel called."
    assert redact(text, [Finding(0, 8, "NAME", "Mr Patel")]) == "[PERSON 1] called."
    assert redact(text, []) == text


def test_clean_text_is_left_alone():
    text = "Outcome 15 (OC15) in March 2025; Public Order Act 1986 s.4A; the victim is aged 25-34."
    assert find(text) == []
    assert redact(text) == text


def test_scan_lines_returns_each_id_with_the_spans_that_find_gives():
    records = [
        {"id": 7, "text": NARRATIVE},
        {"id": "case/ß-ü", "text": "Zoë Kowalska – “żółć” – rang 07700 900461 ☎ on Monday."},
        {"id": None, "text": ""},
        {"id": [1, {"a": 2}], "text": "🙂 Emoji first: Łukasz Nowak, CV1 2AB."},
        {"id": 2.5, "text": "Nothing to see here."},
    ]
    source = io.StringIO("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n\n")
    out = io.StringIO()
    scan_lines(source, out)
    results = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["id"] for r in results] == [r["id"] for r in records]
    for record, result in zip(records, results, strict=True):
        expected = [{"start": f.start, "end": f.end, "kind": f.kind} for f in find(record["text"])]
        assert result["spans"] == expected
    unicode_text = records[1]["text"]
    spans = {unicode_text[s["start"] : s["end"]]: s["kind"] for s in results[1]["spans"]}
    assert spans == {"Zoë Kowalska": "NAME", "07700 900461": "PHONE"}
    emoji_text = records[3]["text"]
    spans = {emoji_text[s["start"] : s["end"]]: s["kind"] for s in results[3]["spans"]}
    assert spans == {"Łukasz Nowak": "NAME", "CV1 2AB": "POSTCODE"}


# Panel's own references exist so that people can talk about a case without identifying it.
@pytest.mark.parametrize(
    "text",
    [
        "Case review ISP-2026-004",
        "Discussed with CHCP-2026-017 at the last meeting.",
        "Case ref ISP-2026-004 was carried over.",
        "Crime ref: CHCP-2025-1042 (the live case) was closed.",
        "Under review: isp-2026-012.",
    ],
)
def test_panels_own_references_are_never_personal_data(text):
    assert find(text, ("ISP", "CHCP")) == []
    assert redact(text, find(text, ("ISP", "CHCP"))) == text


@pytest.mark.parametrize(
    "text, reference",
    [
        ("Crime number WMP-2024-5678 was filed.", "WMP-2024-5678"),
        ("Ref CRI-2025-1234.", "CRI-2025-1234"),
        ("Occurrence OB-2023-123 was linked.", "OB-2023-123"),
    ],
)
def test_other_systems_references_of_the_same_shape_are_still_found(text, reference):
    """Only the prefixes Panel issues are its own: another system's short serial is not."""
    assert [f.text for f in find(text, ("ISP", "CHCP"))] == [reference]


def test_a_crime_reference_beside_a_panel_reference_is_still_found():
    text = "ISP-2026-004 (crime number 20/123456/25) and CRI-2025-001234."
    assert [f.text for f in find(text)] == ["20/123456/25", "CRI-2025-001234"]
