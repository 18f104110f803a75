"""Builds the labelled corpus that the personal-data guard is measured on.

Run ``.venv/bin/python -m tests.anonymise.make_corpus`` to rewrite
``corpus/generated.jsonl`` (narratives composed from templates with a fixed seed, so that every
label's offsets are exact by construction), ``corpus/patterns.jsonl`` (the same, for the patterns
of the guard's second round: force-style crime numbers, dated incident logs and partners'
references, plates and NI numbers in any case and spacing, later mentions of a person already
named, nicknames, names with letters outside ASCII and names that are ordinary words) and
``corpus/handwritten.jsonl`` (from the hand-written ``corpus/handwritten.txt``, where personal
data is marked up as ``[[KIND:text]]``). The first generator is left as it was, so that its
narratives, and the figures on them, stay comparable from one round to the next.

The generated narratives imitate police and CPS case summaries across the five strands; the clean
ones are full of look-alikes that must not be flagged (organisations, legislation, outcome codes,
month and year, age bands, NPUs, times, money, 101 and 999).
"""

import json
import random
import re
import string
from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"
SEED = 20250312


def _words(text: str) -> list[str]:
    return text.split()


GIVEN = _words(
    """Aisha Mohammed Agnieszka Chidi Siobhan Wei Abdi Tariq Priya Gurpreet Fatima Kwame Olumide
Dariusz Ionut Mihaela Yusuf Hodan Zainab Rahul Sukhwinder Jamal Delroy Keisha Tomasz Katarzyna
Bogdan Shira Moshe Rivka Liam Chloe Sean Niamh Gareth Rhian Callum Emma Daniel Sophie Oliver
Xiaoling Minh Thanh Kofi Ama Ngozi Emeka Tendai Farhan Nusrat Imran Shabana Omar Layla Hassan
Mariam Kamil Zofia Andrei Elena Vasile Florica Johnny Bridget Patrick Kerry-Ann Marcus Tyrone
Leanne Darren Jodie Kieran Habiba Mizanur Rupinder Harjit Jaspreet Deepak Nisha Samira Ahmed
Uzoma Dawit Semhar Luan Valbona Oksana Taras Gintaras Jurgita Esther Yosef"""
)
SURNAMES = _words(
    """Khan Patel Okafor Okonkwo Kowalska Kowalski Murphy Zhang Warsame Al-Hassan Begum Singh
Kaur Mensah Adeyemi Nowak Popescu Ahmed Hussain Campbell Thompson Jones Smith O'Connor McDonagh
Cohen Levy Goldberg Nguyen Chen Wong Boateng Osei Mahmood Iqbal Rahman Uddin Sandhu Dhillon
Wiśniewski Lewandowska Dumitru Ionescu Farah Mohamud Jama Haile Gebremedhin Krasniqi Hoxha
Shevchenko Petrauskas Williams Evans Davies Brown Taylor Clarke Reid Francis Okoro Nwosu Ali
Sharma Gupta Kumar Chowdhury Miah Islam Malik Qureshi Shah Friedman Schwartz Lovell Boswell
Stokes Ward Rooney Balogun Ogunleye Achterberg Mbeki Oyelowo Szczepańska Ó'Briain"""
)
TITLES = [
    "Mr",
    "Mrs",
    "Ms",
    "Miss",
    "Dr",
    "PC",
    "DC",
    "DS",
    "PCSO",
    "Sgt",
    "Inspector",
    "DI",
    "Detective Constable",
    "Mx",
    "Cllr",
]
STREETS = _words(
    """Foleshill Acacia Stoney Stanton Walsgrave Holbrook Ansty Kingsway Jubilee Cherry Tree
Station Church Park Victoria Albert Queens Oakfield Meadow Willow Lode Bell Green Hipswell
Grangemouth Soho Lozells Dudley Stratford Coventry Alum Rock Ladypool Warwick"""
)
STREET_TYPES = [
    "Road",
    "Street",
    "Avenue",
    "Close",
    "Lane",
    "Drive",
    "Way",
    "Crescent",
    "Grove",
    "Court",
    "Place",
    "Gardens",
    "Terrace",
    "Rd",
    "St",
    "Mews",
    "Walk",
    "Rise",
]
TOWNS = [
    "Coventry",
    "Birmingham",
    "Dudley",
    "Wolverhampton",
    "Walsall",
    "Sandwell",
    "Solihull",
    "West Bromwich",
    "Sutton Coldfield",
    "Nuneaton",
    "Smethwick",
    "Halesowen",
]
NPUS = [
    "Coventry NPU",
    "Birmingham East NPU",
    "Birmingham West NPU",
    "Dudley NPU",
    "Sandwell NPU",
    "Solihull NPU",
    "Walsall NPU",
    "Wolverhampton NPU",
]
ORGS = [
    "West Midlands Police",
    "the CPS",
    "Tell MAMA",
    "Community Security Trust",
    "Coventry City Council",
    "Victim Support",
    "Coventry LGBT+ Centre",
    "Citizens Advice",
    "Birmingham City Council",
    "Stonewall",
    "the Anne Frank Trust",
    "Galop",
    "Whitefriars Housing",
    "Coventry Haven",
    "Mencap",
    "Crown Prosecution Service",
    "the Independent Advisory Group",
    "Sandwell Metropolitan Borough Council",
    "True Vision",
    "Hope not Hate",
    "the Sikh Council",
    "Birmingham Central Mosque",
]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
POSTCODE_AREAS = [
    "CV1",
    "CV2",
    "CV6",
    "CV3",
    "B10",
    "B11",
    "B19",
    "B21",
    "B8",
    "B5",
    "WV1",
    "WV10",
    "WS1",
    "WS2",
    "DY1",
    "DY4",
    "B66",
    "B70",
    "B91",
    "M14",
    "LE1",
    "SW1A",
    "E1",
    "N17",
    "EC1A",
    "W1A",
    "B6",
    "CV11",
]


