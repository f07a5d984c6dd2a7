"""The questionnaire as an XLSForm-style workbook, for the web pages and the CLI alike."""

from __future__ import annotations

import io
from typing import BinaryIO

from exports.xlsform import ImportResult, SheetNotice, read_xlsform, write_xlsform
from survey import audit
from survey.editor import versions
from survey.messages import N_, Message
from survey.models import DbSession, Questionnaire, QuestionnaireVersion, User
from survey.questionnaire.loader import definition_of


def spreadsheet_of(version: QuestionnaireVersion) -> bytes:
    out = io.BytesIO()
    write_xlsform(definition_of(version), out)
    return out.getvalue()


def read_spreadsheet(
    source: BinaryIO, skip_unsupported: bool = False, file_name: str | None = None
) -> ImportResult:
    """Read and check a workbook, or raise XLSFormError naming every mistake in it; with
    `skip_unsupported`, what cannot be asked here is dropped with a notice each. It touches
    no database: callers read before their write transaction begins, so a long read never
    holds SQLite's write lock while participants save their pages."""
    return read_xlsform(source, skip_unsupported, file_name)


def import_spreadsheet(
    session: DbSession, questionnaire: Questionnaire, imported: ImportResult, user: User | None
) -> tuple[QuestionnaireVersion, list[SheetNotice]]:
    """Make a workbook read by `read_spreadsheet` the questionnaire's draft. Raises
    DraftRefused (the rules that protect collected answers); the caller rolls back. Returns
    the draft and notices about what was skipped."""
    notices = list(imported.notices)
    if (form_id := imported.definition["slug"]) != questionnaire.slug:
        # A form made elsewhere (KoboToolbox gives each form its own id) still becomes this
        # study's draft, but not without saying so.
        message = Message(
            N_(
                "form_id %(form_id)r is not this study's (%(study)r): the form is imported as "
                "the draft of %(study)r"
            ),
            form_id=form_id,
            study=questionnaire.slug,
        )
        notices.append(SheetNotice("settings", 2, "form_id", message))
    if not any(page["kind"] == "consent" for page in imported.definition["pages"]):
        message = Message(
            N_(
                "the form has no consent page (a group with kind consent): add one to the "
                "draft before publishing, as each participant's response begins there"
            )
        )
        notices.append(SheetNotice("survey", None, "kind", message))
    definition = {**imported.definition, "slug": questionnaire.slug}
    draft = versions.replace_draft(session, questionnaire, definition)
    audit.record(
        session,
        "questionnaire.import",
        user,
        target=questionnaire.slug,
        draft=draft.number,
        questions=len(draft.questions),
        notices=[str(notice) for notice in notices],
    )
    return draft, notices
