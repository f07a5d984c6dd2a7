"""The data model. Plain SQLAlchemy 2.0: importable without Flask (exports/ relies on that)."""

from survey.models.base import Base, DbSession, utcnow
from survey.models.export_job import ExportJob, JobStatus
from survey.models.follow_up import (
    ClosedReason,
    FollowUpContact,
    FollowUpSend,
    FollowUpSettings,
    SendWave,
)
from survey.models.invitation import Invitation
from survey.models.questionnaire import (
    Choice,
    ChoiceList,
    Page,
    PageKind,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Score,
    VersionStatus,
)
from survey.models.response import (
    EXCLUSION_REASONS,
    Answer,
    ExclusionReason,
    Response,
    ResponseStatus,
    ToolkitView,
)
from survey.models.study import StudyInformation
from survey.models.user import AuditEvent, Role, User
from survey.questionnaire.storage import AnswerValue
from survey.questionnaire.types import (
    BOUNDED_TYPES,
    CHOICE_TYPES,
    COMPUTED_TYPES,
    NUMBER_TYPES,
    TEXT_TYPES,
    QuestionType,
    decode_answer,
)

__all__ = [
    "BOUNDED_TYPES",
    "CHOICE_TYPES",
    "COMPUTED_TYPES",
    "EXCLUSION_REASONS",
    "NUMBER_TYPES",
    "TEXT_TYPES",
    "Answer",
    "AnswerValue",
    "AuditEvent",
    "Base",
    "Choice",
    "ClosedReason",
    "DbSession",
    "ExclusionReason",
    "ExportJob",
    "FollowUpContact",
    "FollowUpSend",
    "FollowUpSettings",
    "Invitation",
    "JobStatus",
    "Page",
    "PageKind",
    "ChoiceList",
    "Question",
    "QuestionType",
    "Questionnaire",
    "QuestionnaireVersion",
    "Response",
    "ResponseStatus",
    "Role",
    "Score",
    "SendWave",
    "StudyInformation",
    "ToolkitView",
    "User",
    "VersionStatus",
    "decode_answer",
    "utcnow",
]
