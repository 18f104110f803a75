"""Finding people's names in case narratives.

No light, maintained library recognises names from the many communities a hate crime panel
serves (``names-dataset`` needs about 3 GB of memory and is built from a leaked social network
dump), so Panel ships curated lists in ``data/``: given names, surnames, and common capitalised
words that are not evidence of a person on their own. They load once, into frozensets.

A name is found by evidence, strongest first:

1. a title or police rank before a capitalised word ("Mr Patel", "PC 4521 Jones", "Dr Okafor");
2. a run of capitalised words that holds a listed given name or surname ("Chidi Okonkwo",
   "Xiaoling Zhang", "Mohammed Al-Rashidi");
3. a listed name alone, unless it is also a common word ("Aisha said", but not "Hope" or
   "Victoria"), which then needs a reporting verb after it or a cue such as "named" before it.

A run that ends in an organisation or place noun ("Anne Frank Trust", "Victoria Park") is not a
person, nor is a word after "St" or "Prophet".
"""

import re
from functools import cache
from importlib.resources import files


def _load(name: str) -> frozenset[str]:
    text = files("panel.core.anonymise").joinpath("data", name).read_text(encoding="utf-8")
    return frozenset(
        line.strip().casefold() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


GIVEN_NAMES = _load("given_names.txt")
SURNAMES = _load("surnames.txt")
COMMON_WORDS = _load("common_words.txt")
KNOWN_NAMES = GIVEN_NAMES | SURNAMES

TITLES = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
        "prof",
        "professor",
        "sir",
        "dame",
        "lord",
        "lady",
        "rev",
        "revd",
        "reverend",
        "father",
        "imam",
        "rabbi",
        "sheikh",
        "pastor",
        "cllr",
        "councillor",
        "pc",
        "dc",
        "ds",
        "di",
        "dci",
        "dsi",
        "supt",
        "pcso",
        "psi",
        "sgt",
        "insp",
        "sergeant",
        "inspector",
        "constable",
        "superintendent",
        "detective",
        "judge",
        "hhj",
        "recorder",
        "officer",
    }
)
# Words that may stand before a title and belong to it ("Detective Chief Inspector").
TITLE_PREFIXES = frozenset(
    {
        "detective",
        "chief",
        "police",
        "acting",
        "temporary",
        "district",
        "deputy",
        "his",
        "her",
        "honour",
        "special",
        "trainee",
        "student",
    }
)
# A run of capitalised words ending in one of these names a place or an organisation.
PLACE_OR_ORG_NOUNS = frozenset(
    {
        "road",
        "street",
        "avenue",
        "lane",
        "drive",
        "close",
        "way",
        "crescent",
        "grove",
        "court",
        "place",
        "gardens",
        "terrace",
        "square",
        "walk",
        "row",
        "hill",
        "rise",
        "mews",
        "parade",
        "park",
        "green",
        "vale",
        "house",
        "tower",
        "lodge",
        "hall",
        "heath",
        "end",
        "estate",
        "trust",
        "foundation",
        "centre",
        "center",
        "project",
        "society",
        "institute",
        "academy",
        "school",
        "college",
        "university",
        "hospital",
        "ward",
        "memorial",
        "day",
        "lecture",
        "fund",
        "award",
        "prize",
        "church",
        "mosque",
        "temple",
        "synagogue",
        "gurdwara",
        "mandir",
        "chapel",
        "cathedral",
        "station",
        "stadium",
        "arena",
        "theatre",
        "library",
        "museum",
        "gallery",
        "market",
        "council",
        "police",
        "service",
        "services",
        "group",
        "network",
        "association",
        "partnership",
        "forum",
        "charity",
        "housing",
        "homes",
        "ltd",
        "limited",
        "plc",
        "llp",
        "clinic",
        "surgery",
        "practice",
        "pharmacy",
        "primary",
        "junior",
        "infant",
        "nursery",
        "campaign",
        "alliance",
        "coalition",
        "federation",
        "union",
        "club",
        "shop",
        "stores",
        "supermarket",
        "restaurant",
        "cafe",
        "takeaway",
        "bar",
        "pub",
        "hotel",
        "inn",
        "law",
        "act",
        "report",
        "inquiry",
        "review",
        "rule",
        "principle",
        "test",
        "syndrome",
        "disease",
    }
)
# Words that make the following name a religious figure or a place ("São Paulo", "San Marino"),
# not a person in the case.
NOT_A_PERSON_BEFORE = frozenset(
    {
        "st",
        "saint",
        "prophet",
        "guru",
        "lord",
        "holy",
        "jesus",
        "king",
        "queen",
        "prince",
        "princess",
        "hurricane",
        "storm",
        "san",
        "santa",
        "santo",
        "são",
    }
)
# A word right after one of these is a name even when unlisted: "a man named Tariq", "her son
# Uzoma", "known as 'Tiny'". "called" only counts without quotes ("called him 'Covid'" is abuse).
_CUE_BEFORE = re.compile(
    r"(?:\b(?:named|nicknamed|alias|aka|surname|forename|first name|known as)[\s\"'“‘]*"
    r"|\b(?:called|son|daughter|wife|husband|partner|mother|father|brother|sister|friend|"
    r"neighbour|colleague|girlfriend|boyfriend|victim|suspect|witness|defendant|complainant|"
    r"grandson|granddaughter|nephew|niece|cousin|carer|uncle|aunt)[ ,]+)$"
)
_VERB_AFTER = re.compile(r" (?:said|says|told|tells|stated|explained|replied)\b")
# What a person does in a narrative: after a given name and a surname that are both ordinary words
# ("Rose Green", "Hope Hall"), one of these makes the pair a person rather than a place.
_PERSON_VERB_AFTER = re.compile(
    r"['’]?s? (?:said|says|told|tells|stated|explained|replied|reported|shouted|screamed|"
    r"threatened|spat|punched|kicked|pushed|admitted|denied|alleged|claimed|called|rang|"
    r"was (?:abused|assaulted|attacked|arrested|charged|interviewed|threatened|hit|pushed)|"
    r"gave|made|attended|received|heard|saw|lives|lived|works|worked|and (?:her|his|their)|"
    r"pleaded|apologised|declined|refused|accepted|appeared|sent|posted|threw|followed|drove|"
    r"was (?:sentenced|convicted|cautioned|bailed|remanded|released|excluded|identified))\b"
)
_PARTICLE_GAP = re.compile(
    r" (?:al|el|bin|bint|ibn|abu|van|von|der|den|de|da|di|du|la|le|dos|das|del|della|ter|ten"
    r"|van der|van den|de la) "
)
# Capitalised words only: lower-case words never start or continue a name (particles are
# handled as gaps). Latin Extended-A, -B and Additional (Ș, Ț, Ł, İ, Ş) mix cases, so the first
# letter is checked again in Python.
_TOKEN = re.compile(
    r"(?<![\w'’-])[A-ZÀ-ÖØ-ÞĀ-ɏḀ-ỿ][^\W\d_]*(?:['’][^\W\d_]+)*(?:-[^\W\d_]+(?:['’][^\W\d_]+)*)*"
    r"(?!\w)"
)
_POSSESSIVE = re.compile(r"['’]s$", re.IGNORECASE)
_COLLAR_NUMBER = re.compile(r"\s+\d{2,6}\s+")
_TITLE_GAPS = frozenset({" ", ". ", ".", "\u00a0"})
_NAME_GAPS = frozenset({" ", "\u00a0", "\n"})


