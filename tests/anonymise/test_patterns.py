"""The patterns of issue 19: force-style crime numbers, dated incident logs and partners'
references; plates and NI numbers in any case and spacing; later mentions of a person already
named; quoted nicknames; names with letters outside ASCII and names that are ordinary words. Every
example is invented. Panel's own references are never findings, and redaction numbers people
consistently."""

import pytest

from panel.core.anonymise import find, redact

OWN = ("ISP", "CHCP")


def _found(text: str) -> list[tuple[str, str]]:
    return [(f.text, f.kind) for f in find(text, OWN)]


FOUND = [
    # Force-style crime numbers: two digits, area code, six digits and a check letter, the year.
    ("Recorded as 43KD/582914H/23 on the system.", "43KD/582914H/23", "CRIME_REF"),
    ("Ref 17tw/300118c/21 was closed.", "17tw/300118c/21", "CRIME_REF"),
    ("Crime 52 MB / 771203Q / 24 was linked.", "52 MB / 771203Q / 24", "CRIME_REF"),
    # Incident logs written with their date.
    ("See Log 0412-20052020 for the first call.", "Log 0412-20052020", "CRIME_REF"),
    ("incident 1187/03112024 was raised by control.", "incident 1187/03112024", "CRIME_REF"),
    ("CAD 77 14022023 recorded the call.", "CAD 77 14022023", "CRIME_REF"),
    ("The call was logged as 3310-29092025 by control.", "3310-29092025", "CRIME_REF"),
    # Partners' references.
    ("Tell MAMA logged it as TM24-00817.", "TM24-00817", "CRIME_REF"),
    ("The housing case HSG2025/00412 is open.", "HSG2025/00412", "CRIME_REF"),
    ("The council's case ASB/2024/0456 was reviewed.", "ASB/2024/0456", "CRIME_REF"),
    # Vehicle registrations in lower case or with unusual spacing.
    ("A silver Corsa, ab12 cde, drove off.", "ab12 cde", "VEHICLE_REG"),
    ("The van kx19hft was parked outside.", "kx19hft", "VEHICLE_REG"),
    ("Seen in a car AB 12 CDE near the park.", "AB 12 CDE", "VEHICLE_REG"),
    ("The taxi YR21  WQP stopped.", "YR21  WQP", "VEHICLE_REG"),
    ("Registration: r472 bnd, given by the witness.", "r472 bnd", "VEHICLE_REG"),
    ("The car, r472bnd, was seen again.", "r472bnd", "VEHICLE_REG"),
    ("The registration was noted as gy 19 hnc by a passer-by.", "gy 19 hnc", "VEHICLE_REG"),
    # NI numbers in lower case or with unusual spacing.
    ("NI number ab 12 34 56 c was confirmed.", "ab 12 34 56 c", "NI_NUMBER"),
    ("Checked against jk123456c on the DWP system.", "jk123456c", "NI_NUMBER"),
    ("The suspect, JK 1234 56C, was checked.", "JK 1234 56C", "NI_NUMBER"),
    ("NINO: qq-12-34-56-a.", "qq-12-34-56-a", "NI_NUMBER"),
    # Names with letters outside ASCII.
    ("Ștefan Bălan was abused at work.", "Ștefan Bălan", "NAME"),
    ("Mădălina Țurcanu reported it.", "Mădălina Țurcanu", "NAME"),
    ("João Gonçalves reported it.", "João Gonçalves", "NAME"),
    ("Łukasz Błaszczyk was hit.", "Łukasz Błaszczyk", "NAME"),
    ("Witnesses were Ayşe Yılmaz and others.", "Ayşe Yılmaz", "NAME"),
    ("Gökhan Şahin said he was scared.", "Gökhan Şahin", "NAME"),
    # Names that are also ordinary words.
    ("Rose Green reported the abuse.", "Rose Green", "NAME"),
    ("Faith Hall said she was frightened.", "Faith Hall", "NAME"),
    ("Her son Will was threatened.", "Will", "NAME"),
    ("A woman named Hope was followed.", "Hope", "NAME"),
]


@pytest.mark.parametrize(("text", "expected", "kind"), FOUND)
def test_each_pattern_is_found(text, expected, kind):
    assert (expected, kind) in _found(text)


def test_a_later_surname_or_given_name_alone_is_the_same_person():
    text = "Paul Venn, DOB 03/04/1990, approached the victim. Venn shouted abuse; later Paul left."
    names = [f.text for f in find(text) if f.kind == "NAME"]
    assert names == ["Paul Venn", "Venn", "Paul"]


def test_a_later_surname_that_is_an_ordinary_word_is_flagged_where_a_person_acts():
    text = "The defendant gave his name as Lee Marsh. Marsh pleaded guilty; the marsh was searched."
    assert [f.text for f in find(text) if f.kind == "NAME"] == ["Lee Marsh", "Marsh"]