class Gen:
    """Values of each kind in every format the guard should know."""

    def __init__(self, rng: random.Random) -> None:
        self.r = rng

    def pick(self, seq):
        return self.r.choice(seq)

    def digits(self, n: int) -> str:
        return "".join(self.r.choice(string.digits) for _ in range(n))

    def letters(self, n: int, pool: str = string.ascii_uppercase) -> str:
        return "".join(self.r.choice(pool) for _ in range(n))

    def NAME(self) -> str:
        style = self.r.random()
        if style < 0.45:
            return f"{self.pick(GIVEN)} {self.pick(SURNAMES)}"
        if style < 0.75:
            title = self.pick(TITLES)
            if title in ("PC", "DC", "PCSO") and self.r.random() < 0.4:
                return f"{title} {self.digits(4)} {self.pick(SURNAMES)}"
            return f"{title} {self.pick(SURNAMES)}"
        if style < 0.85:
            return f"{self.pick(GIVEN)} {self.pick(GIVEN)} {self.pick(SURNAMES)}"
        return self.pick(GIVEN)

    def ADDRESS(self) -> str:
        street = f"{self.pick(STREETS)} {self.pick(STREET_TYPES)}"
        number = str(self.r.randint(1, 240)) + (self.pick("abc") if self.r.random() < 0.15 else "")
        style = self.r.random()
        if style < 0.6:
            return f"{number} {street}"
        if style < 0.8:
            return f"Flat {self.r.randint(1, 40)}, {number} {street}"
        if style < 0.9:
            building = self.pick(["Alpha", "Jubilee", "Meridian", "Priory"])
            return f"{building} House, {number} {street}"
        return street

    def POSTCODE(self) -> str:
        inward = f"{self.r.randint(0, 9)}{self.letters(2, 'ABDEFGHJLNPQRSTUWXYZ')}"
        sep = "" if self.r.random() < 0.1 else " "
        return f"{self.pick(POSTCODE_AREAS)}{sep}{inward}"

    def PHONE(self) -> str:
        return self.pick(
            [
                f"07700 900{self.digits(3)}",
                f"07700900{self.digits(3)}",
                f"07{self.pick('3456789')}{self.digits(2)} {self.digits(6)}",
                f"0121 496 0{self.digits(3)}",
                f"024 76{self.digits(2)} {self.digits(4)}",
                f"(024) 76{self.digits(2)} {self.digits(4)}",
                f"01632 960{self.digits(3)}",
                f"+44 7700 900{self.digits(3)}",
                f"+44 (0)121 496 0{self.digits(3)}",
                f"+48 601 {self.digits(3)} {self.digits(3)}",
                f"0{self.pick('17')}{self.digits(9)}",
                f"020 7946 0{self.digits(3)}",
                f"07700-900-{self.digits(3)}",
            ]
        )

    def EMAIL(self) -> str:
        user = (
            self.pick(GIVEN).lower()
            + self.pick([".", "_", ""])
            + self.pick(SURNAMES).lower().replace("'", "")
            + self.digits(self.r.randint(0, 3))
        )
        user = user.encode("ascii", "ignore").decode()
        domain = self.pick(
            [
                "gmail.com",
                "hotmail.co.uk",
                "outlook.com",
                "yahoo.co.uk",
                "icloud.com",
                "btinternet.com",
            ]
        )
        return f"{user}@{domain}"

    def _date_parts(self, year_range=(2019, 2025)):
        return self.r.randint(1, 28), self.r.randint(1, 12), self.r.randint(*year_range)

    def DATE(self, year_range=(2019, 2025)) -> str:
        d, m, y = self._date_parts(year_range)
        suffix = "th" if 11 <= d <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(d % 10, "th")
        month = MONTHS[m - 1]
        return self.pick(
            [
                f"{d:02d}/{m:02d}/{y}",
                f"{d}/{m}/{y}",
                f"{d:02d}.{m:02d}.{y % 100:02d}",
                f"{d:02d}-{m:02d}-{y}",
                f"{y}-{m:02d}-{d:02d}",
                f"{d}{suffix} {month} {y}",
                f"{d} {month} {y}",
                f"{month} {d}, {y}",
                f"{d} {month[:3]} {y}",
                f"{self.pick(WEEKDAYS)} {d}{suffix} {month}",
                f"{d}{suffix} of {month} {y}",
                f"{self.pick(WEEKDAYS)} {d}{suffix}",
                f"{d:02d}/{m:02d}/{y % 100:02d}",
                f"{month} {d}{suffix}",
            ]
        )

    def DOB(self) -> str:
        return self.DATE(year_range=(1945, 2010))

    def CRIME_REF(self) -> str:
        y = self.r.randint(19, 25)
        return self.pick(
            [
                f"20/{self.digits(6)}/{y}",
                f"43/{self.digits(5)}/{y}",
                f"CRI-20{y}-{self.digits(6)}",
                f"{self.r.randint(20, 99)}{self.letters(2)}{self.digits(5)}{y}",
                f"{self.r.randint(20, 99)} {self.letters(2)} {self.digits(5)} {y}",
                f"{self.digits(7)}/{y}",
                f"NFRC{y}0{self.digits(9)}",
                self._log_number(y),
                f"OB/{self.digits(5)}/{y}",
                f"{self.r.randint(10, 99)}/{self.digits(6)}/{y}",
            ]
        )

    def _log_number(self, year: int) -> str:
        day, month = self.r.randint(1, 28), self.r.randint(1, 12)
        return f"log {self.r.randint(1, 4999)} of {day:02d}/{month:02d}/20{year}"

    def NI_NUMBER(self) -> str:
        first = self.pick("ABCEGHJKLMNOPRSTWXYZ")
        second = self.pick("ABCEGHJKLMNPRSTWXYZ")
        if first + second in {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}:
            first, second = "A", "B"
        d = self.digits(6)
        suffix = self.pick("ABCD")
        return self.pick(
            [
                f"{first}{second}{d}{suffix}",
                f"{first}{second} {d[:2]} {d[2:4]} {d[4:]} {suffix}",
                f"{first}{second} {d} {suffix}",
            ]
        )

    def NHS_NUMBER(self) -> str:
        while True:
            body = str(self.r.randint(4, 7)) + self.digits(8)
            total = sum(int(c) * w for c, w in zip(body, range(10, 1, -1), strict=True))
            check = (11 - total % 11) % 11
            if check != 10:
                break
        n = body + str(check)
        return self.pick([f"{n[:3]} {n[3:6]} {n[6:]}", n, f"{n[:3]}-{n[3:6]}-{n[6:]}"])

    def VEHICLE_REG(self) -> str:
        pool = "ABCDEFGHJKLMNOPRSTUVWXY"
        year_letters = "ABCDEFGHJKLMNPRSTVWXY"
        return self.pick(
            [
                f"{self.letters(2, pool)}{self.r.randint(10, 74)} {self.letters(3, pool)}",
                f"{self.letters(2, pool)}{self.r.randint(10, 74)}{self.letters(3, pool)}",
                f"{self.pick(year_letters)}{self.r.randint(1, 999)} {self.letters(3, pool)}",
                f"{self.letters(3, pool)} {self.r.randint(1, 999)}{self.pick(year_letters)}",
            ]
        )

    def SOCIAL_HANDLE(self) -> str:
        base = self.pick(GIVEN).lower() + self.pick(["_", ".", ""]) + self.digits(2)
        return "@" + base.encode("ascii", "ignore").decode().replace("-", "")

    def URL(self) -> str:
        handle = self.pick(GIVEN).lower() + "." + self.pick(SURNAMES).lower() + self.digits(2)
        handle = handle.encode("ascii", "ignore").decode().replace("'", "")
        return self.pick(
            [
                f"https://www.facebook.com/{handle}",
                f"facebook.com/{handle}",
                f"https://www.instagram.com/{handle.replace('.', '_')}/",
                f"https://www.tiktok.com/@{handle.replace('.', '_')}",
                f"x.com/{handle.replace('.', '')}",
                f"https://twitter.com/{handle.replace('.', '_')}",
                f"https://www.linkedin.com/in/{handle.replace('.', '-')}",
                f"https://www.youtube.com/@{handle.replace('.', '')}",
                f"https://www.facebook.com/profile.php?id=1000{self.digits(11)}",
            ]
        )

    def IP_ADDRESS(self) -> str:
        if self.r.random() < 0.25:
            return f"2001:db8:{self.r.randint(0, 65535):x}::{self.r.randint(1, 65535):x}"
        return ".".join(str(self.r.randint(1, 254)) for _ in range(4))


