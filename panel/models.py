"""Every model, imported in one place so Alembic and the app always see the whole schema."""

from panel.accounts.links.models import AccountLink
from panel.accounts.models import Organisation, SignInFailures, User
from panel.accounts.passkeys.models import Passkey, PasskeyChallenge
from panel.accounts.two_factor.models import RecoveryCode
from panel.cases.models import (
    AgreementAcceptance,
    CaseReview,
    CaseReviewStrand,
    CaseView,
    ConfidentialityAgreement,
    StageFinding,
)
from panel.cases.pool.models import PoolCase, PoolCaseStrand, PoolDraw, PoolImport
from panel.core.audit import AuditChainHead, AuditEvent, is_trigram_index
from panel.core.outbox import OutboxMessage
from panel.core.reminders import ReminderClaim
from panel.insight.models import AnnualReport, AnnualReportRequest
from panel.interventions.models import (
    Intervention,
    InterventionType,
    InterventionUpdate,
    LiveCase,
    LiveCaseNeed,
    LiveCaseStrand,
)
from panel.lessons.models import (
    Lesson,
    LessonStrand,
    Recommendation,
    RecommendationEvent,
)
from panel.lessons.models import include_object as _include_lessons_object
from panel.meetings.models import (
    AgendaItem,
    AgendaTemplateItem,
    Attendance,
    Guest,
    InterestDeclaration,
    Meeting,
    MeetingAction,
    MeetingSeries,
)
from panel.minutes.key_messages.models import KeyMessage, KeyMessagesPublication
from panel.minutes.models import Minutes, MinutesNote, MinutesVersion
from panel.panels.models import GuardOverride, Membership, Panel

__all__ = [
    "AccountLink",
    "AnnualReport",
    "AnnualReportRequest",
    "AgreementAcceptance",
    "CaseReview",
    "CaseReviewStrand",
    "CaseView",
    "ConfidentialityAgreement",
    "StageFinding",
    "AgendaItem",
    "AgendaTemplateItem",
    "Attendance",
    "AuditChainHead",
    "OutboxMessage",
    "AuditEvent",
    "Guest",
    "GuardOverride",
    "InterestDeclaration",
    "Intervention",
    "InterventionType",
    "InterventionUpdate",
    "Lesson",
    "LessonStrand",
    "LiveCase",
    "LiveCaseNeed",
    "LiveCaseStrand",
    "Meeting",
    "MeetingAction",
    "MeetingSeries",
    "Membership",
    "KeyMessage",
    "KeyMessagesPublication",
    "Minutes",
    "MinutesNote",
    "MinutesVersion",
    "Organisation",
    "Panel",
    "Passkey",
    "PasskeyChallenge",
    "PoolCase",
    "PoolCaseStrand",
    "PoolDraw",
    "PoolImport",
    "Recommendation",
    "RecoveryCode",
    "ReminderClaim",
    "RecommendationEvent",
    "SignInFailures",
    "User",
]


def include_object(object_, name, type_, reflected, compare_to) -> bool:
    """Alembic's `include_object` hook: what differs by database is written by hand in the
    migrations and left out of the models, so the comparison (and autogenerate) leaves it alone:
    the lessons' full-text search index and the audit trail's trigram indexes."""
    if type_ == "index" and is_trigram_index(name):
        return False
    return _include_lessons_object(object_, name, type_, reflected, compare_to)
