"""Files for statistics packages: SPSS (.sav) and Stata (.dta) written with pyreadstat, and for
R a CSV with a script that applies the labels. The rows are the Responses rows (the same
filters, de-identification and text guard as the report); docs/exports.md describes them."""

from __future__ import annotations

import io
import math
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import IO, Any

import pandas as pd
import pyreadstat

from exports.cells import GuardCounts, clean_text, csv_cell, csv_text, csv_writer
from exports.filters import ExportFilters
from exports.info import ExportInfo
from exports.records import CHUNK, ResponseRecord
from exports.report import Progress, response_rows
from exports.rows import ExportOptions
from exports.rscript import r_script
from exports.statcolumns import (
    FORMATS,
    SPSS_LABEL_BYTES,
    SPSS_VALUE_LABEL_BYTES,
    STATA_LABEL_CHARACTERS,
    StatColumn,
    score_labels,
    shorten_bytes,
    shorten_characters,
    stat_columns,
)
from survey.models import DbSession

# Stata's tagged missing values for "not shown" and "not reached".
STATA_NOT_SHOWN, STATA_NOT_REACHED = "a", "b"


class StatTable:
    """The statistics files' values, column by column, for the rows streamed into it."""

    def __init__(self, columns: list[StatColumn]) -> None:
        self.columns = columns
        self.values: list[list[Any]] = [[] for _ in columns]

    def add(self, record: ResponseRecord, row: list[Any]) -> None:
        for column, values, cell in zip(self.columns, self.values, row, strict=True):
            values.append(_stat_value(column, record, cell))


@dataclass(frozen=True)
class Missing:
    """A missing-value code in place of an answer, and why."""

    code: int
    unreached: bool  # the response stopped before the question's page (else: not shown)


def _stat_value(column: StatColumn, record: ResponseRecord, cell: Any) -> Any:
    """One cell as the statistics files hold it: choices as their numbers, and a missing code
    where the question was not shown (or its page not reached); None where it was shown but
    not answered."""
    if cell is None:
        variable = column.variable
        if column.missing and variable is not None and variable.name not in record.shown:
            if variable.name in record.unreached:
                return Missing(column.missing.not_reached, unreached=True)
            return Missing(column.missing.not_shown, unreached=False)
        return None
    if column.kind == "choice":
        return column.codes[cell]
    return cell


def collect(
    session: DbSession,
    *,
    slug: str,
    follow_up_slug: str | None,
    filters: ExportFilters,
    options: ExportOptions,
    language: str,
    progress: Progress | None,
    chunk: int,
) -> tuple[StatTable, Callable[[GuardCounts], ExportInfo]]:
    """Every matching response's row, held in memory (pyreadstat writes from a data frame)."""
    # Value labels carry the choice labels: the cells are always codes.
    plan, stream = response_rows(
        session,
        slug=slug,
        follow_up_slug=follow_up_slug,
        filters=filters,
        options=replace(options, labels=False),
        progress=progress,
        chunk=chunk,
    )
    table = StatTable(stat_columns(plan.table, language, score_labels(plan.versions)))
    for record, row in stream:
        table.add(record, row)
    return table, lambda counts: stream.info(counts, filters)


def _text(column: StatColumn, value: Any, counts: GuardCounts) -> str:
    """An answer's text gets the CSV guard (an apostrophe before a formula start); the values
    the platform made itself (response id, language, status, consent version) stay exactly as
    they are, so the files can be merged on them: an id may start with "-"."""
    if column.variable is None:
        return clean_text(str(value), counts)
    return csv_text(str(value), counts)


def _frame(table: StatTable, counts: GuardCounts, stata: bool) -> pd.DataFrame:
    """The data frame pyreadstat writes. Numbers are floats (readstat needs one type per
    column); SPSS gets the missing codes as numbers (declared missing), Stata as the tagged
    missing values .a and .b. Stata strings cannot be missing: there both are empty."""
    data: dict[str, Any] = {}
    for column, values in zip(table.columns, table.values, strict=True):
        if column.kind == "text":
            data[column.name] = pd.Series(
                [
                    ""
                    if v is None or (stata and isinstance(v, Missing))
                    else str(v.code)
                    if isinstance(v, Missing)
                    else _text(column, v, counts)
                    for v in values
                ],
                dtype=object,
            )
        elif column.kind == "datetime":
            data[column.name] = pd.to_datetime(pd.Series(values, dtype=object))
        elif column.kind in ("date", "time"):
            data[column.name] = pd.Series(values, dtype=object)
        elif stata and column.missing:
            data[column.name] = pd.Series(
                [
                    (STATA_NOT_REACHED if v.unreached else STATA_NOT_SHOWN)
                    if isinstance(v, Missing)
                    else None
                    if v is None
                    else float(v)
                    for v in values
                ],
                dtype=object,
            )
        else:
            data[column.name] = pd.Series(
                [
                    math.nan if v is None else float(v.code if isinstance(v, Missing) else v)
                    for v in values
                ],
                dtype="float64",
            )
    return pd.DataFrame(data)


def _copy(path: str, out: str | IO[bytes]) -> None:
    if isinstance(out, str):
        shutil.copyfile(path, out)
    else:
        with open(path, "rb") as source:
            shutil.copyfileobj(source, out)


