"""The questionnaire as an XLSForm-style workbook, the format ODK and KoboToolbox users know,
and back. A library: no Flask, no database.

`write_xlsform(definition, out)` writes sheets survey, choices, settings and scores;
`read_xlsform(source)` returns an `ImportResult` (the definition and notices about what was
skipped on purpose) or raises `XLSFormError` listing every mistake by sheet, row and column.

Our columns beyond XLSForm: survey `kind` and `screen_out_if` (begin_group rows), `identifier`
(question rows); settings `form_title::French (fr)`; the whole scores sheet. The settings
`version` holds the consent version, the text participants agree to and which each response
records. Each question type's XLSForm type and appearance is in its spec
(survey/questionnaire/types.py): single_choice = select_one (no appearance), yes_no =
select_one + horizontal, likert = select_one + likert, multiple_choice = select_multiple,
rating = range (start/end = min/max, step 1), integer and decimal (min/max as
`. >= 1 and . <= 42`), short_text = text, long_text = text + multiline (max length as
`string-length(.) <= 200`), date, time, datetime, note; each begin_group/end_group is one page
(label = title, hint = intro).

Forms from ODK and KoboToolbox import when they keep to that subset. What only ODK needs is
skipped with a notice: device metadata rows (start, end, today...), Kobo's `$`-columns,
settings and display appearances we do not use; questions outside any group become a page.
Anything that would change what is asked or recorded (repeat, calculate, or_other, other types,
nested groups, relevant on a group, columns such as constraint_message or choice_filter) is an
error, as is every invalid name, list, label, constraint, range or condition.

Modules: `layout` (sheets, columns, languages, types), `messages` (results and errors),
`writer`; for reading, `sheets` (workbook, headers, rows), `values` (cell values),
`survey_sheet`, `other_sheets` (choices, settings, scores) and `reader` (the whole upload).
"""

from exports.xlsform.messages import (
    ImportResult,
    SheetError,
    SheetMessage,
    SheetNotice,
    XLSFormError,
)
from exports.xlsform.reader import read_xlsform
from exports.xlsform.writer import write_xlsform

__all__ = [
    "ImportResult",
    "SheetError",
    "SheetMessage",
    "SheetNotice",
    "XLSFormError",
    "read_xlsform",
    "write_xlsform",
]
