"""Detectors for the structured kinds of personal data in case narratives.

Each detector takes the text and returns ``(start, end, kind)`` tuples; overlaps between detectors
are settled in ``panel.core.anonymise.find``. Phone numbers come from ``phonenumbers`` (Google's
libphonenumber metadata); the stdlib ``ipaddress`` module validates IP addresses. Everything else
here is a UK format that no maintained library recognises in free text, written from the official
format (postcodes, NI numbers, NHS numbers, vehicle registrations) or from how police and CPS
write their references. Regexes are compiled once, at import.
"""

import ipaddress
import re
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher

from panel.core.anonymise.names import find_names, is_common_word

Span = tuple[int, int, str]

# --- Postcodes -----------------------------------------------------------------------------------
# The Royal Mail format: outward code A9, A99, AA9, AA99, A9A or AA9A with the letters each position
# may hold, then the inward code 9AA (never C, I, K, M, O or V). Outward codes alone ("CV6") cover
# thousands of households, so they are left as coarse places.
_POSTCODE = re.compile(
    r"(?<![\w-])(?:GIR ?0AA|"
    r"(?:[A-PR-UWYZ][0-9]{1,2}|[A-PR-UWYZ][A-HK-Y][0-9]{1,2}|[A-PR-UWYZ][0-9][A-HJKPSTUW]"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])"
    r" {0,2}[0-9][ABD-HJLNP-UW-Z]{2})(?![\w-])",
    re.IGNORECASE,
)


def postcodes(text: str) -> Iterator[Span]:
    for m in _POSTCODE.finditer(text):
        yield m.start(), m.end(), "POSTCODE"


# --- Phone numbers -------------------------------------------------------------------------------
# libphonenumber's VALID leniency rejects Ofcom's ranges kept for drama and examples (07700 900xxx,
# 01632 960xxx), which are exactly what training material and test data use, so candidates are
# taken at POSSIBLE leniency and kept when valid, or when written like a full UK or international
# number (leading 0 or +, at least ten digits). The hint regex skips texts with no such digit run.
_PHONE_HINT = re.compile(r"(?:\+|(?<!\d)0|\(0)[\d\s().-]{8,}\d")


def phones(text: str) -> Iterator[Span]:
    # libphonenumber is the slow part of a scan, so it only reads the stretches that could hold a
    # phone number (nine digits or more), with a little context either side.
    for hint in _PHONE_HINT.finditer(text):
        if sum(ch.isdigit() for ch in hint.group()) < 9:
            continue
        offset = max(0, hint.start() - 4)
        window = text[offset : hint.end() + 4]
        for match in PhoneNumberMatcher(window, "GB", leniency=Leniency.POSSIBLE):
            raw = match.raw_string
            digits = sum(ch.isdigit() for ch in raw)
            looks_full = raw.lstrip("(")[:1] in ("0", "+") and 10 <= digits <= 15
            if looks_full or phonenumbers.is_valid_number(match.number):
                yield offset + match.start, offset + match.end, "PHONE"


# --- E-mail, URLs, handles -----------------------------------------------------------------------
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")


def emails(text: str) -> Iterator[Span]:
    for m in _EMAIL.finditer(text):
        yield m.start(), m.end(), "EMAIL"


_TLDS = r"(?:com|net|org|uk|me|io|tv|gg|ly|be|co|app|info|biz|ru|pl|de|fr|ie|in|pk|ng|xyz|social)"
_URL = re.compile(
    r"(?:\bhttps?://|\bwww\.|(?<![\w@.])(?:[a-z0-9-]+\.)+" + _TLDS + r"(?=/))[^\s<>\"'\]]+",
    re.IGNORECASE,
)
# Public bodies publish guidance, not people: their pages are kept.
_PUBLIC_SUFFIXES = (
    ".gov.uk",
    ".police.uk",
    ".nhs.uk",
    ".ac.uk",
    ".sch.uk",
    ".parliament.uk",
    ".mod.uk",
    ".gov",
)
# On charity and community sites (.org, .org.uk) only a path that names a member is personal;
# their report and advice pages are kept. Elsewhere any path may be a profile, a post or a news
# story that identifies the case.
_PERSONAL_PATH = re.compile(r"[@~]|/(?:users?|u|profiles?|people|members?|in|author)/", re.I)


