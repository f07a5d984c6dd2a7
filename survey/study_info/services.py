"""Reading and revising the study's information. A revision is never changed: saving adds the
next one, so a response's consent keeps pointing at exactly what its participant was shown."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select

from survey import audit
from survey.models import DbSession, StudyInformation, User
from survey.questionnaire.study import study_questionnaire
from survey.study_info.defaults import DEFAULT_INFORMATION


def latest_information(session: DbSession, questionnaire_id: int) -> StudyInformation | None:
    return session.scalar(
        select(StudyInformation)
        .where(StudyInformation.questionnaire_id == questionnaire_id)
        .order_by(StudyInformation.number.desc())
        .limit(1)
    )


def shown_information(session: DbSession, questionnaire_id: int) -> StudyInformation:
    """What a participant is shown now: the latest revision, or the defaults (unsaved, so a
    page that only reads changes nothing) before the first one is stored."""
    found = latest_information(session, questionnaire_id)
    if found is not None:
        return found
    return StudyInformation(questionnaire_id=questionnaire_id, number=1, **DEFAULT_INFORMATION)


def information_for_consent(session: DbSession, questionnaire_id: int) -> StudyInformation:
    """The revision a new consent records: the latest, stored first if none is yet."""
    found = latest_information(session, questionnaire_id)
    if found is not None:
        return found
    first = StudyInformation(questionnaire_id=questionnaire_id, number=1, **DEFAULT_INFORMATION)
    session.add(first)
    session.flush()
    return first


def save_information(
    session: DbSession,
    slug: str,
    values: Mapping[str, str],
    by: User,
    ip: str | None = None,
) -> StudyInformation | None:
    """Add a revision with `values` (column name -> text); None when nothing changed. The
    questionnaire's row is locked first so two admins saving at once get two revisions."""
    questionnaire = study_questionnaire(session, slug, lock=True)
    current = shown_information(session, questionnaire.id)
    before = current.contents()
    after = {name: values.get(name, before[name]) or "" for name in before}
    stored = latest_information(session, questionnaire.id)
    if stored is not None and after == before:
        return None
    revision = StudyInformation(
        questionnaire_id=questionnaire.id,
        number=stored.number + 1 if stored else 1,
        created_by=by,
        **after,
    )
    session.add(revision)
    session.flush()
    audit.record(
        session,
        "study.information",
        by,
        target=questionnaire.slug,
        ip=ip,
        revision=revision.number,
        changed={name: after[name] for name in after if after[name] != before[name]},
    )
    return revision
