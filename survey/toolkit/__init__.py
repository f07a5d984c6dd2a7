"""The illustrated hand-expression toolkit: each section on its own, the whole, and a print view."""
