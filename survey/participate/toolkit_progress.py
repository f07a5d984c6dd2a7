"""How far a participant has read the toolkit inside the survey (a section counts as read once
they moved on from it), and the one reminder for a toolkit left unopened."""

from __future__ import annotations

from dataclasses import dataclass

from survey.messages import N_
from survey.models import Response
from survey.toolkit.content import SECTIONS, ToolkitSection

UNOPENED_MESSAGE = N_(
    "You haven’t opened the toolkit yet. Part 2 asks what you thought of it, so please take a "
    "few minutes to read it: open a section below. If you would rather go on without it, press "
    "Next again."
)


@dataclass(frozen=True)
class Reading:
    read: frozenset[str]  # the keys of the sections read

    @property
    def count(self) -> int:
        return sum(s.key in self.read for s in SECTIONS)

    @property
    def total(self) -> int:
        return len(SECTIONS)

    @property
    def finished(self) -> bool:
        return self.count == self.total

    @property
    def next_unread(self) -> ToolkitSection:
        """Where to carry on reading: the first section not read (the first when all are)."""
        return next((s for s in SECTIONS if s.key not in self.read), SECTIONS[0])


def reading(response: Response) -> Reading:
    return Reading(frozenset(view.section for view in response.toolkit_views))


def remind_unopened(response: Response) -> bool:
    """Whether to stop the participant once (and note it) because they are leaving the toolkit
    page without having opened any section; the second Next goes on."""
    if response.toolkit_views or response.toolkit_prompt_shown:
        return False
    response.toolkit_prompt_shown = True
    return True
