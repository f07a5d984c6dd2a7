"""Runs an export and writes it to the audit log: the one path the CLI and the web share."""

from __future__ import annotations

from typing import IO

from sqlalchemy.orm import Session

from exports.filters import ExportFilters
from exports.report import Progress, ReportInfo, write_csv, write_report
from exports.rows import ReportOptions
from survey import audit
from survey.models import User


def run_export(
    session: Session,
    out: str | IO[bytes],
    *,
    as_csv: bool,
    filters: ExportFilters,
    options: ReportOptions,
    slug: str,
    generated_by: str,
    user: User | None = None,
    progress: Progress | None = None,
) -> ReportInfo:
    if as_csv:
        info = write_csv(
            session, out, slug=slug, filters=filters, options=options, progress=progress
        )
    else:
        info = write_report(
            session,
            out,
            slug=slug,
            filters=filters,
            options=options,
            generated_by=generated_by,
            progress=progress,
        )
    audit.record(
        session,
        "export.create",
        user,
        target="csv" if as_csv else "xlsx",
        filters=filters.describe(),
        rows=info.rows,
        sha256=info.sha256,
        deidentified=options.deidentified,
        labels=options.labels,
        by=generated_by,
    )
    return info