def is_common_word(word: str) -> bool:
    return _is_common(word)


_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def name_parts(text: str) -> frozenset[str]:
    """The words of a name without titles, ranks or a possessive, casefolded: "DS Priya Shah's"
    gives {"priya", "shah"}. To compare a name found in text with a name Panel records."""
    words = (_key(_POSSESSIVE.sub("", match.group())) for match in _WORD.finditer(text))
    return frozenset(word for word in words if word not in TITLES | TITLE_PREFIXES)


@cache
def _key(word: str) -> str:
    return word.casefold().replace("’", "'")


# Letters that English words never carry but Romanian, Polish, Portuguese, Turkish and other
# names do: an unlisted capitalised word with one of them ("Mădălina", "Błaszczyk", "Yılmaz") is
# taken as a name unless the common words list it (places such as "Kraków" or "Gdańsk").
_NAME_LETTERS = re.compile(r"[ăâîșțşţąćęłńśźżğıİçãõőűøåæßčďěňřšťůžđėįųūāēīņļķ]", re.IGNORECASE)


@cache
def _is_known(word: str) -> bool:
    key = _key(word)
    if key in KNOWN_NAMES:
        return True
    if not key.isascii() and _NAME_LETTERS.search(key) and key not in COMMON_WORDS:
        return True
    parts = key.split("-")
    if len(parts) > 1:
        # Smith-Jones, Jean-Paul, Al-Rashidi: a listed part is enough.
        return parts[-1] in KNOWN_NAMES or parts[0] in GIVEN_NAMES
    return False


