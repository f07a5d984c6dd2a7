"""The questionnaire's rules that need no web framework: show-if expressions, scoring, loading."""