# Sentences with personal data. {KIND} slots are labelled; {town}, {npu}, {org}, {month} are not.
PII_SENTENCES = [
    "On {DATE} at about 14:30 the victim, {NAME}, was abused outside a takeaway in {town}.",
    "{NAME} reported that {NAME} shouted racist abuse and told her to go back to her own country.",
    "The victim, {NAME} (DOB {DOB}), lives at {ADDRESS}, {town} {POSTCODE}.",
    "{NAME} (date of birth {DOB}) was arrested on {DATE} and interviewed under caution.",
    "The officer in the case, {NAME}, recorded the incident under crime number {CRIME_REF}.",
    "The suspect was identified from CCTV as {NAME}, who was born on {DOB}.",
    "Contact number for the victim: {PHONE}; e-mail {EMAIL}.",
    "The victim's mother, {NAME}, called on {PHONE} to say that the abuse had started again.",
    "Messages were sent from the account {SOCIAL_HANDLE} calling the victim a 'dirty Paki'.",
    "The posts were shared from {URL} and reported to {org} on {DATE}.",
    "Investigators traced the IP address {IP_ADDRESS} to the suspect's home at {ADDRESS}.",
    "The suspect's National Insurance number {NI_NUMBER} was confirmed by DWP.",
    "The victim's NHS number is {NHS_NUMBER}; her GP confirmed the injuries.",
    "The suspect drove off in a black Audi, registration {VEHICLE_REG}, towards {town}.",
    "A grey van {VEHICLE_REG} was seen outside {ADDRESS} on {DATE}.",
    "The file was sent to the CPS under URN {CRIME_REF} and charged as a s.4A offence.",
    "Crime reference {CRIME_REF} was filed with outcome 15 on {DATE}.",
    "{NAME} spat at the victim and called him a 'faggot' on the bus near {ADDRESS}.",
    "The victim, a transgender woman named {NAME}, was followed home to {ADDRESS}, {POSTCODE}.",
    "{NAME} told officers that {NAME} had been posting antisemitic abuse as {SOCIAL_HANDLE}.",
    "A statement was taken from the witness, {NAME}, on {DATE}.",
    "{NAME}, a wheelchair user, was mocked and pushed by {NAME} at the bus stop.",
    "The incident was logged as {CRIME_REF} and the victim was referred to {org}.",
    "{NAME}'s partner {NAME} heard the suspect shout anti-Muslim abuse through the letterbox.",
    "On {DATE} the suspect, {NAME} of {ADDRESS}, was charged with racially aggravated harassment.",
    "The victim can be reached on {PHONE} or at {EMAIL}.",
    "Further abuse was posted at {URL} after the hearing on {DATE}.",
    "The suspect, {NAME} (DOB: {DOB}), NI {NI_NUMBER}, was bailed to {ADDRESS}.",
    "{NAME} attended {ADDRESS} and took a statement from {NAME}.",
    "The hate crime coordinator, {NAME}, emailed the victim at {EMAIL} on {DATE}.",
    "The abuse was traced to a router at {IP_ADDRESS} registered to {NAME}.",
    "{NAME} said the neighbour, {NAME}, had painted a swastika on her door at {ADDRESS}.",
    "The victim's vehicle {VEHICLE_REG} was damaged with homophobic graffiti on {DATE}.",
    "{NAME} was seen on the doorbell camera at {ADDRESS}, {POSTCODE}.",
    "Mosque staff passed the number {PHONE} to police, and {NAME} was arrested on {DATE}.",
    "The victim's son {NAME} received threats on Instagram from {SOCIAL_HANDLE}.",
    "Her NHS number {NHS_NUMBER} was used to request the hospital records.",
]

