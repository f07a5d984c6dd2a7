"""Drafts and publishing. Edits happen on a draft copy; a published version never changes.

Publishing retires the version new participants were getting: responses already started on it
finish on it, and every response keeps the version it was answered on.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from survey import audit
from survey.editor.diff import Change, changes_between
from survey.models import (
    DbSession,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    ResponseStatus,
    User,
    VersionStatus,
    utcnow,
)
from survey.questionnaire.loader import build_version, definition_of
from survey.questionnaire.rules import (
    DraftRefused,
    check_draft,
    history,
    publishing_problems,
    reload_in_order,
)


def published(questionnaire: Questionnaire) -> QuestionnaireVersion | None:
    """The version new participants get."""
    return next(
        (v for v in reversed(questionnaire.versions) if v.status == VersionStatus.PUBLISHED), None
    )


def draft_of(questionnaire: Questionnaire) -> QuestionnaireVersion | None:
    return next((v for v in questionnaire.versions if v.status == VersionStatus.DRAFT), None)


def _next_number(session: DbSession, questionnaire: Questionnaire) -> int:
    highest = session.scalar(
        select(func.max(QuestionnaireVersion.number)).where(
            QuestionnaireVersion.questionnaire_id == questionnaire.id
        )
    )
    return (highest or 0) + 1


def _add_draft(
    session: DbSession, questionnaire: Questionnaire, definition: dict[str, Any]
) -> QuestionnaireVersion:
    draft = build_version(definition, number=_next_number(session, questionnaire))
    draft.status = VersionStatus.DRAFT
    questionnaire.versions.append(draft)
    session.flush()
    return draft


def _delete(session: DbSession, questionnaire: Questionnaire, draft: QuestionnaireVersion) -> None:
    """Delete a draft (drafts never have responses) with its pages, questions and lists."""
    session.delete(draft)
    session.flush()
    session.expire(questionnaire, ["versions"])


def open_draft(
    session: DbSession, questionnaire: Questionnaire, user: User
) -> QuestionnaireVersion:
    """The questionnaire's draft, made as a copy of the published version if there is none."""
    if (draft := draft_of(questionnaire)) is not None:
        return draft
    source = published(questionnaire)
    if source is None:
        raise LookupError("there is no published version to copy")
    draft = _add_draft(session, questionnaire, definition_of(source))
    audit.record(
        session, "questionnaire.draft", user, target=questionnaire.slug, copy_of=source.number
    )
    return draft


def discard_draft(session: DbSession, questionnaire: Questionnaire, user: User) -> None:
    if (draft := draft_of(questionnaire)) is None:
        return
    _delete(session, questionnaire, draft)
    audit.record(session, "questionnaire.discard", user, target=questionnaire.slug)


def replace_draft(
    session: DbSession, questionnaire: Questionnaire, definition: dict[str, Any]
) -> QuestionnaireVersion:
    """Make an imported definition the draft (replacing any draft) or raise DraftRefused.
    The caller rolls back on refusal."""
    if (old := draft_of(questionnaire)) is not None:
        _delete(session, questionnaire, old)
    draft = _add_draft(session, questionnaire, definition)
    check_draft(session, draft)
    return draft


def pending_changes(session: DbSession, questionnaire: Questionnaire) -> list[Change]:
    """What publishing the draft would change, with the responses each change touches."""
    reload_in_order(session)
    draft = draft_of(questionnaire)
    if draft is None:
        raise LookupError("there is no draft to compare")
    current = published(questionnaire)
    return changes_between(
        definition_of(current) if current else None,
        definition_of(draft),
        history(session, draft).responses,
    )


def in_progress_on(session: DbSession, version: QuestionnaireVersion | None) -> int:
    if version is None:
        return 0
    return session.execute(
        select(func.count())
        .select_from(Response)
        .where(Response.version_id == version.id, Response.status == ResponseStatus.IN_PROGRESS)
    ).scalar_one()


def publish(
    session: DbSession, questionnaire: Questionnaire, user: User | None, follow_up: bool = False
) -> QuestionnaireVersion:
    """Publish the draft (after checking it once more) and retire the version it replaces.
    `follow_up`: the follow-up wave's questionnaire (see rules.publishing_problems)."""
    session.execute(  # one publisher at a time: the others wait here, then see no draft
        select(Questionnaire.id).where(Questionnaire.id == questionnaire.id).with_for_update()
    )
    session.refresh(questionnaire)
    draft = draft_of(questionnaire)
    if draft is None:
        raise LookupError("there is no draft to publish")
    if problems := publishing_problems(session, draft, follow_up):
        raise DraftRefused(problems)
    changes = pending_changes(session, questionnaire)
    previous = published(questionnaire)
    if previous is not None:
        previous.status = VersionStatus.RETIRED
    draft.status = VersionStatus.PUBLISHED
    draft.published_at = utcnow()
    session.flush()
    audit.record(
        session,
        "questionnaire.publish",
        user,
        target=questionnaire.slug,
        version=draft.number,
        replaces=previous.number if previous else None,
        changes=[str(change) for change in changes],
    )
    return draft
