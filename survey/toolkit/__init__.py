"""The illustrated hand-expression toolkit: one page per section, the whole toolkit, and a print view."""

from survey.toolkit.views import bp

__all__ = ["bp"]
