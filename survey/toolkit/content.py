"""The toolkit's sections, in reading order.

The one list the toolkit pages, the survey and exports share.
"""

from dataclasses import dataclass

from survey.messages import N_


@dataclass(frozen=True)
class ToolkitSection:
    key: str  # stable id used in URLs, anchors, engagement records and export columns
    title: str  # English title, marked with N_; templates show gettext(section.title)


SECTIONS: tuple[ToolkitSection, ...] = (
    ToolkitSection("what", N_("What hand expression is")),
    ToolkitSection("when", N_("When it helps")),
    ToolkitSection("prepare", N_("Getting ready")),
    ToolkitSection("steps", N_("The clock method, step by step")),
    ToolkitSection("after", N_("Afterwards")),
    ToolkitSection("help", N_("When to get help")),
    ToolkitSection("references", N_("References")),
)
SECTION_KEYS = frozenset(s.key for s in SECTIONS)

_BY_KEY = {s.key: s for s in SECTIONS}


def find_section(key: str) -> ToolkitSection | None:
    """The section with this key, or None if there is no such section."""
    return _BY_KEY.get(key)
