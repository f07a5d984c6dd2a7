"""The staff home: who answered, and how far they got."""