def urls(text: str) -> Iterator[Span]:
    for m in _URL.finditer(text):
        url = m.group().rstrip(".,;:!?")
        if url.endswith(")") and "(" not in url:
            url = url[:-1]
        parts = urlsplit(url if "://" in url else "http://" + url)
        host = (parts.hostname or "").removeprefix("www.")
        path = parts.path.rstrip("/") + parts.query
        if not path or host.endswith(_PUBLIC_SUFFIXES):
            continue
        if host.endswith((".org", ".org.uk")) and not _PERSONAL_PATH.search(parts.path + "/"):
            continue
        yield m.start(), m.start() + len(url), "URL"


_AT_HANDLE = re.compile(r"(?<![\w@./])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?(?![\w@])")
# Organisations' own accounts are not personal data.
_ORG_HANDLE = re.compile(
    r"police|cps|council|gov|nhs|tellmama|cst|victimsupport|stonewall|galop|hopenothate|"
    r"truevision|crimestoppers|official",
    re.I,
)
_PLATFORM_HANDLE = re.compile(
    r"\b(?:snapchat|snap|instagram|insta|tiktok|twitter|telegram|discord|kik|threads|twitch|"
    r"reddit|xbox|psn|steam|facebook|youtube|user ?name|handle|gamertag|screen ?name)"
    r"(?:\s+(?:user(?:name)?|handle|account|name|id|profile|page))?"
    r"(?:\s+(?:is|was|of|called|named|under))?\s*:?\s*[\"'“‘]?"
    r"(?P<handle>@?[A-Za-z0-9_][A-Za-z0-9_.]{1,28}[A-Za-z0-9_])",
    re.IGNORECASE,
)


_PLATFORM_WORDS = (
    "snap",
    "insta",
    "tiktok",
    "twitter",
    "telegram",
    "discord",
    "kik",
    "threads",
    "twitch",
    "reddit",
    "xbox",
    "psn",
    "steam",
    "facebook",
    "youtube",
    "user",
    "handle",
    "gamertag",
    "screen",
)


def handles(text: str) -> Iterator[Span]:
    if "@" in text:
        for m in _AT_HANDLE.finditer(text):
            if not _ORG_HANDLE.search(m.group()):
                yield m.start(), m.end(), "SOCIAL_HANDLE"
    lower = text.lower()
    if not any(word in lower for word in _PLATFORM_WORDS):
        return
    for m in _PLATFORM_HANDLE.finditer(text):
        handle = m.group("handle")
        if handle.startswith("@"):
            continue
        # A bare word after a platform name is usually prose ("on Instagram about..."); handles
        # carry digits, underscores or dots.
        if re.search(r"[\d_.]", handle) and not is_common_word(handle):
            yield m.start("handle"), m.end("handle"), "SOCIAL_HANDLE"


# --- IP addresses --------------------------------------------------------------------------------
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?:%\w+)?(?![\w:])")


def ip_addresses(text: str) -> Iterator[Span]:
    for pattern in (_IPV4, _IPV6):
        for m in pattern.finditer(text):
            try:
                ipaddress.ip_address(m.group())
            except ValueError:
                continue
            yield m.start(), m.end(), "IP_ADDRESS"


# --- National Insurance numbers ------------------------------------------------------------------
# Two prefix letters, six digits, suffix A-D. HMRC never issues D, F, I, Q, U or V first, nor D, F,
# I, O, Q, U or V second, nor the prefixes below; QQ is HMRC's specimen prefix and stands in for
# real numbers in training material, so it is found too. With "NI number" before it, any prefix
# counts and the suffix may be missing.
_NINO = re.compile(
    r"(?<![\w-])(?P<prefix>[A-Za-z] ?[A-Za-z])[ -]{0,2}\d(?:[ -]{0,2}\d){5}"
    r"(?:[ -]{0,2}(?P<suffix>[A-Da-d]))?(?![\w-])"
)
_NINO_CONTEXT = re.compile(r"(?:\bN\.?I\.?|\bNINO|national insurance)\b[\w\s.:]{0,20}$", re.I)
_NINO_BAD_PREFIXES = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


def _valid_nino_prefix(prefix: str) -> bool:
    if prefix == "QQ":
        return True
    return (
        prefix[0] not in "DFIQUV"
        and prefix[1] not in "DFIOQUV"
        and prefix not in _NINO_BAD_PREFIXES
    )