# Sentences with no personal data, full of look-alikes.
CLEAN_SENTENCES = [
    "The case was finalised in {month} {year} and reviewed by the Independent Scrutiny Panel.",
    "The suspect was charged under the Crime and Disorder Act 1998 s.31 (racially aggravated).",
    "Public Order Act 1986 s.4A was considered but the CPS advised s.5 instead.",
    "The court applied the uplift under the Sentencing Act 2020 s.66 and stated it in open court.",
    "Malicious Communications Act 1988 s.1 and Communications Act 2003 s.127 were considered.",
    "The case was filed with outcome 15 (OC15) after the victim withdrew support.",
    "Outcome 16 was recorded; the panel felt OC1 or OC8 would have been proportionate.",
    "The victim, aged 25-34, reported the incident by calling 101; a second call was made on 999.",
    "Suspect 1 and Suspect 2 were interviewed; Witness A gave a statement but Witness B declined.",
    "V1 was referred to {org} and S2 received a community resolution.",
    "The incident happened in {town} at about 22:15 and officers attended within 20 minutes.",
    "The suspect, in his 40s, was fined £250 and ordered to pay £100 compensation.",
    "{npu} and {org} agreed a joint intervention with {org}.",
    "The panel noted that THRIVE+ was not completed and the hate crime flag was missing.",
    "The District Crown Prosecutor chaired the meeting in {month} {year}; 6 cases were reviewed.",
    "The officer in the case did not record the victim's wishes, an area for improvement.",
    "An Inspector authorised the no further action decision after 3 weeks.",
    "The victim was kept informed under the Victims' Code and offered support by {org}.",
    "Four of the 12 cases reviewed in Q3 2024/25 involved disability hate crime.",
    "The offence was recorded as violence without injury with a religion or belief strand.",
    "A Community Impact Statement was read at {town} Magistrates' Court.",
    "The victim works 24/7 shifts at a care home in {town} and is in her 50s.",
    "Transgender identity and sexual orientation strands were both flagged.",
    "The suspect was released under investigation for 28 days, then for a further 3 months.",
    "The CPS reviewed the file in {month} {year} under the Code for Crown Prosecutors, para 4.14.",
    "The neighbour dispute was referred to mediation by {org} in {month}.",
    "Bystander intervention training was delivered in {town} to 35 people.",
    "Restorative justice was offered through the commissioned provider; the victim declined.",
    "The victim reported via True Vision and the True Vision report was passed to {npu}.",
    "A conditional caution was given with a course on the impact of hate crime.",
    "The suspect pleaded guilty at the first hearing and received 12 weeks' custody, suspended.",
    "Between 2019 and 2024 the number of recorded religious hate crimes in {town} rose by 18%.",
    "The panel recommended refresher training for all PCSOs on the hate crime app.",
    "The victim's first language is Tigrinya, so an interpreter was booked for the VPS.",
    "The victim, a Sikh man in his 60s, was called a 'terrorist' outside the gurdwara.",
    "The suspect sent 14 messages over 3 days via WhatsApp; screenshots were exhibited.",
    "Special measures under the Youth Justice and Criminal Evidence Act 1999 s.23 were granted.",
    "The chair noted that 2 of the 5 cases had no supervisory review within 7 days.",
    "Graffiti reading 'No Poles' was found on a bus shelter in {town}.",
    "A Jewish family reported antisemitic leaflets posted through doors in {town}.",
    "{org} provided BSL support and the victim gave evidence by live link.",
    "The panel reviewed 4 cases from {npu} at its meeting in {month} {year}.",
    "Officers searched the area around the Ring Road and the High Street for the suspect.",
    "Victim Support made contact within 48 hours; the victim rated the service 4 out of 5.",
    "The investigation plan was reviewed by a Detective Sergeant after 72 hours.",
    "The Equality Act 2010 and Protection from Harassment Act 1997 s.2 were discussed.",
    "The case took 9 months from report to sentence, in line with the national average.",
    "Hope Not Hate and the Anne Frank Trust ran a school assembly in {town}.",
    "The victim attended Walsgrave Hospital and University Hospital Coventry for treatment.",
    "Prophet Muhammad cartoons were posted on a community noticeboard in {town}.",
]