def test_a_later_mention_in_capitals_or_with_a_possessive_is_flagged():
    text = "The suspect was Marek Quelch. VENN and QUELCH were seen; Quelch's car was found."
    names = [f.text for f in find(text) if f.kind == "NAME"]
    assert names == ["Marek Quelch", "QUELCH", "Quelch"]


def test_a_later_mention_inside_a_street_name_is_the_street():
    text = "Marek Quelch was abused outside 4 Quelch Road."
    assert _found(text) == [("Marek Quelch", "NAME"), ("4 Quelch Road", "ADDRESS")]


def test_a_later_part_that_is_an_ordinary_word_counts_only_where_a_person_stands():
    text = "Grace Adeyemi reported it. The grace period ended; Grace said she was upset."
    names = [f.text for f in find(text) if f.kind == "NAME"]
    assert names == ["Grace Adeyemi", "Grace"]
    text = "Mark Green gave a statement. The Green Party leaflet was found; Green, upset, left."
    names = [f.text for f in find(text) if f.kind == "NAME"]
    assert names == ["Mark Green", "Green"]


def test_a_name_is_not_flagged_before_anyone_is_named():
    assert _found("Venn shouted abuse at the victim.") == []


@pytest.mark.parametrize(
    ("text", "nicknames"),
    [
        ("The man, known on site as 'Tank', threatened staff.", ["Tank"]),
        (
            "Two youths, known by their street names, 'Skinz' and 'Little T', ran.",
            ["Skinz", "Little T"],
        ),
        ('The suspect, nicknamed "Bones", was arrested.', ["Bones"]),
        ("He goes by ‘Dozer’ online.", ["Dozer"]),
    ],
)
def test_nicknames_introduced_as_such_are_names(text, nicknames):
    assert [f.text for f in find(text) if f.kind == "NAME"] == nicknames


def test_every_later_mention_of_a_nickname_is_flagged():
    text = "Known locally as 'Little T', he ran off. Little T came back and Tank followed."
    assert [f.text for f in find(text) if f.kind == "NAME"] == ["Little T", "Little T"]


def test_quoted_abuse_is_not_a_nickname():
    assert _found("The suspect called him 'Covid' and 'Terrorist' in the shop.") == []


@pytest.mark.parametrize(
    "text",
    [
        "Case ISP-2026-004 was reviewed with CHCP-2026-1042.",
        "See isp-2025-117 and the interventions under CHCP-2024-1203.",
        "The panel discussed ISP-2026-031; the victim in ISP-2026-031 was kept informed.",
    ],
)
def test_panels_own_references_are_never_flagged(text):
    assert find(text, OWN) == []


def test_another_systems_reference_in_the_same_form_is_still_flagged():
    assert _found("Crime system ref CRI-2025-001234 and our ISP-2025-004.") == [
        ("CRI-2025-001234", "CRIME_REF")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "The victim, Suspect 1, Witness A, V1 and S2 were all present.",
        "The registration was 12 days late and the hearing was on the 4th floor.",
        "Registration is at 10 am on the day; plates are 12 in a box.",
        "Outcome 15 was recorded on 12 weeks' review; the panel met in May 2025.",
        "The hope is that Grace period rules and the Green Flag scheme continue.",
        "The victim's family moved from Kraków and Gdańsk to Coventry in 2019.",
        "The case was one of 1187 logged in 2024 and 3310 in 2025.",
        "The p95 per page stayed under 100 ms, and p99 and p50 were lower.",
        "Outcome OC 15 NFA was recorded; the Cat A 12 CPS files were reviewed.",
        "She was known as 'Mum' to the children at the refuge.",
    ],
)
def test_look_alikes_of_the_new_patterns_are_left_alone(text):
    assert find(text, OWN) == []


def test_redaction_numbers_each_person_consistently():
    text = (
        "Paul Venn pushed Mrs Adaeze Obi. Venn then shouted at Obi, and Mr Venn was arrested. "
        "Adaeze gave a statement."
    )
    assert redact(text) == (
        "[PERSON 1] pushed [PERSON 2]. [PERSON 1] then shouted at [PERSON 2], and [PERSON 1] was "
        "arrested. [PERSON 2] gave a statement."
    )


def test_redaction_keeps_other_kinds_as_their_kind():
    text = "Rose Green rang 07700 900461 from 4 Quelch Road, CV2 4ED; Green was upset."
    assert redact(text) == (
        "[PERSON 1] rang [PHONE] from [ADDRESS], [POSTCODE]; [PERSON 1] was upset."
    )


def test_redaction_can_share_its_people_between_texts():
    people: list[set[str]] = []
    assert redact("Marek Quelch shouted at Aisha.", people=people) == (
        "[PERSON 1] shouted at [PERSON 2]."
    )
    assert redact("Later Mr Quelch apologised.", people=people) == "Later [PERSON 1] apologised."