# Two-letter words that start lower-case prose ("at 10 30 45 a ...") rather than an NI number.
_NINO_NOT_LOWER = frozenset(
    {"am", "an", "as", "at", "by", "go", "he", "me", "my", "no", "ok", "so"}
)


def ni_numbers(text: str) -> Iterator[Span]:
    # People write them in lower case and spaced every which way ("ab 12 34 56 c", "jk123456c",
    # "A B 123456 C"): the letters and digits count, not the layout.
    for m in _NINO.finditer(text):
        prefix = m.group("prefix").replace(" ", "")
        suffix = m.group("suffix")
        in_context = _NINO_CONTEXT.search(text, max(0, m.start() - 40), m.start())
        if in_context or (
            suffix
            and _valid_nino_prefix(prefix.upper())
            and ((prefix + suffix).isupper() or prefix.lower() not in _NINO_NOT_LOWER)
        ):
            yield m.start(), m.end(), "NI_NUMBER"


# --- NHS numbers ---------------------------------------------------------------------------------
_NHS = re.compile(r"(?<![\w/.-])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\w/]|[.-]\d)")
_NHS_CONTEXT = re.compile(r"\bNHS\b[\w\s.:(]{0,15}$", re.I)


def _nhs_check_digit_ok(digits: str) -> bool:
    """The NHS modulus 11 check: weights 10..2 over the first nine digits."""
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def nhs_numbers(text: str) -> Iterator[Span]:
    for m in _NHS.finditer(text):
        digits = "".join(m.groups())
        if _NHS_CONTEXT.search(text, max(0, m.start() - 30), m.start()) or (
            digits[0] != "0" and _nhs_check_digit_ok(digits)
        ):
            yield m.start(), m.end(), "NHS_NUMBER"


# --- Vehicle registrations -----------------------------------------------------------------------
# Current (2001-): AB12 CDE. Prefix (1983-2001): A123 BCD. Suffix (1963-1983): ABC 123D.
# Dateless and Northern Irish marks are too short to tell from other codes, so they need a cue
# such as "registration" or "VRM".
_VRM = re.compile(
    r"(?<![\w-])(?:[A-Z]{2} ?[0-9]{2} {0,2}[A-Z]{3}|[A-HJ-NP-Y] ?[0-9]{1,3} {0,2}[A-Z]{3}"
    r"|(?P<letters>[A-Z]{3}) {0,2}[0-9]{1,3}[A-HJ-NPR-Y])(?![\w-])"
)
# Current and prefix marks in lower case ("ab12 cde", "a123bcd"): the letters and digits of the
# first half written solid, which prose never does ("v1 and s2" is shorthand for victim 1). A prefix
# mark in lower case with a space ("r472 bnd") reads like "p95 per", so it needs a cue.
_VRM_LOWER = re.compile(
    r"(?<![\w-])(?:[a-z]{2}[0-9]{2} ?[a-z]{3}|[a-hj-np-y][0-9]{1,3}[a-z]{3})(?![\w-])"
)
_VRM_CUE = re.compile(
    r"\b(?:reg(?:istration)?\.?(?: number| no\.?| mark| plate)?|VRM|index|number plate|plate)"
    r"(?:\s*(?:is|was|of|noted|given|recorded|written|read|as|:))*\s*"
    r"(?P<mark>[A-Z0-9]{1,4}(?: {1,2}[A-Z0-9]{1,4}){0,2})\b",
    re.IGNORECASE,
)
# A current, prefix or suffix mark with its spaces taken out; shorter (dateless) marks only count
# in capitals, so that "registration is at 10 am" is left alone.
_PLATE_SHAPE = re.compile(
    r"[a-z]{2}\d{2}[a-z]{3}|[a-z]\d{1,3}[a-z]{3}|[a-z]{3}\d{1,3}[a-z]", re.IGNORECASE
)
# Acronyms that sit before a section number in police shorthand ("POA 4A", "CDA 29A").
_NOT_VRM_LETTERS = frozenset(
    {
        "POA",
        "CDA",
        "MCA",
        "CPS",
        "NPU",
        "OIC",
        "NFA",
        "ASB",
        "CJA",
        "SOA",
        "PNC",
        "OCC",
        "RAO",
        "RRO",
        "AGE",
        "SEC",
        "ACT",
        "SCH",
    }
)
# Outcome codes and ranks written before a number: "OC 15", "PC 23", "DS 44".
_NOT_VRM_PAIRS = frozenset({"OC", "PC", "DC", "DS", "DI", "PS", "QC", "KC", "CJ"})


