"""The local panels' vocabularies (domain.md, "Interventions seen on local panels"): risk, the
victim's needs in coarse categories, why a case closed, the outcome for the victim, and the
intervention types each panel starts with."""

from __future__ import annotations

from panel.core.database import LabelledEnum, tag_colours


class RiskLevel(LabelledEnum):
    HIGH = ("high", "High")
    MEDIUM = ("medium", "Medium")
    STANDARD = ("standard", "Standard")

    TAG_COLOURS = tag_colours(HIGH="red", MEDIUM="orange", STANDARD="grey")


class VictimNeed(LabelledEnum):
    HOUSING = ("housing", "Housing")
    EMPLOYMENT = ("employment", "Employment")
    HEALTH_DISABILITY = ("health_disability", "Health or disability")
    SAFETY = ("safety", "Safety")
    EMOTIONAL_SUPPORT = ("emotional_support", "Emotional support")
    COMMUNITY = ("community", "Community")


class LiveCaseStatus(LabelledEnum):
    OPEN = ("open", "Open")
    UNDER_REVIEW = ("under_review", "Under review")
    CLOSED = ("closed", "Closed")

    TAG_COLOURS = tag_colours(OPEN="blue", UNDER_REVIEW="yellow", CLOSED="grey")


class ClosureReason(LabelledEnum):
    RESOLVED = ("resolved", "Resolved: the risk has reduced")
    VICTIM_DECLINED = ("victim_declined", "The victim no longer wants support")
    MOVED_AWAY = ("moved_away", "The victim moved out of the area")
    REFERRED_ON = ("referred_on", "Referred to another service or panel")
    NO_FURTHER_ACTION = ("no_further_action", "Nothing more the panel can do")


class VictimOutcome(LabelledEnum):
    """What the panel's work achieved for the victim, coarse enough to report on."""

    NEEDS_MET = ("needs_met", "The victim’s needs were met")
    PARTLY_MET = ("partly_met", "Some of the victim’s needs were met")
    NOT_MET = ("not_met", "The victim’s needs were not met")
    NOT_KNOWN = ("not_known", "Not known")


class InterventionStatus(LabelledEnum):
    AGREED = ("agreed", "Agreed")
    IN_PROGRESS = ("in_progress", "In progress")
    COMPLETED = ("completed", "Completed")
    NOT_COMPLETED = ("not_completed", "Not completed")
    CANCELLED = ("cancelled", "Cancelled")

    TAG_COLOURS = tag_colours(
        AGREED="blue",
        IN_PROGRESS="light-blue",
        COMPLETED="green",
        NOT_COMPLETED="orange",
        CANCELLED="grey",
    )


# Still to be done: these appear under matters arising, in reminders and in a partner's list.
OPEN_INTERVENTION = frozenset({InterventionStatus.AGREED, InterventionStatus.IN_PROGRESS})

# The list a local panel starts with; its coordinator can add to it and retire types.
DEFAULT_INTERVENTION_TYPES = (
    "Referral to a support group or specialist service",
    "Employment or work opportunity",
    "Housing action against a perpetrator",
    "Target hardening at the victim’s home",
    "Restorative justice",
    "Alcohol-related violence course",
    "Behaviour change programme for a perpetrator",
    "Community resolution",
    "Reassurance patrols",
    "Mediation in a neighbour dispute",
    "School or community engagement",
    "Bystander intervention training",
    "Public forum",
    "Translation or BSL support",
)