@cache
def _is_common(word: str) -> bool:
    return _key(word) in COMMON_WORDS


class _Token:
    __slots__ = ("start", "end", "word", "key", "caps")

    def __init__(self, start: int, end: int, word: str) -> None:
        self.start, self.end, self.word = start, end, word
        self.key = _key(word)
        self.caps = len(word) > 1 and word.isupper()


def _tokens(text: str) -> list[_Token]:
    tokens = []
    for m in _TOKEN.finditer(text):
        word = m.group()
        if not word[0].isupper():
            continue
        possessive = _POSSESSIVE.search(word)
        if possessive and len(word) > 2:
            word = word[: possessive.start()]
        tokens.append(_Token(m.start(), m.start() + len(word), word))
    return tokens


def _adjacent(text: str, left: _Token, right: _Token, particles: bool = False) -> bool:
    """True when only a space (or a particle such as "bin" or "van der") separates two words."""
    gap = text[left.end : right.start]
    if gap in _NAME_GAPS or (left.word == "O" and gap in ("'", "’")):
        return True
    return particles and bool(_PARTICLE_GAP.fullmatch(gap))


def _name_like(token: _Token) -> bool:
    """Could this capitalised word be part of a name that has other evidence?"""
    if token.caps:
        return _is_known(token.word)
    return _is_known(token.word) or not _is_common(token.word)


def _extend(text: str, tokens: list[_Token], i: int, limit: int = 4) -> int:
    """Index one past the last word of the name run that starts at ``tokens[i]``."""
    j = i + 1
    while j < len(tokens) and j - i < limit and _adjacent(text, tokens[j - 1], tokens[j], True):
        token = tokens[j]
        if not _name_like(token) or token.key in TITLES or token.caps != tokens[i].caps:
            break
        j += 1
    return j


def _followed_by_place_or_org(text: str, tokens: list[_Token], j: int) -> bool:
    return (
        j < len(tokens)
        and _adjacent(text, tokens[j - 1], tokens[j])
        and (tokens[j].key in PLACE_OR_ORG_NOUNS)
    )


def _run_is_person(run: list[_Token]) -> bool:
    first, last = run[0], run[-1]
    if len(run) == 1:
        return _is_known(first.word) and not _is_common(first.word) and not first.caps
    if all(t.caps for t in run):
        return sum(_is_known(t.word) for t in run) >= 2
    unambiguous_given = first.key in GIVEN_NAMES and not _is_common(first.word)
    if any(t.key in PLACE_OR_ORG_NOUNS for t in run[1:]):
        # "Semhar Ward" is a person, "Victoria Park" and "Stephen Lawrence Day" are not.
        return len(run) == 2 and unambiguous_given and last.key in SURNAMES
    if any(_is_known(t.word) and not _is_common(t.word) for t in run):
        return True
    # Given name then a surname-like word: "Rose Green", "Dean Arkwright".
    return first.key in GIVEN_NAMES and (last.key in SURNAMES or not _is_common(last.word))