def vehicle_registrations(text: str) -> Iterator[Span]:
    for m in _VRM.finditer(text):
        mark = m.group()
        # Spaced out, an outcome or a file note looks like a plate: "OC 15 NFA", "Cat A 12 CPS".
        spaced = mark.count(" ") > 1 or (not mark[1].isdigit() and mark[2] == " ")
        if m.group("letters") in _NOT_VRM_LETTERS or (spaced and mark[-3:] in _NOT_VRM_LETTERS):
            continue
        if spaced and mark[:2] in _NOT_VRM_PAIRS:
            continue
        yield m.start(), m.end(), "VEHICLE_REG"
    for m in _VRM_LOWER.finditer(text):
        yield m.start(), m.end(), "VEHICLE_REG"
    lower = text.lower()
    if "reg" not in lower and "vrm" not in lower and "index" not in lower and "plate" not in lower:
        return
    for m in _VRM_CUE.finditer(text):
        # After a cue the mark may be in any case and spaced as the writer liked, but it must have
        # a plate's letters and digits ("registration was 12 days late" is left alone); the
        # longest run of words with that shape is the mark.
        words = m.group("mark").split(" ")
        for count in range(len(words), 0, -1):
            mark = " ".join(words[:count]).strip()
            solid = mark.replace(" ", "")
            if not (re.search(r"\d", solid) and re.search(r"[A-Za-z]", solid)):
                continue
            if (count < 3 and mark.isupper()) or _PLATE_SHAPE.fullmatch(solid):
                start = m.start("mark")
                yield start, start + len(mark), "VEHICLE_REG"
                break


# --- Crime, incident and CPS references ----------------------------------------------------------
_CRIME_REF = re.compile(
    # Every form starts with a capital letter or a digit: checking that first keeps the scan fast.
    r"(?=[A-Z\d])(?:"
    # West Midlands crime numbers: force-area code / serial / year, e.g. 20/123456/25; other
    # forces' occurrence numbers such as OB/12345/25 and CRIS 1234567/25.
    r"(?<![\w/])(?:\d{2}|[A-Z]{2,4})/\d{4,7}/\d{2}(?![\w/])|(?<![\w/])\d{6,8}/\d{2}(?![\w/])"
    # Crime-system references such as CRI-2025-001234, and Action Fraud's NFRC numbers.
    r"|\b[A-Z]{2,5}[-/](?:19|20)\d{2}[-/]\d{3,8}\b|\bNFRC\d{8,14}\b"
    # CPS Unique Reference Numbers: force code, unit code, case serial, year (20BX1234524).
    r"|\b\d{2}[A-Z]{2}\d{7}\b|\b\d{2}(?P<sep>[ /-])[A-Z]{2}(?P=sep)\d{5}(?P=sep)\d{2}\b"
    r")"
)
# Incident logs: "log 1234 of 12/03/2025", "incident 0567 of 12.03.25".
_INCIDENT_LOG = re.compile(
    r"\b(?=[lLiIcC])(?:log|incident|CAD|call)(?: (?:number|no\.?|ref(?:erence)?))? ?:?\s*"
    r"\d{1,5}\s*(?:of|/)\s*\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b",
    re.IGNORECASE,
)
# Any other code with four digits or more counts when a label such as "crime number", "ref" or
# "URN" stands just before it.
_CODE_WITH_DIGITS = re.compile(r"(?<![\w/-])[A-Za-z0-9][A-Za-z0-9/-]*\d[A-Za-z0-9/-]*")
_CRIME_REF_CUE = re.compile(
    r"(?:\b(?:crime|incident|occurrence|log|case|CAD|call|job|report|Niche|Athena|Storm|fraud|"
    r"police|CPS)\s*(?:ref(?:erence)?|no\.?|number|num|#)\s*(?:no\.?|number|is|was)?"
    r"|\b(?:URN|crime|ref(?:erence)?))\s*:?\s*$",
    re.IGNORECASE,
)


