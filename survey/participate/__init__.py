"""The participant's path: start, eligibility, consent, the pages, the toolkit, thank-you."""

from survey.participate.views import bp

__all__ = ["bp"]
