"""The Responses rows made in forked processes (exports/rendering.py): a report and a CSV made
by several of them hold exactly what the same export made in one process holds, in the same
order, over many chunks; every child ends by itself; a failure in one reaches the caller and
leaves no report behind."""

from __future__ import annotations

import gc
import io
import pickle

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

import exports.report
from exports.figures import ChunkFigures
from exports.filters import ExportFilters
from exports.forked import Forked
from exports.outcomes import OutcomeTally
from exports.report import write_csv, write_report
from exports.rows import ExportOptions, ResponseTable
from survey.demo import generate_responses
from survey.models import Response
from tests.factories import make_response
from tests.test_exports import BASE
from tests.test_follow_up_exports import follow_up, follow_up_version  # noqa: F401

CHUNK = 4  # responses per chunk: the 31 below make 8 chunks


@pytest.fixture
def answered(app, db, version, follow_up_version):  # noqa: F811 - the fixture imported above
    """Demo responses, two open answers the guard must change, and a follow-up."""
    generate_responses(db.session, version, 28, seed=11)
    db.session.commit()
    risky = make_response(db, version, {**BASE, "comment_liked": '=HYPERLINK("x")'})
    make_response(db, version, {**BASE, "comment_liked": "bell \x07 here"})
    make_response(db, version, {**BASE, "comment_liked": "@" + "long " * 7000})
    follow_up(db, follow_up_version, risky, {"expressed_since": "yes", "comments": "-ok"})
    return app.config["FOLLOW_UP_SLUG"]


def made(db, tmp_path, monkeypatch, processes: int, follow_up_slug: str):
    """The report and the CSV made with `processes` row processes (0: in this process)."""
    monkeypatch.setattr(exports.report, "ROW_PROCESSES", processes)
    path = tmp_path / f"report-{processes}.xlsx"
    info = write_report(db.session, str(path), follow_up_slug=follow_up_slug, chunk=CHUNK)
    text = io.BytesIO()
    csv_info = write_csv(db.session, text, follow_up_slug=follow_up_slug, chunk=CHUNK)
    return load_workbook(path), info, text.getvalue(), csv_info


def cells(wb, sheet: str) -> list[tuple]:
    return list(wb[sheet].iter_rows(values_only=True))


def test_rows_made_in_several_processes_are_the_rows_made_in_one(
    db, answered, tmp_path, monkeypatch
):
    one, one_info, one_csv, one_csv_info = made(db, tmp_path, monkeypatch, 0, answered)
    many, info, csv_bytes, csv_info = made(db, tmp_path, monkeypatch, 3, answered)
    for sheet in ("Responses", "Comments", "Waves", "Summary", "Codebook", "Outcomes"):
        assert cells(many, sheet) == cells(one, sheet), sheet
    assert csv_bytes == one_csv and csv_bytes.startswith("\ufeff".encode())
    for got, expected in ((info, one_info), (csv_info, one_csv_info)):
        assert (got.rows, got.complete, got.sha256) == (
            expected.rows,
            expected.complete,
            expected.sha256,
        )
        assert got.counts == expected.counts
    # What the guard changed is counted whichever process made the row: the formula, the
    # "@..." text and the follow-up's "-ok" kept as text on the Responses sheet and again on
    # the Comments sheet, the bell replaced, the long text cut on the Responses sheet (and
    # continued on the Comments sheet).
    assert (info.counts.text_kept_as_text, info.counts.replaced_characters) == (6, 1)
    assert info.counts.truncated_cells == 1
    # Every response once, in the order the database gives them (started, then id).
    ids = db.session.scalars(
        select(Response.id)
        .where(Response.follow_up_of.is_(None))
        .order_by(Response.started_at, Response.id)
    ).all()
    assert [row[0] for row in cells(many, "Responses")[1:]] == ids and len(ids) == 31
    assert info.rows == 31 == csv_info.rows
    assert [row[0] for row in cells(many, "Waves")[1:]].count(ids[0]) in (1, 2)


