"""What one export holds: its rows, versions, checksum and what the guard changed, for its About
sheet and for the record of the export."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from exports.cells import GuardCounts


@dataclass
class ExportInfo:
    rows: int
    complete: int
    sha256: str
    versions: list[int]
    counts: GuardCounts
    generated_at: datetime
    filters: dict[str, Any] = field(default_factory=dict)
    excluded: dict[str, int] = field(default_factory=dict)  # by reason, within the filters
    withdrawn: int = 0