# Force-style crime numbers: the force's two digits and a two-letter area code, a six-digit serial
# with its check letter, and the year (e.g. 43KD/582914H/23), in any case and with or without
# spaces around the strokes.
_FORCE_CRIME_NUMBER = re.compile(
    r"(?<![\w/])\d{2} ?[A-Z]{2} ?/ ?\d{6} ?[A-Z] ?/ ?\d{2}(?![\w/])", re.IGNORECASE
)
# Incident logs numbered within the day they were opened: "Log 0412-20052020" (log 412 of 20 May
# 2020), "incident 1187/03112024", "CAD 77 20052020". With a cue word any of these forms counts;
# without one only the log number, a hyphen and a full eight-digit date with a real day and month.
_DATE_DIGITS = r"(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])(?:(?:19|20)\d{2}|\d{2})"
_DATED_LOG = re.compile(
    r"\b(?:log|incident|CAD|call|storm|occurrence|OEL)(?: (?:number|no\.?|ref(?:erence)?))?"
    r" ?[:#]?\s*(?:\d{1,5}[-/ ]" + _DATE_DIGITS + r"|" + _DATE_DIGITS + r"[-/ ]\d{1,5})(?![\w/])",
    re.IGNORECASE,
)
_BARE_DATED_LOG = re.compile(
    r"(?<![\w/-])\d{3,5}-(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])(?:19|20)\d{2}(?![\w/-])"
)
# Partners' own case numbers: a short prefix run into a year, then a serial ("TM24-00817",
# "HSG2025/00412", "MASH24-1187").
_PARTNER_REF = re.compile(r"(?<![\w/-])[A-Z]{2,5}(?:19|20)?\d{2}[-/]\d{4,8}(?![\w/-])")


def crime_references(text: str) -> Iterator[Span]:
    for m in _CRIME_REF.finditer(text):
        yield m.start(), m.end(), "CRIME_REF"
    for m in _INCIDENT_LOG.finditer(text):
        yield m.start(), m.end(), "CRIME_REF"
    if "/" in text:
        for m in _FORCE_CRIME_NUMBER.finditer(text):
            yield m.start(), m.end(), "CRIME_REF"
    for pattern in (_DATED_LOG, _BARE_DATED_LOG, _PARTNER_REF):
        for m in pattern.finditer(text):
            yield m.start(), m.end(), "CRIME_REF"
    for m in _CODE_WITH_DIGITS.finditer(text):
        code = m.group().rstrip("/-")
        if sum(ch.isdigit() for ch in code) >= 4 and _CRIME_REF_CUE.search(
            text, max(0, m.start() - 40), m.start()
        ):
            yield m.start(), m.start() + len(code), "CRIME_REF"