def test_every_row_process_ends_by_itself(db, answered, tmp_path, monkeypatch):
    """A child forked after another inherits its pipe: unless it closes that copy, the first
    never sees its parent close the pipe and is killed after a wait."""
    ended: list[int | None] = []
    close = Forked.close

    def recorded(self):
        close(self)
        if self.process is not None:
            ended.append(self.process.exitcode)

    monkeypatch.setattr(Forked, "close", recorded)
    made(db, tmp_path, monkeypatch, 3, answered)
    # The report: the figures and three row processes; the CSV: three row processes. Each may
    # be closed more than once (at the end, and again when the export is done).
    assert len(ended) >= 6 and set(ended) == {0}
    # What was kept from the collector while they ran is collectable again (a queue consumer
    # makes many exports: nothing may stay frozen after one).
    assert gc.get_freeze_count() == 0


def test_counts_taken_a_chunk_at_a_time_add_up_to_one_count_of_all(db, answered):
    """What each chunk counted, merged in the order of the chunks, is what one pass counts:
    every statistic and outcome, grouped ones and their tests included."""
    plan = exports.report._plan(
        db.session, "milk", ExportFilters(), ExportOptions(), CHUNK, answered
    )
    one = ChunkFigures(plan.statistics(), plan.outcomes("language"))
    for record in plan.reader:
        one.add(record)
    merged = (plan.statistics(), plan.outcomes("language"))
    counting = ChunkFigures(plan.statistics(), plan.outcomes("language"))
    chunks = 0
    for chunk in plan.reader.chunks():
        for stored in chunk:
            counting.add(plan.reader.record(stored))
        sent = pickle.dumps(counting.take())  # as it goes to the figures' process
        statistics, outcomes = pickle.loads(sent)  # noqa: S301 - made just above
        merged[0].merge(statistics)
        merged[1].merge(outcomes)
        chunks += 1
    assert chunks == 8
    assert repr(merged[0].summarise()) == repr(one.statistics.summarise())
    assert repr(merged[1].summarise()) == repr(one.outcomes.summarise())
    assert merged[0].summarise()[0].denominator == 31
    # A take leaves nothing counted, and takes (and merges) all a tally counts.
    assert counting.statistics.responses == 0 and not counting.outcomes.overall.before
    tally = counting.outcomes.overall
    assert set(vars(tally)) == {"plan", *tally._SUMS, *tally._SERIES, *tally._PER_ITEM}
    assert isinstance(tally, OutcomeTally)


def test_figures_made_in_several_processes_are_the_figures_made_in_one(
    db, answered, tmp_path, monkeypatch
):
    """Grouped by language, with a test per comparison: the same sheets."""
    sheets = []
    for processes in (0, 3):
        monkeypatch.setattr(exports.report, "ROW_PROCESSES", processes)
        path = tmp_path / f"by-{processes}.xlsx"
        options = ExportOptions(by="language")
        write_report(db.session, str(path), options=options, chunk=CHUNK)
        workbook = load_workbook(path)
        sheets.append([cells(workbook, sheet) for sheet in ("Summary", "Outcomes")])
    assert sheets[0] == sheets[1]
    assert any("French" in str(row) for row in sheets[0][1])


@pytest.mark.parametrize("writer", [write_report, write_csv])
def test_a_row_process_failing_reaches_the_caller(db, answered, tmp_path, monkeypatch, writer):
    monkeypatch.setattr(exports.report, "ROW_PROCESSES", 2)

    def broken(self, record):
        raise ZeroDivisionError("a row went wrong")

    monkeypatch.setattr(ResponseTable, "row", broken)
    out = tmp_path / "half"
    with pytest.raises(RuntimeError, match="a row went wrong"):
        writer(db.session, str(out), chunk=CHUNK)
    if writer is write_report:
        assert not out.exists()
    assert gc.get_freeze_count() == 0