def _write_via_file(out: str | IO[bytes], suffix: str, write: Callable[[str], None]) -> None:
    """pyreadstat writes to a path: a temporary file, then the output."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "export" + suffix)
        write(path)
        _copy(path, out)


def write_sav(table: StatTable, out: str | IO[bytes], language: str) -> GuardCounts:
    counts = GuardCounts()
    frame = _frame(table, counts, stata=False)
    labels: dict[str, str | None] = {
        c.name: shorten_bytes(c.label, SPSS_LABEL_BYTES) for c in table.columns
    }
    value_labels: dict[str, dict[Any, str]] = {}
    missing: dict[str, list[Any]] = {}
    for c in table.columns:
        every: dict[Any, str] = {**c.value_labels, **c.missing_labels(language)}
        if c.kind == "text" and c.missing:
            every = {str(code): label for code, label in c.missing_labels(language).items()}
            missing[c.name] = [str(c.missing.not_shown), str(c.missing.not_reached)]
        elif c.missing:
            missing[c.name] = [c.missing.not_shown, c.missing.not_reached]
        if every:
            value_labels[c.name] = {
                value: shorten_bytes(label, SPSS_VALUE_LABEL_BYTES)
                for value, label in every.items()
            }
    measure = {
        c.name: "ordinal" if c.ordinal else "nominal" if c.kind in ("choice", "text") else "scale"
        for c in table.columns
        if c.kind not in ("date", "time", "datetime")
    }
    _write_via_file(
        out,
        ".sav",
        lambda path: pyreadstat.write_sav(
            frame,
            path,
            file_label="M.I.L.K survey responses",
            column_labels=labels,
            variable_value_labels=value_labels,
            missing_ranges=missing,
            variable_measure=measure,
        ),
    )
    return counts


def write_dta(table: StatTable, out: str | IO[bytes], language: str) -> GuardCounts:
    counts = GuardCounts()
    frame = _frame(table, counts, stata=True)
    labels: dict[str, str | None] = {
        c.name: shorten_characters(c.label, STATA_LABEL_CHARACTERS) for c in table.columns
    }
    value_labels: dict[str, dict[Any, str]] = {}
    missing: dict[str, list[str]] = {}
    for c in table.columns:
        every: dict[Any, str] = dict(c.value_labels)
        if c.missing and c.kind != "text":
            shown, reached = c.missing_labels(language).values()
            every |= {STATA_NOT_SHOWN: shown, STATA_NOT_REACHED: reached}
            missing[c.name] = [STATA_NOT_SHOWN, STATA_NOT_REACHED]
        if every:
            value_labels[c.name] = every
    _write_via_file(
        out,
        ".dta",
        lambda path: pyreadstat.write_dta(
            frame,
            path,
            file_label="M.I.L.K survey responses",
            column_labels=labels,
            variable_value_labels=value_labels,
            missing_user_values=missing,
        ),
    )
    return counts


def write_r_csv(table: StatTable, out: IO[bytes]) -> GuardCounts:
    """The CSV the R script reads: UTF-8 with a BOM, the CSV guard; missing codes as numbers
    (in a text column too: a participant's own "-99" is guarded as "'-99")."""
    counts = GuardCounts()
    with csv_writer(out) as writer:
        writer.writerow([c.name for c in table.columns])
        for index in range(len(table.values[0]) if table.values else 0):
            writer.writerow(
                [
                    values[index].code
                    if isinstance(values[index], Missing)
                    else _text(column, values[index], counts)
                    if column.kind == "text" and values[index] is not None
                    else csv_cell(values[index], counts)
                    for column, values in zip(table.columns, table.values, strict=True)
                ]
            )
    return counts


def write_r(
    table: StatTable, script: IO[bytes], data: IO[bytes], csv_name: str, language: str
) -> GuardCounts:
    counts = write_r_csv(table, data)
    script.write(r_script(table.columns, csv_name, language).encode("utf-8"))
    return counts


def write_r_zip(table: StatTable, out: IO[bytes], stem: str, language: str) -> GuardCounts:
    """The web download: the CSV and its script in one zip."""
    data = io.BytesIO()
    counts = write_r_csv(table, data)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{stem}.csv", data.getvalue())
        archive.writestr(f"{stem}.R", r_script(table.columns, f"{stem}.csv", language))
    return counts


def write_statistics_file(
    session: DbSession,
    out: str | IO[bytes],
    *,
    fmt: str,
    slug: str = "milk",
    follow_up_slug: str | None = None,
    filters: ExportFilters | None = None,
    options: ExportOptions | None = None,
    language: str = "en",
    progress: Progress | None = None,
    chunk: int = CHUNK,
) -> ExportInfo:
    """Write a .sav, a .dta, or for R: beside OUT.R the CSV OUT.csv, or into a stream a zip
    holding both (named `R_STEM`.csv and .R)."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    filters, options = filters or ExportFilters(), options or ExportOptions()
    table, info = collect(
        session,
        slug=slug,
        follow_up_slug=follow_up_slug,
        filters=filters,
        options=options,
        language=language,
        progress=progress,
        chunk=chunk,
    )
    if fmt == "sav":
        counts = write_sav(table, out, language)
    elif fmt == "dta":
        counts = write_dta(table, out, language)
    elif isinstance(out, str):
        csv_path = os.path.splitext(out)[0] + ".csv"
        with open(out, "wb") as script, open(csv_path, "wb") as data:
            counts = write_r(table, script, data, os.path.basename(csv_path), language)
    else:
        counts = write_r_zip(table, out, R_STEM, language)
    return info(counts)


R_STEM = "milk-responses"
