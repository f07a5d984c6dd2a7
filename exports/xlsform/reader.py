"""Reading the whole upload: every sheet, every mistake, nothing imported when there is one."""

from __future__ import annotations

from exports.xlsform.layout import SHEETS, Source
from exports.xlsform.messages import ImportResult, Report, SheetError, SheetNotice, XLSFormError
from exports.xlsform.other_sheets import read_choices, read_scores, read_settings
from exports.xlsform.sheets import load_tables, read_default_language, read_sheet
from exports.xlsform.survey_sheet import SurveyReader
from survey.messages import N_, Message


def read_xlsform(source: Source) -> ImportResult:
    """Read a workbook (path or binary file) into a definition, or raise XLSFormError listing
    every mistake in it; nothing is imported from an upload with mistakes."""
    report = Report()
    tables = load_tables(source, report)
    if tables is None:
        raise XLSFormError(report.errors)
    for title in sorted(tables.keys() - SHEETS.keys()):
        ignored = Message(N_("this sheet is not read: ignored"))
        report.notices.append(SheetNotice(title, None, None, ignored))
    if "survey" not in tables:
        missing = Message(N_("the workbook has no survey sheet"))
        report.errors.append(SheetError("survey", None, None, missing))
    language = read_default_language(tables.get("settings", []), report)
    sheets = {name: read_sheet(name, tables.get(name, []), language, report) for name in SHEETS}

    settings = read_settings(sheets["settings"])
    lists = read_choices(sheets["choices"])
    reader = SurveyReader(sheets["survey"], lists)
    pages = reader.read() if "survey" in tables else []
    scores = read_scores(sheets["scores"], reader.asked)
    if report.errors:
        raise XLSFormError(report.errors, report.notices)
    definition = {**settings, "choice_lists": lists, "pages": pages, "scores": scores}
    return ImportResult(definition, report.notices)
