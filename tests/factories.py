"""Small factories: responses with known answers, made through the same services the pages use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from survey.models import QuestionnaireVersion, Response
from survey.participate import services


def make_response(
    db,
    version: QuestionnaireVersion,
    answers: dict[str, object],
    *,
    complete: bool = True,
    language: str = "en",
    started: datetime = datetime(2026, 11, 2, 9, 30, tzinfo=UTC),
    minutes: float = 12.5,
    reached: int | None = None,
) -> Response:
    by_name = {q.name: q for q in version.questions}
    response, _code = services.start_response(db.session, version, language, {}, "test-secret")
    services.save_answers(db.session, response, {by_name[k]: v for k, v in answers.items()})
    response.started_at = response.consented_at = started
    response.current_position = reached or version.pages[-1].position
    if complete:
        services.complete(response)
        response.submitted_at = started + timedelta(minutes=minutes)
    db.session.commit()
    return response
