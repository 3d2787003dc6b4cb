"""The study plugin in the Wagtail admin: every hook it registers, wired here explicitly."""
