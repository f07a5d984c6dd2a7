"""The report's figures (its statistics and outcomes), counted where the rows are made and added
up here.

Each process that makes rows (exports/rendering.py) types the responses of a chunk anyway: it
counts them too, and sends the chunk's counts back with its rows. The counts are merged in the
order of the chunks, so every series of values is in the order one process counting every
response would have it, and the figures are the same however many processes made them (the
outcomes' Monte Carlo tests too). The summary is made in a child forked at the start, which
imports scipy.stats (about a second of CPU) while the rows are made rather than at the end,
while everything waits. Where fork does not exist, it is all done here."""

from __future__ import annotations

from exports.forked import Forked
from exports.outcomes import scipy_stats
from exports.records import ResponseRecord
from exports.stats import Statistics, StatisticsCounts, Summary
from exports.subgroups import OutcomeCollector, OutcomeCounts, OutcomeReport

_SUMMARISE = "summarise"  # the last message: send back the figures
ChunkCounts = tuple[StatisticsCounts, OutcomeCounts]  # plain values, cheap to send


class ChunkFigures:
    """A chunk's counts, where its rows are made."""

    def __init__(self, statistics: Statistics, outcomes: OutcomeCollector) -> None:
        self.statistics, self.outcomes = statistics, outcomes

    def add(self, record: ResponseRecord) -> None:
        self.statistics.add(record)
        self.outcomes.add(record)

    def take(self) -> ChunkCounts:
        """The counts since the last take, starting again from none."""
        return self.statistics.take(), self.outcomes.take()


class Figures:
    """The export's figures, from its chunks' counts."""

    def __init__(self, statistics: Statistics, outcomes: OutcomeCollector) -> None:
        self.statistics, self.outcomes = statistics, outcomes
        self.worker = Forked(self._serve, "making the report's figures", prepare=scipy_stats)

    def add(self, counts: ChunkCounts) -> None:
        """The next chunk's counts (ChunkFigures.take), in the order of the chunks."""
        if self.worker.forked:
            self.worker.send(counts, answered=False)
        else:
            self._merge(counts)

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

    def _serve(self, message: ChunkCounts | str) -> object:
        """In the child: merge a chunk's counts, or send back the figures."""
        if isinstance(message, str):  # _SUMMARISE, the last
            return self._summarise()
        self._merge(message)
        return None

    def _merge(self, counts: ChunkCounts) -> None:
        statistics, outcomes = counts
        self.statistics.merge(statistics)
        self.outcomes.merge(outcomes)

    def _summarise(self) -> tuple[list[Summary], OutcomeReport]:
        return self.statistics.summarise(), self.outcomes.summarise()