# --- Dates and dates of birth --------------------------------------------------------------------
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_DAY = r"(?:3[01]|[12][0-9]|0?[1-9])"
_ORD = r"(?:st|nd|rd|th)"
_WEEKDAY = (
    r"(?:Mon(?:day)?|Tue(?:s(?:day)?)?|Wed(?:nesday)?|Thu(?:r(?:s(?:day)?)?)?|"
    r"Fri(?:day)?|Sat(?:urday)?|Sun(?:day)?)"
)
_YEAR = r"(?:19|20)\d{2}"
_DATE_PATTERNS = [
    # 12/03/2025, 12.03.25, 12-03-2025 (and the US order, which has the same shape).
    re.compile(
        r"(?<![\w/.-])" + _DAY + r"([/.-])" + _DAY + r"\1(?:" + _YEAR + r"|\d{2})"
        r"(?![\w/]|[.-]\d)"
    ),
    # 2025-03-12, 2025/03/12.
    re.compile(
        r"(?<![\w/.-])" + _YEAR + r"([/.-])(?:1[0-2]|0?[1-9])\1" + _DAY + r"(?![\w/]|[.-]\d)"
    ),
    # 3rd March 2025, Tuesday 3 March, the 3rd of March, 12-Mar-25.
    re.compile(
        r"\b(?=[MTWFS\d])(?:"
        + _WEEKDAY
        + r",?\s+(?:the\s+)?)?"
        + _DAY
        + _ORD
        + r"?(?:\s+of)?\s+"
        + _MONTH
        + r"\b(?:,?\s+"
        + _YEAR
        + r"\b)?"
    ),
    re.compile(r"\b(?=\d)" + _DAY + r"-" + _MONTH + r"-(?:" + _YEAR + r"|\d{2})\b"),
    # March 3, 2025; Tuesday, March 3rd.
    re.compile(
        r"\b(?=[JFMASOND])(?:"
        + _WEEKDAY
        + r",?\s+)?"
        + _MONTH
        + r"\s+(?:the\s+)?"
        + _DAY
        + _ORD
        + r"?\b(?!\s*(?:[:.]\d|%|people|men|women|victims|cases|crimes|incidents))"
        r"(?:,?\s+" + _YEAR + r"\b)?"
    ),
    # Tuesday 4th, Tuesday the 4th.
    re.compile(r"\b(?=[MTWFS])" + _WEEKDAY + r",?\s+(?:the\s+)?" + _DAY + _ORD + r"\b"),
    # "on the 14th": a day of the current month.
    re.compile(
        r"\b(?=[oObB])(?:on|by) the (?P<d>"
        + _DAY
        + _ORD
        + r")\b(?!\s+(?:century|floor|time|birthday|anniversary|occasion|place|day|of\s+"
        r"(?:the|each|every)))",
        re.IGNORECASE,
    ),
    # "on 12/03": day and month with a cue word, so that fractions and "24/7" are left alone.
    re.compile(
        r"\b(?=[oOdDfFuUsSbB])(?:on|dated|from|until|since|between) (?P<d>"
        + _DAY
        + r"[/.](?:1[0-2]|0?[1-9]))"
        r"(?![\w/]|[.]\d)",
        re.IGNORECASE,
    ),
]
# Police write a person's date of birth in brackets after the name: "Connor Whitfield (08/11/1996)".
_DOB_AFTER_NAME = re.compile(r"[A-Z][\w'’-]+ \($")
_DOB_CUE = re.compile(
    r"(?:\bDOB|\bD\.O\.B\.?|\bdate of birth|\bborn(?: on)?|\bbirthday(?: is| was| on)?)"
    r"\s*(?:is|was|of|given as)?\s*[:\-]?\s*(?:the\s+)?\(?$",
    re.IGNORECASE,
)


def dates(text: str) -> Iterator[Span]:
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            start, end = m.span("d") if "d" in pattern.groupindex else m.span()
            before = max(0, start - 30)
            is_dob = _DOB_CUE.search(text, before, start) or _DOB_AFTER_NAME.search(
                text, before, start
            )
            kind = "DOB" if is_dob else "DATE"
            yield start, end, kind


