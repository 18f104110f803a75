"""The vocabularies of a case review, from ../shared/domain.md: strands, offences, how a case was
reported, coarse victim bands, Home Office outcome types, stages of the criminal justice process
and the ratings a panel gives each stage."""

from __future__ import annotations

from panel.core.database import LabelledEnum, tag_colours


class Strand(LabelledEnum):
    RACE = ("race", "Race (including nationality and ethnicity)")
    RELIGION = ("religion", "Religion or belief")
    SEXUAL_ORIENTATION = ("sexual_orientation", "Sexual orientation")
    DISABILITY = ("disability", "Disability")
    TRANSGENDER = ("transgender", "Transgender identity")
    SEX_OR_GENDER = ("sex_or_gender", "Sex or gender (misogyny)")
    ALTERNATIVE_SUBCULTURE = ("alternative_subculture", "Alternative subculture")
    AGE = ("age", "Age")


class OffenceCategory(LabelledEnum):
    VIOLENCE_WITH_INJURY = ("violence_with_injury", "Violence with injury")
    VIOLENCE_WITHOUT_INJURY = ("violence_without_injury", "Violence without injury")
    PUBLIC_ORDER = ("public_order", "Public order")
    HARASSMENT = ("harassment", "Harassment or stalking")
    MALICIOUS_COMMUNICATIONS = ("malicious_communications", "Malicious communications")
    CRIMINAL_DAMAGE = ("criminal_damage", "Criminal damage (including graffiti)")
    ROBBERY = ("robbery", "Robbery")
    SEXUAL_OFFENCE = ("sexual_offence", "Sexual offence")
    OTHER = ("other", "Other")


class ReportingRoute(LabelledEnum):
    TELEPHONE = ("telephone", "Telephone (999 or 101)")
    FRONT_OFFICE = ("front_office", "Police station front office")
    WEBSITE = ("website", "Force website or LiveChat")
    APP = ("app", "Force hate crime app")
    TRUE_VISION = ("true_vision", "True Vision (national online reporting)")
    TELL_MAMA = ("tell_mama", "Tell MAMA")
    CST = ("cst", "Community Security Trust (CST)")
    THIRD_PARTY_CENTRE = ("third_party_centre", "Third-party reporting centre")
    BSL_VIDEO = ("bsl_video", "British Sign Language video")
    OFFICER_ON_PATROL = ("officer_on_patrol", "Officer on patrol")
    PARTNER_REFERRAL = ("partner_referral", "Partner referral")
    # Extracts of finalised cases do not say; a case review drawn from the pool starts so.
    NOT_KNOWN = ("not_known", "Not known")


class LocationType(LabelledEnum):
    HOME = ("home", "Victim's home or doorstep")
    NEIGHBOURHOOD = ("neighbourhood", "Street or neighbourhood")
    PUBLIC_TRANSPORT = ("public_transport", "Public transport")
    WORKPLACE = ("workplace", "Workplace, shop or business")
    NIGHT_TIME_ECONOMY = ("night_time_economy", "Pub, club or night-time economy")
    SCHOOL = ("school", "School, college or university")
    PLACE_OF_WORSHIP = ("place_of_worship", "Place of worship")
    ONLINE = ("online", "Online or social media")
    OTHER = ("other", "Other")
    # Extracts of finalised cases do not say; a case review drawn from the pool starts so.
    NOT_KNOWN = ("not_known", "Not known")


class AgeBand(LabelledEnum):
    UNDER_18 = ("under_18", "Under 18")
    AGE_18_24 = ("18_24", "18 to 24")
    AGE_25_34 = ("25_34", "25 to 34")
    AGE_35_44 = ("35_44", "35 to 44")
    AGE_45_54 = ("45_54", "45 to 54")
    AGE_55_64 = ("55_64", "55 to 64")
    AGE_65_PLUS = ("65_plus", "65 or over")
    NOT_KNOWN = ("not_known", "Not known")


class Answer(LabelledEnum):
    """A yes or no that the file may not answer."""

    YES = ("yes", "Yes")
    NO = ("no", "No")
    NOT_KNOWN = ("not_known", "Not known")


class UpliftAnswer(LabelledEnum):
    YES = ("yes", "Yes")
    NO = ("no", "No")
    NOT_APPLICABLE = ("not_applicable", "Not applicable (no conviction)")


class OutOfCourtDisposal(LabelledEnum):
    NONE = ("none", "None")
    COMMUNITY_RESOLUTION = ("community_resolution", "Community resolution")
    CONDITIONAL_CAUTION = ("conditional_caution", "Conditional caution")


