"""The one entry point the CLI, the web and background jobs call: responses -> the report (.xlsx)
or the CSV."""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from typing import IO, Any

from sqlalchemy import select

from exports import consent
from exports.cells import GuardCounts, csv_text, csv_writer
from exports.figures import ChunkFigures, Figures
from exports.filters import ExportFilters
from exports.follow_up import (
    WAVES_HEADER,
    ResponseRate,
    follow_up_wave,
    response_rate,
)
from exports.info import ExportInfo
from exports.layout import DATETIME_TEXT, WIDEST, text_width
from exports.records import CHUNK, RecordReader, ResponseRecord
from exports.rendering import (
    ROW_PROCESSES,
    Rendered,
    Renderer,
    Renderers,
    SheetParts,
    digest_line,
)
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
from exports.workbook import (
    EXCEL_ROWS,
    SHEETS,
    WHOLE_TEXT,
    WITH_WAVES,
    SheetFull,
    WorkbookWriter,
)
from survey.models import (
    DbSession,
    Questionnaire,
    QuestionnaireVersion,
    VersionStatus,
)
from survey.toolkit.content import SECTIONS

Progress = Callable[[int, int], None]


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


class _Tally:
    """What an export's rows add up to: how many, how many complete, and the hash of the
    Responses data (each row's values as text, tab-separated, one per line); the progress is
    reported after each chunk (once, at 0 of 0, when there is none)."""

    def __init__(self, plan: _Plan, progress: Progress | None, total: int) -> None:
        self.plan, self.progress, self.total = plan, progress, total
        self.hash = hashlib.sha256()
        self.rows = self.complete = 0

    def _progressed(self, end: bool = False) -> None:
        if self.progress and (not end or self.total == 0):
            self.progress(self.rows, self.total)

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


class _Stream(_Tally):
    """Walks the plan's responses as (record, row), with what each was shown (the statistics
    files)."""

    def __iter__(self) -> Iterator[tuple[ResponseRecord, list[Any]]]:
        reader, table = self.plan.reader, self.plan.table
        for chunk in reader.chunks():
            for stored in chunk:
                record = reader.record(stored)
                row = table.row(record)
                self.hash.update((digest_line(row) + "\n").encode("utf-8", "replace"))
                yield record, row
                self.rows += 1
                self.complete += record.complete
            self._progressed()
        self._progressed(end=True)


class _Rendered(_Tally):
    """Walks the chunks of rows made by `renderers` (exports/rendering.py), adding up what the
    guard changed in them too."""

    def __init__(
        self,
        plan: _Plan,
        renderers: Renderers,
        counts: GuardCounts,
        progress: Progress | None,
        total: int,
    ) -> None:
        super().__init__(plan, progress, total)
        self.renderers, self.counts = renderers, counts

    def chunks(self, figures: Figures | None = None) -> Iterator[Rendered]:
        for chunk in self.renderers.chunks(self.plan.reader):
            if figures is not None and chunk.figures is not None:
                figures.add(chunk.figures)
            yield chunk
            self.hash.update(chunk.digest)
            self.rows += chunk.responses
            self.complete += chunk.complete
            self.counts.add(chunk.counts)
            self._progressed()
        self._progressed(end=True)


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
    chunk: int = CHUNK,
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
    figures = Figures(plan.statistics(), plan.outcomes(options.by))
    writer = WorkbookWriter(
        counts,
        out,
        cells=responses * len(plan.table.header),
        sheets=WITH_WAVES if plan.table.follow_up else SHEETS,
    )
    renderers = None
    try:
        text_variables = [v for v in plan.table.variables if v.is_text]
        _other_headers(writer, plan.table, text_variables)
        # Forked before the writer starts its compressing thread (with the Responses sheet's
        # header): the children need none of it.
        parts = SheetParts(
            writer.styles, text_variables, plan.table.follow_up, WHOLE_TEXT["Responses"]
        )
        counted = ChunkFigures(plan.statistics(), plan.outcomes(options.by))
        renderers = Renderers(Renderer(plan.reader, plan.table, parts, counted), ROW_PROCESSES)
        writer.header(
            "Responses",
            plan.table.header,
            plan.table.widths([v.consent_version for v in plan.versions]),
        )
        rendered = _Rendered(plan, renderers, counts, progress, responses)
        info = _write_workbook(writer, plan, figures, rendered, filters, options, generated_by)
    except SheetFull as error:
        _give_up(figures, renderers, writer, out)
        raise ExportError(f"{error}: export the responses as CSV (--csv) instead") from error
    except BaseException:
        _give_up(figures, renderers, writer, out)
        raise
    return info


