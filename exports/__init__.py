"""Responses -> exports: the evaluation report (.xlsx) and the CSV. A library: it takes a database
session, never imports Flask."""
