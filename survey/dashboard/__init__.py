"""For investigators: the dashboard and the evaluation report downloads."""