class Outcome(LabelledEnum):
    """Home Office outcome types; 1 to 10 count as positive outcomes."""

    OC1 = ("1", "1: Charged or summonsed")
    OC1A = ("1A", "1A: Charged or summonsed, alternative offence")
    OC2 = ("2", "2: Caution, youth")
    OC3 = ("3", "3: Caution, adult (including conditional cautions)")
    OC4 = ("4", "4: Taken into consideration")
    OC5 = ("5", "5: Offender died")
    OC6 = ("6", "6: Penalty notice for disorder")
    OC7 = ("7", "7: Cannabis or khat warning")
    OC8 = ("8", "8: Community resolution")
    OC9 = ("9", "9: Prosecution not in the public interest (CPS)")
    OC10 = ("10", "10: Formal action not in the public interest (police)")
    OC11 = ("11", "11: Prosecution prevented, suspect under age")
    OC12 = ("12", "12: Prosecution prevented, suspect too ill")
    OC13 = ("13", "13: Prosecution prevented, victim or key witness dead or too ill")
    OC14 = ("14", "14: Evidential difficulties, suspect not identified, victim does not support")
    OC15 = ("15", "15: Evidential difficulties, suspect identified, victim supports action")
    OC16 = ("16", "16: Evidential difficulties, victim does not support action")
    OC17 = ("17", "17: Time limit expired")
    OC18 = ("18", "18: Investigation complete, no suspect identified")
    OC20 = ("20", "20: Action by another body")
    OC21 = ("21", "21: Further investigation not in the public interest")
    OC22 = ("22", "22: Diversionary, educational or intervention activity")

    @property
    def positive(self) -> bool:
        return self.value.rstrip("A").isdigit() and int(self.value.rstrip("A")) <= 10


class Stage(LabelledEnum):
    REPORT = ("report", "Report and initial response")
    INVESTIGATION = ("investigation", "Investigation")
    CHARGING = ("charging", "Charging decision")
    COURT = ("court", "Case progression and court")
    SENTENCING = ("sentencing", "Sentencing")
    VICTIM_CARE = ("victim_care", "Victim care")
    OUTCOME = ("outcome", "Outcome")


# What the panel looks at in each stage, shown as a hint when recording a finding.
STAGE_PROMPTS = {
    Stage.REPORT: "Call handling, THRIVE+ assessment, attendance, hate crime flag, early evidence, "
    "victim needs assessment, referral to support.",
    Stage.INVESTIGATION: "Investigation plan and lines of enquiry, fast-track actions, suspect's "
    "account, supervision, Inspector's authority for no further action.",
    Stage.CHARGING: "Police or CPS decision, the right (aggravated) offence, hate crime flag on "
    "the file, out-of-court options considered with the victim's wishes.",
    Stage.COURT: "File quality, witness care, special measures, Victim Personal Statement, "
    "Community Impact Statement, plea, trial.",
    Stage.SENTENCING: "Uplift applied and announced in open court, ancillary orders.",
    Stage.VICTIM_CARE: "Kept informed (Victims' Code), language used, support offered, the "
    "victim's wishes and satisfaction.",
    Stage.OUTCOME: "Whether the outcome was proportionate, and the overall view.",
}


class Rating(LabelledEnum):
    GOOD_PRACTICE = ("good_practice", "Good practice")
    SATISFACTORY = ("satisfactory", "Satisfactory")
    AREA_FOR_IMPROVEMENT = ("area_for_improvement", "Area for improvement")
    NOT_ASSESSED = ("not_assessed", "Not assessed")

    TAG_COLOURS = tag_colours(
        GOOD_PRACTICE="green", SATISFACTORY="blue", AREA_FOR_IMPROVEMENT="red", NOT_ASSESSED="grey"
    )


def strand_labels(strands) -> str:
    """E.g. "Race, Religion or belief": in the vocabulary's order, whatever order given."""
    order = list(Strand)
    return ", ".join(strand.label for strand in sorted(strands, key=order.index))


# What the personal-data guard cannot find by rule: details that are not names or numbers but can
# still point to one person in a small place. The check for identifying detail lists them as a
# prompt for the second pair of eyes.
INDIRECT_IDENTIFIERS = (
    "A rare job or role (“the only female imam in the town”, “the village postmaster”)",
    "A small place: a village, a named estate, street, shop, school or place of worship",
    "An exact age or date of birth, rather than an age band",
    "A distinctive event: something reported in the local news, or that only a few people saw",
    "Family relationships that narrow it down (“her twin brother”, “the landlord’s son”)",
    "Dates of events only this person went through, such as a wedding, a move or an operation",
    "A rare combination of facts (nationality, disability, language) that few local people share",
)