def _ordinary_words_acting(text: str, run: list[_Token]) -> bool:
    """A listed given name and a listed surname that are both ordinary words ("Rose Green",
    "Faith Hall") followed by what a person does: "Rose Green reported ...", "Faith Hall said"."""
    return (
        len(run) == 2
        and not run[0].caps
        and run[0].key in GIVEN_NAMES
        and run[1].key in SURNAMES
        and bool(_PERSON_VERB_AFTER.match(text, run[1].end))
    )


def _titled_name(text: str, tokens: list[_Token], i: int) -> tuple[int, int] | None:
    """The span of "Mr Patel", "Detective Sergeant Khan", "PC 4521 Jones" starting at i."""
    token = tokens[i]
    if token.key not in TITLES or i + 1 >= len(tokens):
        return None
    nxt = tokens[i + 1]
    gap = text[token.end : nxt.start]
    if not (gap in _TITLE_GAPS or _COLLAR_NUMBER.fullmatch(gap)):
        return None
    if nxt.key in TITLES or not (_is_known(nxt.word) or not _is_common(nxt.word)):
        return None
    j = _extend(text, tokens, i + 1, limit=3)
    if _followed_by_place_or_org(text, tokens, j):
        return None
    start = i
    while (
        start
        and tokens[start - 1].key in TITLE_PREFIXES
        and _adjacent(text, tokens[start - 1], tokens[start])
    ):
        start -= 1
    return start, j


def find_names(text: str) -> list[tuple[int, int]]:
    """Every name in ``text``: found by evidence, introduced as a nickname, or a later mention of a
    part of either ("Paul Venn, DOB ...; Venn shouted")."""
    tokens = _tokens(text)
    found = _names_by_evidence(text, tokens)
    nicknames = _nicknames(text)
    return sorted(set(found) | set(nicknames) | _later_mentions(text, tokens, found, nicknames))


# Nicknames and street names introduced as such, in quotes: "known on site as 'Tank'", "by their
# street names, 'Skinz' and 'Little T'", "aka "Bones"". The quotes and the cue are what make an
# ordinary word a name here; "called him 'Covid'" is abuse, so "called" is no cue.
_NICKNAME_CUE = re.compile(
    r"\b(?:(?:known|know|knew)(?: [a-z]+){0,3} as|calls? (?:himself|herself|themselves)"
    r"|(?:nick|street |road |gang |online |drill )names?"
    r"(?: (?:is|was|are|were|of))?|nicknamed|go(?:es|ing)? by|aka|a\.k\.a\.?|alias(?:es)?)"
    r"[,:]?\s*$",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"[\"'“‘]([A-Z0-9À-ÞĀ-ɏ][^\"'“”‘’\n]{0,24}?)[\"'”’](?!\w)")
_LIST_GAP = re.compile(r"\s*(?:,|,? and|,? or|/|&)\s*")


