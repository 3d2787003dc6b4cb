"""The reports plugin in the Wagtail admin: every hook it registers, wired here explicitly."""

# rollups

# exports
