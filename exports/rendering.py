"""The Responses rows made ready to write, a chunk of responses at a time, in forked processes
while this one reads the next chunk and writes the last.

A chunk comes back as the bytes the file holds (sheet XML or CSV), its values as the text the
data hash reads, what the report's other sheets need of its records (the Comments and Waves
rows, as values: their rows are numbered where they are written) and, for the report, its
counts for the figures (exports/figures.py). Typing the answers and writing the rows are most
of an export's work; this way they use every core, and each response is typed once. Where fork
does not exist the chunks are made here, the same way, in turn."""

from __future__ import annotations

import csv
import io
import os
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple, cast

from exports.cells import GuardCounts, csv_cell, csv_text, guarded_text
from exports.figures import ChunkCounts, ChunkFigures
from exports.follow_up import wave_rows
from exports.forked import Forked
from exports.records import RecordReader, StoredResponse
from exports.rows import ResponseTable
from exports.sheetxml import CellStyles, SheetRows
from exports.variables import Variable

_NUMBERS = frozenset({int, float})  # written as they are: the common case, quickly
# The processes that make rows: one per core (the report's figures take one of them).
ROW_PROCESSES = os.cpu_count() or 1


def _canonical(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def digest_line(row: list[Any]) -> str:
    """A row as the data hash reads it: each value as text, tab-separated (_canonical, with the
    common values inline)."""
    return "\t".join(
        [
            v if (k := v.__class__) is str else str(v) if k in _NUMBERS else _canonical(v)
            for v in row
        ]
    )


class Rendered(NamedTuple):
    data: bytes  # the rows as the file holds them
    digest: bytes  # their values as text, a line each (what the data hash reads)
    responses: int
    complete: int
    counts: GuardCounts  # what the guard changed in them
    comments: list[tuple[list[Any], str]]  # each open-text answer: (its row's first cells, text)
    waves: list[list[Any]]  # the Waves sheet's rows
    figures: ChunkCounts | None  # the report's counts of them (exports/figures.py)


@dataclass(frozen=True)
class SheetParts:
    """What a chunk of the report's Responses sheet is made with: the stylesheet's numbers, the
    open-text variables (the Comments rows), whether the Waves rows are wanted, and where the
    whole of a text cut to fit a cell is."""

    styles: CellStyles
    text_variables: list[Variable]
    waves: bool
    whole_text: str


class Renderer:
    """Makes a chunk's rows: the report's sheet XML with `sheet`, otherwise CSV; with
    `figures`, counts them for the report's figures too."""

    def __init__(
        self,
        reader: RecordReader,
        table: ResponseTable,
        sheet: SheetParts | None = None,
        figures: ChunkFigures | None = None,
    ) -> None:
        self.reader, self.table, self.sheet, self.figures = reader, table, sheet, figures

    def __call__(self, message: tuple[int, list[StoredResponse]]) -> Rendered:
        """`message`: how many responses came before the chunk, and the chunk."""
        before, chunk = message
        reader, table, sheet, figures = self.reader, self.table, self.sheet, self.figures
        counts = GuardCounts()
        rows, lines, comments, waves = [], [], [], []
        complete = 0
        for stored in chunk:
            # What it was shown (the denominators) only the figures need.
            record = reader.record(stored, shown=figures is not None)
            if figures is not None:
                figures.add(record)
            row = table.row(record)
            rows.append(row)
            lines.append(digest_line(row))
            complete += record.complete
            if sheet is not None:
                response_id = cast(str, row[0])
                for variable in sheet.text_variables:
                    if text := record.answers.get(variable.name):
                        fixed = [response_id, record.version, record.language, variable.name]
                        comments.append(([*fixed, variable.label_en], str(text)))
                if sheet.waves:
                    waves += wave_rows(response_id, record, table.cell)
        data = self._sheet(sheet, before, rows, counts) if sheet else self._csv(rows, counts)
        digest = ("\n".join(lines) + "\n").encode("utf-8", "replace") if lines else b""
        counted = figures.take() if figures is not None else None
        return Rendered(data, digest, len(rows), complete, counts, comments, waves, counted)

    def _sheet(
        self, sheet: SheetParts, before: int, rows: list[list[Any]], counts: GuardCounts
    ) -> bytes:
        pieces: list[bytes] = []
        xml = SheetRows(
            pieces.append,
            len(self.table.header),
            sheet.styles,
            lambda text: guarded_text(text, counts, sheet.whole_text),
        )
        xml.rows = before + 1  # the header is the sheet's first row
        for row in rows:
            xml.append(row)
        xml.flush()
        return b"".join(pieces)

    @staticmethod
    def _csv(rows: list[list[Any]], counts: GuardCounts) -> bytes:
        text = io.StringIO()
        writer = csv.writer(text, quoting=csv.QUOTE_NONNUMERIC)
        for row in rows:
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
        return text.getvalue().encode("utf-8")


class Renderers:
    """`processes` forked renderers, sent the chunks in turn, their answers taken in order."""

    def __init__(self, render: Renderer, processes: int) -> None:
        self.render = render
        workers = [Forked(render, "making the export's rows") for _ in range(processes)]
        self.workers = [w for w in workers if w.forked]

    def chunks(self, reader: RecordReader) -> Iterator[Rendered]:
        """The chunks rendered, in order."""
        before = 0
        waiting: deque[Forked] = deque()
        try:
            for chunk in reader.chunks():
                if not self.workers:
                    yield self.render((before, chunk))
                else:
                    if len(waiting) == len(self.workers):  # each has a chunk: take the oldest
                        yield waiting[0].receive()
                        worker = waiting.popleft()
                    else:
                        worker = self.workers[len(waiting)]
                    worker.send((before, chunk), answered=True)
                    waiting.append(worker)
                before += len(chunk)
            while waiting:
                yield waiting.popleft().receive()
        finally:
            self.close()

    def close(self) -> None:
        for worker in self.workers:
            worker.close()
