"""The illustrated hand-expression toolkit: a page per section, the whole, and a print view."""
