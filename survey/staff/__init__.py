"""The staff home: who answered, and how far they got."""

from survey.staff.views import bp

__all__ = ["bp"]