def _fill(gen: Gen, template: str, year_choices=range(2019, 2026)) -> list[tuple[str, str | None]]:
    """Split a template into (text, kind) pieces, generating each slot."""
    pieces: list[tuple[str, str | None]] = []
    for part in re.split(r"(\{[A-Za-z_]+\})", template):
        if not (part.startswith("{") and part.endswith("}")):
            if part:
                pieces.append((part, None))
            continue
        slot = part[1:-1]
        if slot == "town":
            pieces.append((gen.pick(TOWNS), None))
        elif slot == "npu":
            pieces.append((gen.pick(NPUS), None))
        elif slot == "org":
            pieces.append((gen.pick(ORGS), None))
        elif slot == "month":
            pieces.append((gen.pick(MONTHS), None))
        elif slot == "year":
            pieces.append((str(gen.pick(list(year_choices))), None))
        elif slot.islower():
            # Look-alikes the guard must leave alone, such as Panel's own references.
            pieces.append((getattr(gen, slot)(), None))
        else:
            pieces.append((getattr(gen, slot)(), SLOT_KINDS.get(slot, slot)))
    return pieces


def _compose(pieces: list[tuple[str, str | None]]) -> tuple[str, list[dict]]:
    text, spans = "", []
    for piece, kind in pieces:
        if kind:
            spans.append({"start": len(text), "end": len(text) + len(piece), "kind": kind})
        text += piece
    return text, spans


