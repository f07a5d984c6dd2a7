"""Reading the whole upload: every sheet, every mistake, nothing imported when there is one."""

from __future__ import annotations

from exports.xlsform.layout import SHEETS, Source
from exports.xlsform.messages import Findings, ImportResult, SheetError, SheetNotice, XLSFormError
from exports.xlsform.other_sheets import read_choices, read_scores, read_settings
from exports.xlsform.sheets import load_tables, read_default_language, read_sheet
from exports.xlsform.survey_sheet import SurveyReader
from survey.messages import N_, Message


def read_xlsform(source: Source) -> ImportResult:
    """Read a workbook (path or binary file) into a definition, or raise XLSFormError listing
    every mistake in it; nothing is imported from an upload with mistakes."""
    findings = Findings()
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

    settings = read_settings(sheets["settings"])
    lists = read_choices(sheets["choices"])
    reader = SurveyReader(sheets["survey"], lists)
    pages = reader.read() if "survey" in tables else []
    scores = read_scores(sheets["scores"], reader.asked)
    if findings.errors:
        raise XLSFormError(findings.errors, findings.notices)
    definition = {**settings, "choice_lists": lists, "pages": pages, "scores": scores}
    return ImportResult(definition, findings.notices)
