"""Reading the whole upload: every sheet, every mistake, nothing imported when there is one."""

from __future__ import annotations

from os import PathLike, fspath
from pathlib import Path

from exports.xlsform.layout import SHEETS, Source
from exports.xlsform.messages import Findings, ImportResult, SheetError, SheetNotice, XLSFormError
from exports.xlsform.other_sheets import read_choices, read_scores, read_settings
from exports.xlsform.sheets import load_tables, read_default_language, read_sheet
from exports.xlsform.survey_sheet import SurveyReader
from survey.messages import N_, Message


def read_xlsform(
    source: Source, skip_unsupported: bool = False, file_name: str | None = None
) -> ImportResult:
    """Read a workbook (path or binary file) into a definition, or raise XLSFormError listing
    every mistake in it; nothing is imported from an upload with mistakes. With
    `skip_unsupported`, what cannot be asked here is dropped with a notice instead. The file's
    name (a path's own when not given) names a form whose settings do not."""
    findings = Findings(skip_unsupported=skip_unsupported)
    tables = load_tables(source, findings)
    if tables is None:
        raise XLSFormError(findings.errors)
    for title in sorted(tables.keys() - SHEETS.keys()):
        ignored = Message(N_("this sheet is not read: ignored"))
        findings.notices.append(SheetNotice(title, None, None, ignored))
    if "survey" not in tables:
        missing = Message(N_("the workbook has no survey sheet"))
        findings.errors.append(SheetError("survey", None, None, missing))
    language = read_default_language(tables.get("settings", []), findings)
    sheets = {name: read_sheet(name, tables.get(name, []), language, findings) for name in SHEETS}

    if file_name is None and isinstance(source, str | PathLike):
        file_name = Path(fspath(source)).name
    settings = read_settings(sheets["settings"], file_name)
    lists = read_choices(sheets["choices"])
    reader = SurveyReader(sheets["survey"], lists)
    pages = reader.read() if "survey" in tables else []
    scores = read_scores(sheets["scores"], reader.asked)
    errors, notices = findings.in_order()
    if errors:
        raise XLSFormError(errors, notices)
    definition = {**settings, "choice_lists": lists, "pages": pages, "scores": scores}
    return ImportResult(definition, notices)
