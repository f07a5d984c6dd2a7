"""The follow-up wave (issue 17): a participant who agrees gets one email N days after the
survey, with a personal link to the follow-up questionnaire, and one reminder. See
docs/follow-up.md for the design and its privacy choices."""
