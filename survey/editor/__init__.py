"""The questionnaire editor: drafts, the rules that protect collected answers, publishing."""