# --- Addresses -----------------------------------------------------------------------------------
_STREET_TYPES = (
    "Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Drive|Dr|Close|Cl|Way|Crescent|Cres|Grove|Gr|Court|Ct|"
    "Place|Pl|Gardens|Gdns|Terrace|Tce|Square|Sq|Walk|Row|Hill|Rise|Mews|Parade|View|Park|Green|"
    "Vale|Boulevard|Croft|Fold|Gate|Mount|Wharf|Yard|Approach|Chase|Meadow|Meadows|End|Bank|Brow|"
    "Common|Heights|Hollow|Circus|Broadway|Causeway|Embankment|Esplanade|Promenade|Quay|Ridge|Dale|"
    "Field|Fields|Glade|Glen|Grange|Leys|Orchard|Paddock|Reach|Highway|Link|Precinct|Circle|"
    "Corner|Cottages|Buildings|Mansions|Villas|House|Tower|Towers|Lodge|Hall|Point|Heath|Manor|Farm"
)
_NAME_WORD = r"(?:[A-Z][\w'’.-]*|of|the|upon|on|in|de|la)"
_UNIT = r"(?:(?:Flat|Apartment|Apt|Unit|Room|Maisonette)\.? \d{1,4}[A-Za-z]?,? )"
_BUILDING_TYPES = "House|Court|Tower|Lodge|Mansions|Buildings|Point|Heights"
_BUILDING = r"(?:[A-Z][\w'’-]+ (?:" + _BUILDING_TYPES + r"),? )"
_HOUSE_NUMBER = r"(?!(?:19|20)\d{2}\b)\d{1,4}[A-Za-z]?(?:-\d{1,4}[A-Za-z]?)?,?"
# Addresses are found from their street type: a scan for "Road", "Street"... is cheap, and only
# the few words before each one are then read.
_STREET_TYPE = re.compile(r"(?<= )(?:" + _STREET_TYPES + "|" + _STREET_TYPES.upper() + r")\b")
_BEFORE_STREET_TYPE = re.compile(
    r"(?<![\w/.£$-])"
    + _UNIT
    + r"?"
    + _BUILDING
    + r"?"
    + _HOUSE_NUMBER
    + r" [A-Z][\w'’-]*(?: "
    + _NAME_WORD
    + r"){0,3} $"
    r"|(?<![\w/.£$-])(?:(?:FLAT|APARTMENT|UNIT) \d{1,4}[A-Z]?,? )?"
    + _HOUSE_NUMBER
    + r" (?:[A-Z][A-Z'-]+ ){1,3}$"
)
_UNIT_IN_BUILDING = re.compile(r"\b" + _UNIT + r"[A-Z][\w'’-]+ (?:" + _BUILDING_TYPES + r")\b")
# Without a house number a street still narrows a place to a few hundred homes. The usual street
# types count whatever the words before them; the types that also name courts, schemes and open
# spaces (Court, Place, Way, Walk, Rise, Row) need a first word that is not an ordinary one, so
# that "Crown Court" and "Safe Place" are kept. "The High Street" and "the Ring Road" are kept.
_USUAL_STREET_TYPES = frozenset(
    {
        "Rd",
        "Ave",
        "Road",
        "Street",
        "Avenue",
        "Lane",
        "Drive",
        "Close",
        "Crescent",
        "Grove",
        "Terrace",
        "Gardens",
        "Mews",
    }
)
_OTHER_STREET_TYPES = frozenset({"Court", "Place", "Way", "Walk", "Rise", "Row"})
_STREET_NAME_BEFORE = re.compile(r"(?<![\w'’-])[A-Z][\w'’-]+(?: [A-Z][\w'’-]+){0,2} $")
_NOT_STREET_FIRST_WORDS = frozenset({"ring", "high", "main", "the", "a", "an"})
_NOT_STREET_COURTS = frozenset(
    {
        "crown",
        "magistrates",
        "magistrates'",
        "county",
        "youth",
        "family",
        "supreme",
        "coroner's",
        "coroners",
        "appeal",
        "civil",
        "employment",
        "combined",
        "juvenile",
        "district",
    }
)


def _street_without_number(text: str, type_start: int, type_end: int) -> Span | None:
    street_type = text[type_start:type_end]
    if street_type not in _USUAL_STREET_TYPES and street_type not in _OTHER_STREET_TYPES:
        return None
    m = _STREET_NAME_BEFORE.search(text, max(0, type_start - 60), type_start)
    if not m:
        return None
    start = m.start()
    words = m.group().split()
    # A capitalised word before the street is often a sentence start ("Outside Foleshill Road"):
    # only the street itself is kept.
    while len(words) > 1 and is_common_word(words[0]):
        start += len(words[0]) + 1
        words = words[1:]
    if words[0].casefold() in _NOT_STREET_FIRST_WORDS:
        return None
    if street_type in _OTHER_STREET_TYPES and (
        is_common_word(words[0]) or words[-1].casefold() in _NOT_STREET_COURTS
    ):
        return None
    return start, type_end, "ADDRESS"


def addresses(text: str) -> Iterator[Span]:
    for m in _STREET_TYPE.finditer(text):
        before = _BEFORE_STREET_TYPE.search(text, max(0, m.start() - 90), m.start())
        if before:
            yield before.start(), m.end(), "ADDRESS"
            continue
        street = _street_without_number(text, m.start(), m.end())
        if street:
            yield street
    if "Flat" in text or "Apartment" in text or "Apt" in text or "Unit" in text:
        for m in _UNIT_IN_BUILDING.finditer(text):
            yield m.start(), m.end(), "ADDRESS"


def names(text: str) -> Iterator[Span]:
    for start, end in find_names(text):
        yield start, end, "NAME"


DETECTORS: tuple[Callable[[str], Iterator[Span]], ...] = (
    emails,
    urls,
    handles,
    ip_addresses,
    ni_numbers,
    nhs_numbers,
    crime_references,
    phones,
    postcodes,
    vehicle_registrations,
    dates,
    addresses,
    names,
)
