"""The one entry point the CLI, the web and background jobs call: responses -> the report (.xlsx)
or the CSV."""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from typing import IO, Any

from sqlalchemy import select

from exports import consent
from exports.cells import GuardCounts, csv_cell, csv_text, csv_writer
from exports.figures import Figures
from exports.filters import ExportFilters
from exports.follow_up import (
    WAVES_HEADER,
    ResponseRate,
    follow_up_wave,
    response_rate,
    wave_rows,
)
from exports.info import ExportInfo
from exports.layout import DATETIME_TEXT, WIDEST, text_width
from exports.records import RecordReader, ResponseRecord
from exports.rows import ExportOptions, ResponseTable
from exports.sheets import (
    write_about,
    write_charts,
    write_codebook,
    write_outcomes,
    write_summary,
)
from exports.stats import Statistics
from exports.subgroups import (
    OutcomeCollector,
    OutcomeReport,
    UnsuitableGrouping,
    suitable_groupings,
)
from exports.variables import Variable, collect_variables
from exports.workbook import EXCEL_ROWS, SHEETS, WITH_WAVES, SheetFull, WorkbookWriter
from survey.models import (
    AnswerValue,
    DbSession,
    Questionnaire,
    QuestionnaireVersion,
    VersionStatus,
)
from survey.toolkit.content import SECTIONS

Progress = Callable[[int, int], None]
_NUMBERS = frozenset({int, float})  # written as they are: the common case, quickly


class ExportError(ValueError):
    """The export cannot be made as asked (a message for the person who asked)."""


def software_version(package: str = "milk-survey") -> str:
    try:
        return package_version(package)
    except PackageNotFoundError:
        return "unknown"


def chosen_versions(
    session: DbSession, slug: str, filters: ExportFilters
) -> list[QuestionnaireVersion]:
    """Every version that has been live (published or retired), or the ones the filter names."""
    query = (
        select(QuestionnaireVersion)
        .join(Questionnaire)
        .where(Questionnaire.slug == slug, QuestionnaireVersion.status != VersionStatus.DRAFT)
        .order_by(QuestionnaireVersion.number)
    )
    if filters.versions:
        query = query.where(QuestionnaireVersion.number.in_(filters.versions))
    versions = list(session.scalars(query))
    if not versions:
        raise ExportError("no questionnaire version matches these filters")
    return versions


