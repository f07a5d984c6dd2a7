"""For investigators: the dashboard and the exports (export jobs)."""
