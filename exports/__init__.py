"""Responses -> evaluation report. A library: it takes a database session, never imports Flask."""
