"""The toolkit's sections, in reading order.

The one list the toolkit pages, the survey and exports share.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class ToolkitSection:
    key: str  # stable id used in URLs, anchors, engagement records and export columns
    title: str  # English title; templates translate it with gettext(section.title)


SECTIONS: tuple[ToolkitSection, ...] = (
    ToolkitSection("what", "What hand expression is"),
    ToolkitSection("when", "When it helps"),
    ToolkitSection("prepare", "Getting ready"),
    ToolkitSection("steps", "The clock method, step by step"),
    ToolkitSection("after", "Afterwards"),
    ToolkitSection("help", "When to get help"),
    ToolkitSection("references", "References"),
)
SECTION_KEYS = frozenset(s.key for s in SECTIONS)

_BY_KEY = {s.key: s for s in SECTIONS}


def section(key: str) -> ToolkitSection | None:
    """The section with this key, or None if there is no such section."""
    return _BY_KEY.get(key)
