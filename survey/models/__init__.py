"""The data model. Plain SQLAlchemy 2.0: importable without Flask (exports/ relies on that)."""

from survey.models.base import Base, utcnow
from survey.models.export_job import ExportJob, JobStatus
from survey.models.invitation import Invitation
from survey.models.questionnaire import (
    CHOICE_TYPES,
    NUMBER_TYPES,
    TEXT_TYPES,
    Choice,
    ChoiceList,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    QuestionType,
    Score,
    Section,
    SectionKind,
    VersionStatus,
)
from survey.models.response import Answer, Response, ResponseStatus, ToolkitView
from survey.models.user import AuditEvent, Role, User

__all__ = [
    "CHOICE_TYPES",
    "NUMBER_TYPES",
    "TEXT_TYPES",
    "Answer",
    "AuditEvent",
    "Base",
    "Choice",
    "ExportJob",
    "Invitation",
    "JobStatus",
    "ChoiceList",
    "Question",
    "QuestionType",
    "Questionnaire",
    "QuestionnaireVersion",
    "Response",
    "ResponseStatus",
    "Role",
    "Score",
    "Section",
    "SectionKind",
    "ToolkitView",
    "User",
    "VersionStatus",
    "utcnow",
]