def _nicknames(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    previous_end = -1
    for m in _QUOTED.finditer(text):
        words = m.group(1).split()
        # A scheme "known locally as 'Safe Spaces'" or a family's "known as 'Mum'" is no person:
        # a nickname has a word that is not an ordinary one ("Tank", "Little T").
        if len(words) > 3 or all(_is_common(w) for w in words):
            previous_end = -1
            continue
        listed = previous_end >= 0 and _LIST_GAP.fullmatch(text, previous_end, m.start())
        if listed or _NICKNAME_CUE.search(text, max(0, m.start() - 40), m.start()):
            spans.append(m.span(1))
            previous_end = m.end()
        else:
            previous_end = -1
    return spans


_CLAUSE_END = re.compile(
    r"(?:['’]s\b|\s*[,.;:!?)]| (?:who|and|was|were|had|has|is|then|did|would|could|felt|became|"
    r"left|went|ran|returned|asked|wanted)\b)"
)


def _later_mentions(
    text: str,
    tokens: list[_Token],
    found: list[tuple[int, int]],
    nicknames: list[tuple[int, int]],
) -> set[tuple[int, int]]:
    """Once a name is found, every other mention of its words is the same person: a surname or a
    given name alone, a one-word nickname, or a nickname of several words written again."""
    parts: set[str] = set()
    for start, end in found:
        parts |= {
            t.key for t in tokens if start <= t.start and t.end <= end and t.key not in TITLES
        }
    phrases: set[str] = set()
    for start, end in nicknames:
        words = text[start:end].split()
        if len(words) == 1:
            parts.add(_key(words[0]))
        else:
            phrases.add(text[start:end])
    parts = {part for part in parts if len(part) > 1 and part not in TITLE_PREFIXES}
    covered = [*found, *nicknames]
    mentions: set[tuple[int, int]] = set()
    if parts:
        for i, token in enumerate(tokens):
            if token.key not in parts or any(s <= token.start < e for s, e in covered):
                continue
            # A part that is an ordinary word ("Grace", "Green") is the person only where a
            # person stands: before a verb or a possessive, or at the end of a clause; not in
            # "the grace period" or "the Green Party".
            if _is_common(token.word) and not (
                _PERSON_VERB_AFTER.match(text, token.end) or _CLAUSE_END.match(text, token.end)
            ):
                continue
            if _followed_by_place_or_org(text, tokens, i + 1):
                continue
            if (
                i
                and tokens[i - 1].key in NOT_A_PERSON_BEFORE
                and _adjacent(text, tokens[i - 1], token)
            ):
                continue
            mentions.add((token.start, token.end))
    for phrase in phrases:
        for m in re.finditer(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", text):
            if not any(s <= m.start() < e for s, e in covered):
                mentions.add(m.span())
    return mentions


def _names_by_evidence(text: str, tokens: list[_Token]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    i = 0
    n = len(tokens)
    while i < n:
        token = tokens[i]

        # 1. Title or rank, an optional collar number, then the name.
        titled = _titled_name(text, tokens, i)
        if titled:
            start, j = titled
            spans.append((tokens[start].start, tokens[j - 1].end))
            i = j
            continue

        # "St Mary's", "Prophet Muhammad", "Guru Nanak": the words after are not a person.
        if token.key in NOT_A_PERSON_BEFORE:
            i = _extend(text, tokens, i)
            continue

        # A capitalised ordinary word before a name is a role or a sentence start, not part of the
        # name: "Witness Chidi Okonkwo", "THE DEFENDANT JORDAN SMITH".
        if not _is_known(token.word) and (token.caps or _is_common(token.word)):
            i += 1
            continue

        j = _extend(text, tokens, i)
        run = tokens[i:j]
        if _followed_by_place_or_org(text, tokens, j):
            i = j + 1
            continue

        # 2 and 3. A run with listed names, or one listed name alone.
        if _run_is_person(run) or _ordinary_words_acting(text, run):
            spans.append((run[0].start, run[-1].end))
            i = j
            continue

        # 3. A single word with a cue: "a man named Tariq", "her son Uzoma", "Victoria said".
        if len(run) == 1 and not token.caps and token.key not in TITLES and len(token.word) > 1:
            cue_before = _CUE_BEFORE.search(text, max(0, token.start - 20), token.start)
            verb_after = _VERB_AFTER.match(text, token.end)
            # After a cue a listed given name counts even when it is an ordinary word too:
            # "her son Will", "a woman named Hope".
            if (cue_before and (not _is_common(token.word) or token.key in GIVEN_NAMES)) or (
                verb_after and (_is_known(token.word) or not _is_common(token.word))
            ):
                spans.append((token.start, token.end))
        i = j
    return spans
