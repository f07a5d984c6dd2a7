"""The study's questionnaire: the one the QUESTIONNAIRE_SLUG setting names."""

from __future__ import annotations

from sqlalchemy import select

from survey.models import DbSession, Questionnaire


class NoQuestionnaire(LookupError):
    """The database holds no questionnaire yet: `flask setup` has not been run."""


def study_questionnaire(session: DbSession, slug: str, lock: bool = False) -> Questionnaire:
    """The questionnaire. With `lock`, its row is locked first (on PostgreSQL), so edits, starting
    a draft and publishing run one after another and each sees the others' result."""
    query = select(Questionnaire).where(Questionnaire.slug == slug)
    found = session.scalar(query.with_for_update() if lock else query)
    if found is None:
        raise NoQuestionnaire(slug)
    return found
