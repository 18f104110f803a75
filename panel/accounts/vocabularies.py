"""The accounts' controlled lists (domain.md): the kinds of organisation that sit on panels."""

from __future__ import annotations

from panel.core.database import LabelledEnum


class OrganisationKind(LabelledEnum):
    CPS = ("cps", "Crown Prosecution Service")
    POLICE = ("police", "Police")
    COUNCIL = ("council", "Local council")
    HOUSING_PROVIDER = ("housing_provider", "Housing provider")
    VICTIMS_SERVICE = ("victims_service", "Victims' service")
    CHARITY = ("charity", "Charity")
    COMMUNITY_GROUP = ("community_group", "Community or faith group")
    COURT_SERVICE = ("court_service", "Court service")
    HEALTH = ("health", "Health service")
    EDUCATION = ("education", "School or college")
    OTHER = ("other", "Other")
