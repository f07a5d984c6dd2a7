"""The report's figures (its statistics and outcomes) made in a second process while this one
writes the rows, so a report keeps both cores busy.

The figures need every response typed, with what it was shown, then counted; the rows need the
same responses typed and written. The child is forked once the responses' plan is made, and is
sent each chunk as the database gave it (plain values: cheap to pass), so neither process waits
for the other until the end, when the child sends back what the Summary, Charts and Outcomes
sheets need. Both read the same snapshot: the one this process reads in. Where fork does not
exist, the figures are made in this process, in turn with the rows (exports/forked.py)."""

from __future__ import annotations

from exports.forked import Forked, Pickled
from exports.outcomes import scipy_stats
from exports.records import RecordReader, StoredResponse
from exports.rendering import Message
from exports.stats import Statistics, Summary
from exports.subgroups import OutcomeCollector, OutcomeReport

_SUMMARISE = "summarise"  # the last message: send back the figures


class Figures:
    def __init__(
        self, reader: RecordReader, statistics: Statistics, outcomes: OutcomeCollector
    ) -> None:
        self.reader, self.statistics, self.outcomes = reader, statistics, outcomes
        # The outcomes' tests need scipy.stats, about a second of CPU to import: imported as
        # the child starts, while this process reads and writes, it is not a second waited for
        # at the end.
        self.worker = Forked(self._serve, "making the report's figures", prepare=scipy_stats)

    def add(self, message: Message) -> None:
        """A chunk of responses, as the rows' renderers are sent it (exports/rendering.py)."""
        if self.worker.forked:
            self.worker.send(message, answered=False)
        else:
            self._add((message.load() if isinstance(message, Pickled) else message)[1])

    def result(self) -> tuple[list[Summary], OutcomeReport]:
        if not self.worker.forked:
            return self._summarise()
        self.worker.send(_SUMMARISE, answered=True)
        try:
            return self.worker.receive()
        finally:
            self.close()

    def close(self) -> None:
        self.worker.close()

    def _serve(self, message: tuple[int, list[StoredResponse]] | str) -> object:
        """In the child: count a chunk, or send back the figures."""
        if isinstance(message, str):  # _SUMMARISE, the last
            return self._summarise()
        self._add(message[1])
        return None

    def _summarise(self) -> tuple[list[Summary], OutcomeReport]:
        return self.statistics.summarise(), self.outcomes.summarise()

    def _add(self, chunk: list[StoredResponse]) -> None:
        for stored in chunk:
            record = self.reader.record(stored)
            self.statistics.add(record)
            self.outcomes.add(record)