def _give_up(
    figures: Figures, renderers: Renderers | None, writer: WorkbookWriter, out: str | IO[bytes]
) -> None:
    """Stop what a report that fails half way has under way, and leave no half-written file."""
    figures.close()
    if renderers is not None:
        renderers.close()
    writer.discard()
    if isinstance(out, str):
        with contextlib.suppress(OSError):
            os.remove(out)


def _other_headers(
    writer: WorkbookWriter, table: ResponseTable, text_variables: list[Variable]
) -> None:
    """The Comments sheet's header, and with the follow-up in use the Waves sheet's."""
    id_width = table.widths([])[0]
    names = [v.name for v in text_variables]
    writer.header(
        "Comments",
        ["response_id", "version", "language", "variable", "question", "answer", "part"],
        [id_width, 0, 0, max(map(text_width, names), default=0), 50, WIDEST, text_width("1 of 9")],
    )
    if table.follow_up:
        writer.header(
            "Waves",
            WAVES_HEADER,
            [id_width, text_width("follow_up"), 0, text_width("complete")]
            + [text_width(DATETIME_TEXT)]
            + [0.0] * (len(WAVES_HEADER) - 5),
        )


def _write_workbook(
    writer: WorkbookWriter,
    plan: _Plan,
    figures: Figures,
    rendered: _Rendered,
    filters: ExportFilters,
    options: ExportOptions,
    generated_by: str,
) -> ExportInfo:
    for chunk in rendered.chunks(figures):
        writer.append_rendered("Responses", chunk.data, chunk.responses)
        for fixed, text in chunk.comments:
            writer.comment_rows(fixed, text)
        for row in chunk.waves:
            writer.append("Waves", row)
    writer.autofilter("Responses")
    writer.autofilter("Comments")
    if plan.table.follow_up:
        writer.autofilter("Waves")
    summaries, outcomes = figures.result()
    revisions = plan.reader.study_information()
    write_codebook(
        writer, plan.table, plan.versions, consent.codebook_notes(plan.versions, revisions)
    )
    write_summary(writer, summaries)
    write_charts(writer, summaries, plan.variables)
    info = rendered.info(writer.counts, filters)
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


def response_rows(
    session: DbSession,
    *,
    slug: str,
    follow_up_slug: str | None = None,
    filters: ExportFilters,
    options: ExportOptions,
    progress: Progress | None = None,
    chunk: int = CHUNK,
) -> tuple[_Plan, _Stream]:
    """The Responses rows (with their records) for writers of other formats, as the CSV reads
    them: the plan says what the columns are, the stream walks the rows and counts them."""
    plan = _plan(session, slug, filters, options, chunk, follow_up_slug)
    return plan, _Stream(plan, progress, plan.reader.count())


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
    plan = _plan(session, slug, filters or ExportFilters(), ExportOptions(), CHUNK, follow_up_slug)
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
    chunk: int = CHUNK,
) -> ExportInfo:
    """The Responses sheet as CSV: UTF-8 with a BOM (so Excel reads it as UTF-8), same guard."""
    filters, options = filters or ExportFilters(), options or ExportOptions()
    plan = _plan(session, slug, filters, options, chunk, follow_up_slug)
    counts = GuardCounts()
    renderers = Renderers(Renderer(plan.reader, plan.table), ROW_PROCESSES)
    rendered = _Rendered(plan, renderers, counts, progress, plan.reader.count())
    try:
        with _binary(out) as binary:
            with csv_writer(binary) as writer:
                writer.writerow([csv_text(h, counts) for h in plan.table.header])
            for rows in rendered.chunks():
                binary.write(rows.data)
    finally:
        renderers.close()
    return rendered.info(counts, filters)
