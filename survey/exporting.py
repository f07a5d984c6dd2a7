"""Runs an export and writes it to the audit log: the one path the CLI and the web share."""

from __future__ import annotations

from typing import IO

from exports.filters import ExportFilters
from exports.info import ExportInfo
from exports.report import Progress, write_csv, write_report
from exports.rows import ExportOptions
from survey import audit
from survey.database import read_only_transactions
from survey.models import DbSession, User


def run_export(
    session: DbSession,
    out: str | IO[bytes],
    *,
    as_csv: bool,
    filters: ExportFilters,
    options: ExportOptions,
    slug: str,
    follow_up_slug: str | None,
    generated_by: str,
    user: User | None = None,
    progress: Progress | None = None,
    statistics: str | None = None,
    label_language: str = "en",
) -> ExportInfo:
    """Write the export (the report, the CSV, or with `statistics` a .sav, .dta or R file with
    labels in `label_language`) inside a read-only transaction (on SQLite a long export must not
    hold the write lock participants need), then add it to the audit log; the caller commits."""
    with read_only_transactions():
        if statistics:  # sav, dta or r: a file for a statistics package
            # Imported here: pandas and pyreadstat take half a second to import, which every
            # command and web worker would pay at start-up for files few of them make.
            from exports.statfiles import write_statistics_file

            info = write_statistics_file(
                session,
                out,
                fmt=statistics,
                slug=slug,
                follow_up_slug=follow_up_slug,
                filters=filters,
                options=options,
                language=label_language,
                progress=progress,
            )
        elif as_csv:
            info = write_csv(
                session,
                out,
                slug=slug,
                follow_up_slug=follow_up_slug,
                filters=filters,
                options=options,
                progress=progress,
            )
        else:
            info = write_report(
                session,
                out,
                slug=slug,
                follow_up_slug=follow_up_slug,
                filters=filters,
                options=options,
                generated_by=generated_by,
                progress=progress,
            )
        session.rollback()  # end the read snapshot; the audit entry is a write of its own
    audit.record(
        session,
        "export.create",
        user,
        target=statistics or ("csv" if as_csv else "xlsx"),
        filters=filters.describe(),
        rows=info.rows,
        sha256=info.sha256,
        deidentified=options.deidentified,
        labels=options.labels,
        outcomes_by=options.by,
        by=generated_by,
        **({"label_language": label_language} if statistics else {}),
    )
    return info