def _canonical(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


class _Stream:
    """Walks the plan's responses as (record, row), counting them, reporting progress and
    hashing the Responses data: each row's values as text, tab-separated, one per line. With
    `figures`, each chunk also goes there, and the records here are made without what they
    were shown (only figures need that); `shown` says whether they need it otherwise."""

    def __init__(
        self,
        plan: _Plan,
        progress: Progress | None,
        figures: Figures | None = None,
        shown: bool = True,
        total: int | None = None,
    ) -> None:
        self.plan, self.progress, self.total = plan, progress, total
        self.figures, self.shown = figures, shown and figures is None
        self.hash = hashlib.sha256()
        self.rows = self.complete = 0

    def __iter__(self) -> Iterator[tuple[ResponseRecord, list[Any]]]:
        reader, table = self.plan.reader, self.plan.table
        total = reader.count() if self.total is None else self.total  # counted once
        for chunk in reader.chunks():
            if self.figures is not None:
                self.figures.add(chunk)
            for stored in chunk:
                record = reader.record(stored, shown=self.shown)
                row = table.row(record)
                # _canonical, inline for the common values (mypy cannot narrow by __class__).
                text = "\t".join(
                    [
                        v  # type: ignore[misc]
                        if (k := v.__class__) is str
                        else str(v)
                        if k in _NUMBERS
                        else _canonical(v)
                        for v in row
                    ]
                )
                self.hash.update((text + "\n").encode("utf-8", "replace"))
                yield record, row
                self.rows += 1
                self.complete += record.complete
            if self.progress:
                self.progress(self.rows, total)
        if self.progress and total == 0:
            self.progress(0, 0)

    def info(self, counts: GuardCounts, filters: ExportFilters) -> ExportInfo:
        return ExportInfo(
            rows=self.rows,
            complete=self.complete,
            sha256=self.hash.hexdigest(),
            versions=[v.number for v in self.plan.versions],
            counts=counts,
            generated_at=datetime.now(UTC),
            filters=filters.describe(),
            excluded=self.plan.reader.exclusions(),
            withdrawn=self.plan.reader.withdrawals(),
        )


@dataclass
class _Plan:
    versions: list[QuestionnaireVersion]
    variables: list[Variable]
    score_names: list[str]
    table: ResponseTable
    reader: RecordReader

    def statistics(self) -> Statistics:
        return Statistics(
            self.table.variables,
            self.score_names,
            self.table.toolkit_sections,
            score_labels(self.versions),
        )

    def outcomes(self, by: str | None) -> OutcomeCollector:
        try:
            return OutcomeCollector(self.variables, by)
        except UnsuitableGrouping as error:
            raise ExportError(str(error)) from error


def score_labels(versions: list[QuestionnaireVersion]) -> dict[str, tuple[str, str | None]]:
    """Each score's label in English and French, as the newest version words it."""
    return {
        s.name: (s.label_en, s.label_fr)
        for v in sorted(versions, key=lambda v: v.number)
        for s in v.scores
    }


def _plan(
    session: DbSession,
    slug: str,
    filters: ExportFilters,
    options: ExportOptions,
    chunk: int,
    follow_up_slug: str | None = None,
) -> _Plan:
    versions = chosen_versions(session, slug, filters)
    wave = follow_up_wave(session, follow_up_slug)
    variables = collect_variables(versions) + (wave.variables if wave else [])
    score_names = list(dict.fromkeys(s.name for v in versions for s in v.scores))
    table = ResponseTable(variables, score_names, [s.key for s in SECTIONS], options)
    return _Plan(
        versions,
        variables,
        score_names,
        table,
        RecordReader(session, versions, variables, filters, chunk, follow_up=wave),
    )


def write_report(
    session: DbSession,
    out: str | IO[bytes],
    *,
    slug: str = "milk",
    follow_up_slug: str | None = None,
    filters: ExportFilters | None = None,
    options: ExportOptions | None = None,
    generated_by: str = "",
    progress: Progress | None = None,
    chunk: int = 2000,
) -> ExportInfo:
    """Write the evaluation workbook (.xlsx) for the responses that match `filters`, with the
    follow-up wave of the questionnaire `follow_up_slug` when it is in use."""
    filters, options = filters or ExportFilters(), options or ExportOptions()
    plan = _plan(session, slug, filters, options, chunk, follow_up_slug)
    responses = plan.reader.count()
    if responses >= EXCEL_ROWS:
        raise ExportError(
            f"{responses:,} responses are more than a spreadsheet's {EXCEL_ROWS - 1:,} rows: "
            "export them as CSV (--csv), or choose fewer with the filters"
        )
    counts = GuardCounts()
    # Forked before the writer starts its compressing thread: the child needs none of it.
    figures = Figures(plan.reader, plan.statistics(), plan.outcomes(options.by))
    writer = WorkbookWriter(
        counts,
        out,
        cells=responses * len(plan.table.header),
        sheets=WITH_WAVES if plan.table.follow_up else SHEETS,
    )
    try:
        info = _write_workbook(
            writer, plan, figures, filters, options, generated_by, progress, responses
        )
    except SheetFull as error:
        _give_up(figures, writer, out)
        raise ExportError(f"{error}: export the responses as CSV (--csv) instead") from error
    except BaseException:
        _give_up(figures, writer, out)
        raise
    return info


def _give_up(figures: Figures, writer: WorkbookWriter, out: str | IO[bytes]) -> None:
    """Stop what a report that fails half way has under way, and leave no half-written file."""
    figures.close()
    writer.discard()
    if isinstance(out, str):
        with contextlib.suppress(OSError):
            os.remove(out)


def _write_workbook(
    writer: WorkbookWriter,
    plan: _Plan,
    figures: Figures,
    filters: ExportFilters,
    options: ExportOptions,
    generated_by: str,
    progress: Progress | None,
    responses: int,
) -> ExportInfo:
    text_variables = [v for v in plan.table.variables if v.is_text]
    writer.header(
        "Responses",
        plan.table.header,
        plan.table.widths([v.consent_version for v in plan.versions]),
    )
    id_width = plan.table.widths([])[0]
    names = [v.name for v in text_variables]
    writer.header(
        "Comments",
        ["response_id", "version", "language", "variable", "question", "answer", "part"],
        [id_width, 0, 0, max(map(text_width, names), default=0), 50, WIDEST, text_width("1 of 9")],
    )
    waves = _waves(writer, plan.table)
    stream = _Stream(plan, progress, figures, total=responses)
    for record, row in stream:
        writer.append("Responses", row)
        _comments(writer, plan.table, text_variables, record)
        if waves:
            for wave_row in wave_rows(row[0], record, waves):
                writer.append("Waves", wave_row)
    writer.autofilter("Responses")
    writer.autofilter("Comments")
    if waves:
        writer.autofilter("Waves")
    summaries, outcomes = figures.result()
    revisions = plan.reader.study_information()
    write_codebook(
        writer, plan.table, plan.versions, consent.codebook_notes(plan.versions, revisions)
    )
    write_summary(writer, summaries)
    write_charts(writer, summaries, plan.variables)
    info = stream.info(writer.counts, filters)
    write_about(
        writer,
        info,
        options,
        generated_by,
        software_version(),
        consent.about_rows(plan.versions, revisions),
    )
    write_outcomes(writer, outcomes, software_version("scipy"))
    writer.save()
    return info


def _waves(
    writer: WorkbookWriter, table: ResponseTable
) -> Callable[[str, AnswerValue | None], object] | None:
    """With the follow-up in use, the Waves sheet's header, and how its cells are typed."""
    if not table.follow_up:
        return None
    writer.header(
        "Waves",
        WAVES_HEADER,
        [table.widths([])[0], text_width("follow_up"), 0, text_width("complete")]
        + [text_width(DATETIME_TEXT)]
        + [0.0] * (len(WAVES_HEADER) - 5),
    )

    def cell(name: str, value: AnswerValue | None) -> object:
        typed = table.cells(name, value)
        return typed[0] if typed else None

    return cell


def _comments(
    writer: WorkbookWriter,
    table: ResponseTable,
    text_variables: list[Variable],
    record: ResponseRecord,
) -> None:
    for variable in text_variables:
        text = record.answers.get(variable.name)
        if text:
            fixed = [
                table.response_id(record),
                record.version,
                record.language,
                variable.name,
                variable.label_en,
            ]
            writer.comment_rows(fixed, str(text))


def response_rows(
    session: DbSession,
    *,
    slug: str,
    follow_up_slug: str | None = None,
    filters: ExportFilters,
    options: ExportOptions,
    progress: Progress | None = None,
    chunk: int = 2000,
) -> tuple[_Plan, _Stream]:
    """The Responses rows (with their records) for writers of other formats, as the CSV reads
    them: the plan says what the columns are, the stream walks the rows and counts them."""
    plan = _plan(session, slug, filters, options, chunk, follow_up_slug)
    return plan, _Stream(plan, progress)


def collect_figures(
    session: DbSession,
    *,
    slug: str = "milk",
    follow_up_slug: str | None = None,
    filters: ExportFilters | None = None,
    by: str | None = None,
) -> tuple[Statistics, OutcomeReport]:
    """The statistics and the outcomes (for the dashboard) in one pass over the responses: the
    same figures as the Summary and Outcomes sheets."""
    plan = _plan(session, slug, filters or ExportFilters(), ExportOptions(), 2000, follow_up_slug)
    statistics, outcomes = plan.statistics(), plan.outcomes(by)
    for record in plan.reader:
        statistics.add(record)
        outcomes.add(record)
    return statistics, outcomes.summarise()


def follow_up_rate(
    session: DbSession, *, slug: str = "milk", filters: ExportFilters | None = None
) -> ResponseRate:
    """The follow-up's response rate among the responses the filters choose (the dashboard)."""
    filters = filters or ExportFilters()
    versions = chosen_versions(session, slug, filters)
    return response_rate(session, filters.conditions([v.id for v in versions]))


def grouping_choices(
    session: DbSession, *, slug: str = "milk", filters: ExportFilters | None = None
) -> list[tuple[str, str]]:
    """(variable, question) of every variable the outcomes can be split by (`--by`)."""
    versions = chosen_versions(session, slug, filters or ExportFilters())
    return suitable_groupings(collect_variables(versions))


@contextmanager
def _binary(out: str | IO[bytes]) -> Iterator[IO[bytes]]:
    if isinstance(out, str):
        with open(out, "wb") as stream:
            yield stream
    else:
        yield out


def write_csv(
    session: DbSession,
    out: str | IO[bytes],
    *,
    slug: str = "milk",
    follow_up_slug: str | None = None,
    filters: ExportFilters | None = None,
    options: ExportOptions | None = None,
    progress: Progress | None = None,
    chunk: int = 2000,
) -> ExportInfo:
    """The Responses sheet as CSV: UTF-8 with a BOM (so Excel reads it as UTF-8), same guard."""
    filters, options = filters or ExportFilters(), options or ExportOptions()
    plan = _plan(session, slug, filters, options, chunk, follow_up_slug)
    counts = GuardCounts()
    stream = _Stream(plan, progress, shown=False)
    with _binary(out) as binary, csv_writer(binary) as writer:
        writer.writerow([csv_text(h, counts) for h in plan.table.header])
        for _record, row in stream:
            writer.writerow(
                [
                    v
                    if (k := v.__class__) in _NUMBERS
                    else ""
                    if v is None
                    else csv_text(v, counts)
                    if k is str
                    else csv_cell(v, counts)
                    for v in row
                ]
            )
    return stream.info(counts, filters)
