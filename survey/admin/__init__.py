"""For admins: how the study is run (invitation codes)."""
