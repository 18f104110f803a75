"""The panels' controlled lists (domain.md): kinds of panel, the roles a member holds on one, and
how long a panel may keep case detail."""

from __future__ import annotations

from panel.core.database import LabelledEnum


class PanelKind(LabelledEnum):
    SCRUTINY_PANEL = ("scrutiny_panel", "Independent Scrutiny Panel")
    LOCAL_HATE_CRIME_PANEL = ("local_hate_crime_panel", "Local Hate Crime Panel")
    INDEPENDENT_ADVISORY_GROUP = ("independent_advisory_group", "Independent Advisory Group")


class Role(LabelledEnum):
    """A panel role. What each role may do is decided in `panel.access`, nowhere else."""

    CHAIR = ("chair", "Chair")
    COORDINATOR = ("coordinator", "Coordinator")
    MEMBER = ("member", "Member")
    READER = ("reader", "Reader")


# Retention (domain.md, "Protection and retention"): how many months a panel keeps case detail
# once the panel is done with it; see `panel.core.retention`.
DEFAULT_CASE_REVIEW_RETENTION_MONTHS = 24
DEFAULT_LIVE_CASE_RETENTION_MONTHS = 12
MIN_RETENTION_MONTHS, MAX_RETENTION_MONTHS = 1, 120
