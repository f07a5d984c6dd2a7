"""The questionnaire as an XLSForm-style workbook, the format ODK and KoboToolbox users know,
and back. A library: no Flask, no database.

`write_xlsform(definition, out)` writes sheets survey, choices, settings and scores;
`read_xlsform(source, skip_unsupported=False, file_name=None)` returns an `ImportResult` (the
definition and notices about what was skipped on purpose) or raises `XLSFormError` listing
every mistake by sheet, row and column.

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

Forms from ODK and KoboToolbox import wherever their questions can be asked here. The
settings sheet is optional (pyxform's `id_string` and `title` are read; a missing form_id comes
from the file's name, a missing title from the form_id); a formula's saved result is read; old
syntax (`label:English`, `select one from X`, `select all that apply X`) is read; nested groups
are flattened into pages, a group's `relevant` is its page's show-if, a name
repeated in another group is prefixed with its group path; a constraint other than limits is
kept as an expression (`accept_if`) checked on the server, with its `constraint_message`.
Skipped with a notice: device metadata rows (start, end, today, deviceid, imei...), Kobo's
`__version__` calculate row and `$`-columns, columns that only change how ODK shows or fills
in a form (media, default, guidance_hint, read_only...), settings and appearances we do not
use; questions outside any group become a page. What cannot be asked here (other types,
repeats, or_other, choice_filter, other languages) is an error naming it, or with
`skip_unsupported` is dropped with a notice each, as is a condition that reads a dropped
question. Every invalid name, list, label,
constraint, range or condition is an error; errors come sorted by sheet and row, one per cell.

Modules: `layout` (sheets, columns, languages, types), `messages` (results and errors),
`writer`; for reading, `sheets` (workbook, headers, rows), `values` (cell values),
`survey_sheet` (pages), `questions` (question rows), `conditions` (relevant, constraint,
screen_out_if), `other_sheets` (choices, settings, scores) and `reader` (the whole upload).
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
