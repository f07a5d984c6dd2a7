"""The report's figures (its statistics and outcomes) made in a second process while this one
writes the rows, so a report keeps both cores busy.

The figures need every response typed, with what it was shown, then counted; the rows need the
same responses typed and written. The child is forked once the responses' plan is made, and is
sent each chunk as the database gave it (plain values: cheap to pass), so neither process waits
for the other until the end, when the child sends back what the Summary, Charts and Outcomes
sheets need. Both read the same snapshot: the one this process reads in.

The child touches no connection it inherited and ends with os._exit (multiprocessing's way), so
nothing of the parent's (a database connection, the compressing thread) is closed or used
there. Where fork does not exist, the figures are made in this process, in turn with the rows."""

from __future__ import annotations

import contextlib
import multiprocessing
import traceback
from multiprocessing.connection import Connection
from typing import Any

from exports.outcomes import scipy_stats
from exports.records import RecordReader, StoredResponse
from exports.stats import Statistics, Summary
from exports.subgroups import OutcomeCollector, OutcomeReport


class Figures:
    def __init__(
        self, reader: RecordReader, statistics: Statistics, outcomes: OutcomeCollector
    ) -> None:
        self.reader, self.statistics, self.outcomes = reader, statistics, outcomes
        self.process: Any = None
        if "fork" not in multiprocessing.get_all_start_methods():
            return
        context = multiprocessing.get_context("fork")
        self.connection, child = context.Pipe()
        self.process = context.Process(
            target=_count, args=(child, reader, statistics, outcomes), daemon=True
        )
        self.process.start()
        child.close()

    def add(self, chunk: list[StoredResponse]) -> None:
        if self.process is None:
            _add(chunk, self.reader, self.statistics, self.outcomes)
            return
        if self.connection.poll():  # the child speaks before the end only when it failed
            self._received()
        try:
            self.connection.send(chunk)
        except BrokenPipeError:  # it ended: say why, if it could
            self._received()

    def result(self) -> tuple[list[Summary], OutcomeReport]:
        if self.process is None:
            return self.statistics.summarise(), self.outcomes.summarise()
        self.connection.send(None)
        return self._received()

    def _received(self) -> Any:
        try:
            outcome, value = self.connection.recv()
        except EOFError:
            raise RuntimeError(
                f"the process making the report's figures ended ({self.process.exitcode})"
            ) from None
        finally:
            self.close()
        if outcome == "failed":
            raise RuntimeError(f"making the report's figures failed:\n{value}")
        return value

    def close(self) -> None:
        """Stop the child (at the end, or when the report fails on the way)."""
        if self.process is not None:
            self.connection.close()
            self.process.join(timeout=5)
            if self.process.is_alive():
                self.process.kill()
                self.process.join()


def _add(
    chunk: list[StoredResponse],
    reader: RecordReader,
    statistics: Statistics,
    outcomes: OutcomeCollector,
) -> None:
    for stored in chunk:
        record = reader.record(stored)
        statistics.add(record)
        outcomes.add(record)


def _count(
    connection: Connection,
    reader: RecordReader,
    statistics: Statistics,
    outcomes: OutcomeCollector,
) -> None:
    """The child: counts each chunk it is sent until None, then sends the figures back."""
    try:
        # The outcomes' tests need scipy.stats, about a second of CPU to import: imported now,
        # while the parent reads and writes, it is not a second the parent waits at the end.
        scipy_stats()
        while (chunk := connection.recv()) is not None:
            _add(chunk, reader, statistics, outcomes)
        connection.send(("made", (statistics.summarise(), outcomes.summarise())))
    except EOFError:
        return  # the parent gave up on the report
    except BaseException:  # noqa: BLE001 - reported to the parent, which raises it
        connection.send(("failed", traceback.format_exc()))
        with contextlib.suppress(EOFError):  # take what is still sent, so no send breaks
            while connection.recv() is not None:
                pass