def _narrative(
    gen: Gen,
    with_pii: bool,
    target: int = 600,
    pii_sentences: list[str] = PII_SENTENCES,
    clean_sentences: list[str] = CLEAN_SENTENCES,
) -> list[tuple[str, str | None]]:
    pieces: list[tuple[str, str | None]] = []
    length = 0
    sentences = pii_sentences if with_pii else clean_sentences
    first = True
    while length < target:
        pool = sentences if (first or gen.r.random() < 0.55) else clean_sentences
        sentence = _fill(gen, gen.pick(pool))
        if not first:
            sentence.insert(0, (" ", None))
        pieces.extend(sentence)
        length += sum(len(p) for p, _ in sentence)
        first = False
    return pieces


def generate(n_pii: int = 170, n_clean: int = 60) -> list[dict]:
    gen = Gen(random.Random(SEED))
    records = []
    for i in range(n_pii + n_clean):
        with_pii = i < n_pii
        text, spans = _compose(_narrative(gen, with_pii))
        records.append({"id": f"gen-{i:03d}", "text": text, "spans": spans})
    gen.r.shuffle(records)
    return records


# --- The second round: the patterns of issue 19 ---------------------------------------------------

# Surnames no list holds, so that a later mention ("Quelch shouted") is found only because the full
# name came first. All invented, as is every value below.
UNLISTED_SURNAMES = _words(
    """Quelch Trask Pellow Dunmore Hatchard Ostler Mabbott Cawley Tulk Fensome Ruddock Pinnegar
Venning Scarrott Blewitt Gummow Penberthy Thwaite"""
)
LISTED_GIVEN = _words(
    """Aisha Liam Chloe Sean Marek Tariq Priya Gareth Keisha Tomasz Niamh Kwame Farhan Zofia Darren
Jodie Yusuf Elena"""
)
NICKNAMES = [
    "Tank",
    "Skinz",
    "Little T",
    "Bones",
    "Dozer",
    "Smokey",
    "Bigz",
    "Kilo",
    "Razor",
    "Tiny",
    "Shadow",
    "Chopper",
    "Junior K",
    "Lil Dee",
    "Ghost",
]
# Names with letters outside ASCII, by language, so that given name and surname go together.
FOREIGN_NAMES = [
    (
        _words("Ștefan Mădălina Ionuț Florin Cătălina Gheorghe Răzvan Ioana"),
        _words("Bălan Țurcanu Șerban Brătianu Mureșan Stănescu Tănase Dumitrașcu"),
    ),
    (
        _words("João Gonçalo Conceição Inês Sebastião Luís Ângela"),
        _words("Gonçalves Simões Magalhães Conceição Antunes Patrício Brandão"),
    ),
    (
        _words("Łukasz Wojciech Małgorzata Grzegorz Żaneta Jędrzej Bożena Paweł"),
        _words("Błaszczyk Wójcik Łukaszewicz Żak Dąbrowski Kołodziej Wróbel Jabłońska"),
    ),
    (
        _words("Ayşe Çağlar Gökhan Şükrü Özlem İbrahim Ümit Gülşen"),
        _words("Yılmaz Öztürk Şahin Çelik Doğan Güneş Aydın Koç"),
    ),
]
# Given names and surnames that are also ordinary words.
WORD_GIVEN = _words("Rose Faith Hope Grace Summer Joy Dawn Amber Will Mark Frank Bill")
WORD_SURNAMES = _words("Green Hall Baker Mills Wood King Hill Young Brown White")
FOREIGN_PLACES = ["Kraków", "Gdańsk", "Łódź", "Timișoara", "Iași", "São Paulo", "İzmir", "Malmö"]
SLOT_KINDS = {
    "PERSON": "NAME",
    "SURNAME_AGAIN": "NAME",
    "GIVEN_AGAIN": "NAME",
    "NICKNAME": "NAME",
    "NICKNAME_AGAIN": "NAME",
    "FOREIGN_NAME": "NAME",
    "FOREIGN_GIVEN": "NAME",
    "WORD_NAME": "NAME",
    "WORD_GIVEN": "NAME",
    "PARTNER_REF": "CRIME_REF",
}


