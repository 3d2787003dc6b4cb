"""Search for everything a member can find, in Vietnamese with or without diacritics.

``sotay_plugins.text`` (the core's one copy) normalises text and queries alike (lower case, no
diacritics, đ→d: Wagtail's database backend folds nothing on SQLite, and no backend folds đ);
``engine`` searches every registered kind through the scope engine; ``api`` and ``views`` serve it.
"""
