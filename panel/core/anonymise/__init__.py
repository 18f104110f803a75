"""The personal-data guard: finds direct identifiers in free text before it is saved.

Case narratives, stage comments, lessons, intervention notes and minutes must be anonymised (see
"Anonymisation" in the domain notes): names, addresses, postcodes, phone numbers, e-mail
addresses, social media handles and profile links, dates of birth, exact dates, crime and incident
references and CPS URNs, NI and NHS numbers, vehicle registrations and IP addresses. Organisation
names, roles, towns, month and year, legislation, outcome codes and age bands are kept.

Plain Python with no Flask import, so that forms, services and the ``flask pii-scan`` batch
command share one ``find``.
"""

import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TextIO

from panel.core.anonymise.detectors import DETECTORS
from panel.core.anonymise.names import name_parts as name_parts  # for the guard's known names

KIND_LABELS: dict[str, str] = {
    "NAME": "a person's name",
    "ADDRESS": "an address",
    "POSTCODE": "a postcode",
    "PHONE": "a phone number",
    "EMAIL": "an email address",
    "DOB": "a date of birth",
    "DATE": "an exact date",
    "CRIME_REF": "a crime, incident or CPS reference number",
    "NI_NUMBER": "a National Insurance number",
    "NHS_NUMBER": "an NHS number",
    "VEHICLE_REG": "a vehicle registration",
    "SOCIAL_HANDLE": "a social media handle",
    "URL": "a link to a personal web page or profile",
    "IP_ADDRESS": "an IP address",
}

# When two findings overlap the longer one wins; at equal length, the kind earlier here (the more
# specific) does: a date after "DOB" is a DOB, an e-mail address is not also a URL.
_PRECEDENCE = {
    kind: rank
    for rank, kind in enumerate(
        (
            "EMAIL",
            "URL",
            "IP_ADDRESS",
            "DOB",
            "NI_NUMBER",
            "NHS_NUMBER",
            "CRIME_REF",
            "PHONE",
            "POSTCODE",
            "VEHICLE_REG",
            "SOCIAL_HANDLE",
            "DATE",
            "ADDRESS",
            "NAME",
        )
    )
}


# Panel's own references ("ISP-2026-004", "CHCP-2026-1042": a prefix Panel gives the panel, the
# year and a serial zero-padded to three digits, as `next_reference` in the cases and interventions
# services makes them) exist so that people can talk about a case without identifying it: nothing
# inside one is ever a finding. Only the prefixes Panel issues count, so that another system's
# "CRI-2025-1234" is still a crime reference. "ISP" is every scrutiny panel's; callers that know
# the panels pass theirs (`panel.cases.services.reference_prefixes`).
SCRUTINY_PREFIX = "ISP"


@functools.lru_cache(maxsize=8)
def _own_references(prefixes: frozenset[str]) -> re.Pattern[str]:
    names = "|".join(re.escape(prefix) for prefix in sorted(prefixes, key=len, reverse=True))
    return re.compile(
        rf"(?<![\w/-])(?:{names})-(?:19|20)\d{{2}}-(?:\d{{3}}|[1-9]\d{{3,4}})(?![\w/-])",
        re.IGNORECASE,
    )


@dataclass(frozen=True, order=True)
class Finding:
    """One piece of personal data: ``text[start:end]`` (Python string offsets) is of ``kind``."""

    start: int
    end: int
    kind: str
    text: str

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


def find(text: str, own_prefixes: Iterable[str] = (SCRUTINY_PREFIX,)) -> list[Finding]:
    """Every piece of personal data in ``text``, sorted and non-overlapping; nothing inside a
    reference Panel issued under one of ``own_prefixes``."""
    own = [m.span() for m in _own_references(frozenset(own_prefixes)).finditer(text)]
    candidates = {
        span
        for detect in DETECTORS
        for span in detect(text)
        if span[1] > span[0] and not any(s <= span[0] and span[1] <= e for s, e in own)
    }
    chosen: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []
    by_preference = sorted(candidates, key=lambda s: (s[0] - s[1], _PRECEDENCE[s[2]], s[0]))
    for start, end, kind in by_preference:
        if all(end <= s or start >= e for s, e in taken):
            chosen.append((start, end, kind))
            taken.append((start, end))
    return [Finding(s, e, k, text[s:e]) for s, e, k in sorted(chosen)]


def redact(
    text: str, findings: Iterable[Finding] | None = None, people: list[set[str]] | None = None
) -> str:
    """``text`` with each finding replaced by its kind in brackets, e.g. ``[POSTCODE]``; people
    are numbered in order of first mention, one number for every mention of the same person
    ("[PERSON 1] pushed [PERSON 2]; [PERSON 1] was arrested"), so that the narrative still reads.

    ``people`` (the words of each person numbered so far) may be shared between the texts of one
    form, so that a person keeps their number from one field to the next."""
    if findings is None:
        findings = find(text)
    if people is None:
        people = []
    parts = []
    position = 0
    for finding in sorted(findings):
        parts.append(text[position : finding.start])
        if finding.kind == "NAME":
            parts.append(f"[PERSON {_person_number(people, finding.text)}]")
        else:
            parts.append(f"[{finding.kind}]")
        position = finding.end
    parts.append(text[position:])
    return "".join(parts)


def _person_number(people: list[set[str]], name: str) -> int:
    """The number of the person ``name`` mentions, adding them to ``people`` if new. A mention
    whose words are all words of a person already named ("Venn", "Mr Venn" after "Paul Venn") is
    that person; so is a fuller name after a part of it ("Paul Venn" after "Venn"), which then
    widens what later mentions may match."""
    words = set(name_parts(name)) or {name.casefold()}
    for matches in (words.__le__, words.__ge__):
        for number, person in enumerate(people, start=1):
            if matches(person):
                person |= words
                return number
    people.append(words)
    return len(people)


def scan_lines(
    in_stream: TextIO, out_stream: TextIO, own_prefixes: Iterable[str] = (SCRUTINY_PREFIX,)
) -> None:
    """Read JSON Lines ``{"id", "text"}``, write ``{"id", "spans": [{"start", "end", "kind"}]}``.

    The batch form of ``find`` behind ``flask pii-scan``: ids come back unchanged, whatever JSON
    value they are; blank lines are skipped.
    """
    for line in in_stream:
        if not line.strip():
            continue
        record = json.loads(line)
        spans = [
            {"start": f.start, "end": f.end, "kind": f.kind}
            for f in find(record["text"], own_prefixes)
        ]
        out_stream.write(json.dumps({"id": record["id"], "spans": spans}, ensure_ascii=False))
        out_stream.write("\n")
