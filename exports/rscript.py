"""The R script that reads the responses' CSV and applies the labels: factors for choices (ordered
for Likert scales), the question in attr(x, "label"), and why an answer is missing in
attr(x, "missing_reason")."""

from __future__ import annotations

from collections import Counter

from exports.statcolumns import StatColumn

_HEADER = """\
# M.I.L.K survey responses for R ({language} labels), made by the survey platform.
# Reads {csv} (UTF-8) and makes the data frame `milk`: choices are factors (ordered for
# Likert scales), each question is in attr(x, "label"), and where a question was not shown
# or its page not reached the value is NA with the reason in attr(x, "missing_reason").
# Keep both files in one folder and run, from that folder:  source("{script}")
# (or set milk_csv to the CSV's path first). Base R only; no package needed.

if (!exists("milk_csv")) milk_csv <- {csv_literal}

milk_raw <- utils::read.csv(
  milk_csv, encoding = "UTF-8", colClasses = "character", na.strings = "",
  check.names = FALSE, stringsAsFactors = FALSE
)
# Every column is read as text, then converted below (an empty field is NA). The file starts
# with a byte-order mark (for Excel); R keeps it in the first name.
names(milk_raw)[1] <- sub("^\\ufeff", "", names(milk_raw)[1])

.milk_missing <- function(x, raw, codes) {{
  reason <- rep(NA_character_, length(raw))
  for (code in names(codes)) reason[!is.na(raw) & as.character(raw) == code] <- codes[[code]]
  x[!is.na(reason)] <- NA
  if (any(!is.na(reason))) attr(x, "missing_reason") <- reason
  x
}}

.milk_label <- function(x, label) {{
  attr(x, "label") <- label
  x
}}

milk <- milk_raw
"""


def r_string(text: str) -> str:
    """An R string literal that is plain ASCII whatever the text holds: quotes, backslashes,
    control and non-ASCII characters are escapes (a NUL, which R refuses, becomes U+FFFD)."""
    out = []
    for character in text:
        point = ord(character)
        if character in '"\\':
            out.append("\\" + character)
        elif 0x20 <= point < 0x7F:
            out.append(character)
        else:
            out.append(f"\\u{{{point or 0xFFFD:x}}}" if point <= 0xFFFF else f"\\U{{{point:x}}}")
    return '"' + "".join(out) + '"'


def _printable(text: str) -> str:
    """A file name as it may stand in a comment: printable ASCII only (no line break)."""
    return "".join(c if 0x20 <= ord(c) < 0x7F else "?" for c in text)


def _vector(items: list[str]) -> str:
    return "c(" + ", ".join(items) + ")"


def _unique_labels(labels: list[str], values: list[int]) -> list[str]:
    """R merges factor levels that share a label: two choices worded alike keep their code."""
    repeated = {label for label, n in Counter(labels).items() if n > 1}
    return [
        f"{label} ({v})" if label in repeated else label
        for label, v in zip(labels, values, strict=True)
    ]


def _column_code(column: StatColumn, language: str) -> str:
    raw = f"milk_raw[[{r_string(column.name)}]]"
    if column.kind == "choice":
        values = list(column.value_labels)
        labels = _unique_labels(list(column.value_labels.values()), values)
        value = (
            f"factor(as.numeric({raw}), levels = {_vector([str(v) for v in values])}, "
            f"labels = {_vector([r_string(label) for label in labels])}"
            + (", ordered = TRUE)" if column.ordinal else ")")
        )
    elif column.kind == "datetime":
        value = f'as.POSIXct({raw}, format = "%Y-%m-%dT%H:%M:%OS", tz = "UTC")'
    elif column.kind == "date":
        value = f"as.Date({raw})"
    elif column.kind == "number":
        value = f"as.numeric({raw})"
    else:
        value = raw
    if column.missing:
        codes = _vector(
            [
                f"{r_string(str(code))} = {r_string(label)}"
                for code, label in column.missing_labels(language).items()
            ]
        )
        value = f".milk_missing({value}, {raw}, {codes})"
    return f"milk[[{r_string(column.name)}]] <- .milk_label({value}, {r_string(column.label)})"


def r_script(columns: list[StatColumn], csv_name: str, language: str, script_name: str = "") -> str:
    header = _HEADER.format(
        language="English" if language == "en" else "French",
        csv=_printable(csv_name),
        script=_printable(script_name or csv_name.removesuffix(".csv") + ".R"),
        csv_literal=r_string(csv_name),
    )
    body = "\n".join(_column_code(c, language) for c in columns)
    return header + body + "\nrm(milk_raw)\n"