class PatternGen(Gen):
    """Values in the formats of the second round; a person or a nickname is remembered so that a
    later slot can mention it again."""

    def __init__(self, rng: random.Random) -> None:
        super().__init__(rng)
        self.person = ("Aisha", "Quelch")
        self.nickname = "Tank"

    def CRIME_REF(self) -> str:
        y = self.r.randint(19, 25)
        force, area = self.r.randint(10, 99), self.letters(2)
        serial, check = self.digits(6), self.letters(1)
        day, month = self.r.randint(1, 28), self.r.randint(1, 12)
        log = f"{self.r.randint(1, 4999):04d}"
        return self.pick(
            [
                f"{force}{area}/{serial}{check}/{y}",
                f"{force}{area}/{serial}{check}/{y}",
                f"{force}{area}/{serial}{check}/{y}".lower(),
                f"{force} {area} / {serial}{check} / {y}",
                f"Log {log}-{day:02d}{month:02d}20{y}",
                f"log {log}-{day:02d}{month:02d}20{y}",
                f"incident {log}/{day:02d}{month:02d}20{y}",
                f"CAD {int(log)} {day:02d}{month:02d}{y}",
                f"{log}-{day:02d}{month:02d}20{y}",
            ]
        )

    def PARTNER_REF(self) -> str:
        y = self.r.randint(19, 25)
        return self.pick(
            [
                f"TM{y}-{self.digits(5)}",
                f"HSG20{y}/{self.digits(5)}",
                f"ASB/20{y}/{self.digits(4)}",
                f"MASH{y}-{self.digits(4)}",
                f"CST-20{y}-{self.digits(4)}",
            ]
        )

    def VEHICLE_REG(self) -> str:
        pool = "ABCDEFGHJKLMNOPRSTUVWXY"
        mark = f"{self.letters(2, pool)}{self.r.randint(10, 74)}"
        tail = self.letters(3, pool)
        prefix = f"{self.pick('ABCDEFGHJKLMNPRSTVWXY')}{self.r.randint(10, 999)}"
        return self.pick(
            [
                f"{mark} {tail}".lower(),
                f"{mark}{tail}".lower(),
                f"{mark[:2]} {mark[2:]} {tail}",
                f"{mark}  {tail}",
                f"{prefix}  {tail}",
                f"{prefix}{tail}".lower(),
            ]
        )

    def NI_NUMBER(self) -> str:
        first = self.pick("ABCEGHJKLMNOPRSTWXYZ")
        second = self.pick("ABCEGHJKLMNPRSTWXYZ")
        if first + second in {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}:
            first, second = "J", "K"
        d, suffix = self.digits(6), self.pick("ABCD")
        return self.pick(
            [
                f"{first}{second}{d}{suffix}".lower(),
                f"{first}{second} {d[:2]} {d[2:4]} {d[4:]} {suffix}".lower(),
                f"{first}{second} {d[:4]} {d[4:]}{suffix}",
                f"{first}{second}-{d[:2]}-{d[2:4]}-{d[4:]}-{suffix}",
                f"{first} {second} {d} {suffix}",
            ]
        )

    def PERSON(self) -> str:
        self.person = (self.pick(LISTED_GIVEN), self.pick(UNLISTED_SURNAMES))
        return " ".join(self.person)

    def SURNAME_AGAIN(self) -> str:
        return self.person[1]

    def GIVEN_AGAIN(self) -> str:
        return self.person[0]

    def NICKNAME(self) -> str:
        self.nickname = self.pick(NICKNAMES)
        return self.nickname

    def NICKNAME_AGAIN(self) -> str:
        return self.nickname

    def FOREIGN_NAME(self) -> str:
        given, surnames = self.pick(FOREIGN_NAMES)
        return f"{self.pick(given)} {self.pick(surnames)}"

    def FOREIGN_GIVEN(self) -> str:
        return self.pick(self.pick(FOREIGN_NAMES)[0])

    def WORD_NAME(self) -> str:
        return f"{self.pick(WORD_GIVEN)} {self.pick(WORD_SURNAMES)}"

    def WORD_GIVEN(self) -> str:
        return self.pick(WORD_GIVEN)

    def own_ref(self) -> str:
        if self.r.random() < 0.5:
            return f"ISP-20{self.r.randint(20, 26)}-{self.r.randint(1, 999):03d}"
        return f"CHCP-20{self.r.randint(20, 26)}-{self.r.randint(1, 2400):03d}"

    def foreign_place(self) -> str:
        return self.pick(FOREIGN_PLACES)


PATTERN_PII_SENTENCES = [
    "The incident was recorded as {CRIME_REF} and passed to {org}.",
    "Control opened {CRIME_REF} when the first call came in at 22:40.",
    "Officers linked the report to {CRIME_REF} from the previous month.",
    "{org} holds the matter under its own reference {PARTNER_REF}.",
    "The housing officer quoted case {PARTNER_REF} in her email to the panel.",
    "A car, {VEHICLE_REG}, was seen driving slowly past the house twice.",
    "The witness wrote down the plate as {VEHICLE_REG} before the car drove off.",
    "DWP confirmed NI number {NI_NUMBER} for the suspect.",
    "The suspect's details, {NI_NUMBER}, were checked against the benefit claim.",
    "{PERSON}, DOB {DOB}, approached the victim at the counter. {SURNAME_AGAIN} shouted that she "
    "should go back home.",
    "The victim, {PERSON}, was followed from the bus stop; {GIVEN_AGAIN} ran into a shop for help.",
    "The suspect was later named as {PERSON}. Officers arrested {SURNAME_AGAIN} at home in {town}.",
    "The man, known on site as '{NICKNAME}', threatened the staff. {NICKNAME_AGAIN} came back "
    "the next day with two friends.",
    "Two youths, known by their street names, '{NICKNAME}' and '{NICKNAME}', were identified "
    "from CCTV.",
    'The suspect, nicknamed "{NICKNAME}", posted the video on a group chat.',
    "The victim, {FOREIGN_NAME}, was called 'scum' at the bus stop in {town}.",
    "{FOREIGN_NAME} said the neighbour had shouted abuse about her accent.",
    "{FOREIGN_GIVEN} said the men had mocked the way he spoke.",
    "{WORD_NAME} reported that the suspect spat at her outside the shop.",
    "{WORD_NAME} said she no longer felt safe walking to work.",
    "Her son {WORD_GIVEN} was pushed off his bike by two youths.",
]
PATTERN_CLEAN_SENTENCES = [
    "The panel reviewed {own_ref} alongside {own_ref} at its meeting in {month} {year}.",
    "Actions from {own_ref} were carried over; {own_ref} was closed.",
    "V1 and S2 were spoken to separately; V1 gave a statement 12 days later.",
    "The registration of the hate crime flag was 12 days late.",
    "The suspect called the victim 'Terrorist' and 'Scum' in the street.",
    "The family moved from {foreign_place} to {town} in {year}.",
    "There were 1187 incidents logged in 2024 and 3310 in 2025 across {npu}.",
    "The CAD was closed at 23:15 with 2 officers deployed from {npu}.",
    "The scheme, known locally as 'Safe Spaces', ran in {town} until {month} {year}.",
    "The hope is that the new app reduces the grace period for updating the flag.",
    "Windrush Day and Black History Month events were held in {town} in {month}.",
    "The ASB team and housing officers met on the 4th floor of the council offices.",
    "The victim, who is Polish, was abused for speaking Romanian to a friend.",
    "Turkish and Portuguese interpreters were booked through {org}.",
]


def generate_patterns(n_pii: int = 120, n_clean: int = 40) -> list[dict]:
    gen = PatternGen(random.Random(SEED + 19))
    records = []
    for i in range(n_pii + n_clean):
        pieces = _narrative(
            gen,
            i < n_pii,
            pii_sentences=PATTERN_PII_SENTENCES,
            clean_sentences=CLEAN_SENTENCES + PATTERN_CLEAN_SENTENCES,
        )
        text, spans = _compose(pieces)
        records.append({"id": f"pat-{i:03d}", "text": text, "spans": spans})
    gen.r.shuffle(records)
    return records


_MARKUP = re.compile(r"\[\[([A-Z_]+):(.+?)\]\]")


def parse_markup(line: str) -> tuple[str, list[dict]]:
    """Turn ``[[KIND:text]]`` markup into plain text and exact spans."""
    pieces: list[tuple[str, str | None]] = []
    position = 0
    for m in _MARKUP.finditer(line):
        pieces.append((line[position : m.start()], None))
        pieces.append((m.group(2), m.group(1)))
        position = m.end()
    pieces.append((line[position:], None))
    return _compose([p for p in pieces if p[0]])


def handwritten() -> list[dict]:
    records = []
    source = (CORPUS / "handwritten.txt").read_text(encoding="utf-8")
    lines = [line for line in source.splitlines() if line and not line.startswith("#")]
    for number, line in enumerate(lines):
        text, spans = parse_markup(line)
        records.append({"id": f"hand-{number + 1:02d}", "text": text, "spans": spans})
    return records


def write(path: Path, records: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    write(CORPUS / "generated.jsonl", generate())
    write(CORPUS / "patterns.jsonl", generate_patterns())
    write(CORPUS / "handwritten.jsonl", handwritten())
